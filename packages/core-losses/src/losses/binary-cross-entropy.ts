import * as tf from '@tensorflow/tfjs-core';
import { checkReduction, reduce, type ReductionOptions } from '../reduction.js';
import { asTensor, assertSameShape, inRange, type TensorInput } from '../validate.js';
import { checkFlag } from './categorical-cross-entropy.js';

/** Options of {@link binaryCrossEntropy}. */
export interface BinaryCrossEntropyOptions extends ReductionOptions {
  /** `yPred` holds logits x (the sigmoid is applied inside, stably) rather than probabilities. Default false. */
  fromLogits?: boolean;
  /** Label smoothing s ∈ [0, 1]: targets become z·(1 − s) + s/2 (Keras' convention). Default 0. */
  labelSmoothing?: number;
  /**
   * Probability path only: p is clipped to [ε, 1 − ε] before the logs (Keras' backend epsilon). Must lie in
   * [1e-7, 0.5): below 1e-7, 1 − ε rounds to 1 in float32 and log(1 − p) would be −∞. Default 1e-7.
   */
  eps?: number;
}

/**
 * Element-wise sigmoid cross-entropy on logits, max(x, 0) − x·z + log(1 + e^{−|x|}), with the exact gradient
 * ∂/∂x = σ(x) − z and ∂/∂z = −x. Call it inside a tidy; x and z must have the same shape.
 */
export function sigmoidCrossEntropyWithLogits(x: tf.Tensor, z: tf.Tensor): tf.Tensor {
  // Why a custom gradient: the naive −z·log σ(x) − (1 − z)·log(1 − σ(x)) gives log(0) = −∞ and a NaN gradient once
  // |x| ≳ 17 (σ saturates in float32). The stable form above is finite everywhere, but its autodiff goes through the
  // kinks of max(x, 0) and |x|, so at x = 0 it depends on the subgradients the kernels pick (with tf.maximum and
  // tf.abs it is 1.5 − z instead of 0.5 − z). σ(x) − z is exact, finite for any x (|x| = 1e4 included) and is what
  // torch's binary_cross_entropy_with_logits backward returns.
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [logits, targets, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([logits, targets]);
    const value = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, targets)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, zs] = saved as [tf.Tensor, tf.Tensor];
        return [tf.mul(dy, tf.sub(tf.sigmoid(xs), zs)), tf.mul(dy, tf.neg(xs))];
      },
    };
  });
  return op(x, z);
}

/** Checks the options shared by the binary losses (smoothing in [0, 1], clip ε in [1e-7, 0.5)). */
export function checkBinaryOptions(fn: string, labelSmoothing: number, eps: number, fromLogits: unknown): void {
  inRange(labelSmoothing, 0, 1, 'labelSmoothing', fn);
  inRange(eps, 1e-7, 0.5, 'eps', fn, { hiOpen: true });
  checkFlag(fromLogits, 'fromLogits', fn);
}

/**
 * Binary cross-entropy −[z·log p + (1 − z)·log(1 − p)], element-wise, with label smoothing z ← z(1 − s) + s/2
 * (torch.nn.BCELoss / BCEWithLogitsLoss; Keras BinaryCrossentropy for the smoothing). With `fromLogits` it is
 * computed from logits in the stable form max(x, 0) − x·z + log(1 + e^{−|x|}) with gradient σ(x) − z; otherwise p
 * is clipped to [ε, 1 − ε] (its gradient is then zero outside that range, as in Keras). Targets may be soft.
 */
export function binaryCrossEntropy(
  yTrue: TensorInput,
  yPred: TensorInput,
  { fromLogits = false, labelSmoothing = 0, eps = 1e-7, ...rest }: BinaryCrossEntropyOptions = {},
): tf.Tensor {
  const fn = 'binaryCrossEntropy';
  checkBinaryOptions(fn, labelSmoothing, eps, fromLogits);
  const reduction = checkReduction(rest.reduction, fn);
  return tf.tidy(() => {
    const t = asTensor(yTrue, 'yTrue', fn);
    const p = asTensor(yPred, 'yPred', fn);
    assertSameShape(t, p, fn);
    const z = labelSmoothing > 0 ? tf.add(tf.mul(t, 1 - labelSmoothing), labelSmoothing / 2) : t;
    const losses = fromLogits ? sigmoidCrossEntropyWithLogits(p, z) : probabilityBce(z, p, eps);
    return reduce(losses, reduction);
  });
}

/** −[z·log p + (1 − z)·log(1 − p)] with p clipped to [ε, 1 − ε]. */
export function probabilityBce(z: tf.Tensor, p: tf.Tensor, eps: number): tf.Tensor {
  const pc = tf.clipByValue(p, eps, 1 - eps);
  return tf.neg(tf.add(tf.mul(z, tf.log(pc)), tf.mul(tf.sub(1, z), tf.log(tf.sub(1, pc)))));
}
