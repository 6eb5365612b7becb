import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, ValueError } from '../errors.js';
import { checkReduction, reduce, type ReductionOptions } from '../reduction.js';
import { asTensor, assertRankAtLeast, assertSameShape, inRange, type TensorInput } from '../validate.js';

/** Options of {@link categoricalCrossEntropy}. */
export interface CategoricalCrossEntropyOptions extends ReductionOptions {
  /** `yPred` holds logits (log-softmax is taken inside) rather than probabilities. Default false. */
  fromLogits?: boolean;
  /** Label smoothing s ∈ [0, 1]: targets become z·(1 − s) + s/C (torch's and Keras' convention). Default 0. */
  labelSmoothing?: number;
  /**
   * Probability path only: p is clipped to [ε, 1 − ε] before the log (Keras' backend epsilon); must lie in
   * [1e-7, 0.5) so that 1 − ε < 1 in float32. Default 1e-7.
   */
  eps?: number;
}

/**
 * Checks that yTrue and yPred match and have a class axis (the last) of at least `minClasses` entries; returns C.
 * Used by every loss over a one-hot / probability class axis.
 */
export function checkClassAxis(t: tf.Tensor, p: tf.Tensor, fn: string, minClasses = 1): number {
  assertSameShape(t, p, fn);
  assertRankAtLeast(p, 1, 'yPred', fn);
  const c = p.shape[p.rank - 1] as number;
  if (c < minClasses) {
    throw new ShapeError(`${fn}: the class axis (last) of 'yPred' must have at least ${minClasses} entries. Shape: [${p.shape}].`, p.shape, [...p.shape.slice(0, -1), minClasses]);
  }
  return c;
}

/** Throws ValueError unless `value` is a boolean (for flags such as `fromLogits`). */
export function checkFlag(value: unknown, option: string, fn: string): boolean {
  if (typeof value !== 'boolean') throw new ValueError(`${fn}: option '${option}' must be a boolean. Value: ${String(value)}.`);
  return value;
}

/**
 * Log-probabilities along the last axis: log-softmax of logits, or the log of probabilities clipped to [ε, 1 − ε].
 * tf.logSoftmax subtracts the row maximum and has its own stable gradient softmax(x)·Σdy − dy, so logits of ±1e4
 * stay finite in value and gradient (the naive log(softmax(x)) gives log(0) = −∞ there and a NaN gradient).
 */
export function logProbabilities(p: tf.Tensor, fromLogits: boolean, eps: number): tf.Tensor {
  return fromLogits ? tf.logSoftmax(p, -1) : tf.log(tf.clipByValue(p, eps, 1 - eps));
}

/**
 * Categorical cross-entropy −Σ_c z_c·log p_c over the last (class) axis, with label smoothing z ← z(1 − s) + s/C
 * (Szegedy et al., CVPR 2016 "Rethinking the Inception Architecture"; torch.nn.functional.cross_entropy with
 * probability targets and `label_smoothing`). Targets are one-hot or soft; `reduction: 'none'` keeps one value per
 * sample, i.e. the input shape without its last axis. Probabilities are clipped to [ε, 1 − ε], not renormalised.
 */
export function categoricalCrossEntropy(
  yTrue: TensorInput,
  yPred: TensorInput,
  { fromLogits = false, labelSmoothing = 0, eps = 1e-7, ...rest }: CategoricalCrossEntropyOptions = {},
): tf.Tensor {
  const fn = 'categoricalCrossEntropy';
  checkFlag(fromLogits, 'fromLogits', fn);
  inRange(labelSmoothing, 0, 1, 'labelSmoothing', fn);
  inRange(eps, 1e-7, 0.5, 'eps', fn, { hiOpen: true });
  const reduction = checkReduction(rest.reduction, fn);
  return tf.tidy(() => {
    const t = asTensor(yTrue, 'yTrue', fn);
    const p = asTensor(yPred, 'yPred', fn);
    const c = checkClassAxis(t, p, fn);
    const z = labelSmoothing > 0 ? tf.add(tf.mul(t, 1 - labelSmoothing), labelSmoothing / c) : t;
    return reduce(tf.neg(tf.sum(tf.mul(z, logProbabilities(p, fromLogits, eps)), -1)), reduction);
  });
}
