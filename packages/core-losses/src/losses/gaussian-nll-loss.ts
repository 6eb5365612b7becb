import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '../errors.js';
import { checkReduction, reduce, type ReductionOptions } from '../reduction.js';
import { asTensor, oneOf, positive, type TensorInput } from '../validate.js';

/** Options of {@link gaussianNllLoss}. */
export interface GaussianNllOptions extends ReductionOptions {
  /** What yPred[..., 1] holds: the variance σ², or log σ² (always valid, the usual network output). Default 'logVariance'. */
  parameterization?: 'variance' | 'logVariance';
  /** Add the constant ½·log 2π. Default false (as torch). */
  full?: boolean;
  /** Floor ε > 0 on σ²; the gradient passes through the floor unchanged, as torch's in-place clamp. Default 1e-6. */
  eps?: number;
}

const FN = 'gaussianNllLoss';
const PARAMS = ['variance', 'logVariance'] as const;

/** yTrue as the mean's shape: it may lack yPred's last axis, have it as 1, or be yPred-shaped (channel 0). */
function targetOf(t: tf.Tensor, p: tf.Tensor): tf.Tensor {
  const base = p.shape.slice(0, -1);
  const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
  if (same(t.shape, base)) return t;
  if (same(t.shape, [...base, 1])) return tf.reshape(t, base);
  if (same(t.shape, p.shape)) return tf.squeeze(tf.slice(t, new Array<number>(p.rank).fill(0), [...base, 1]), [p.rank - 1]);
  throw new ShapeError(
    `${FN}: 'yTrue' must have shape [${base}], [${[...base, 1]}] or [${p.shape}] for 'yPred' [${p.shape}] (mean and variance on the last axis). Shape: [${t.shape}].`,
    t.shape,
    base,
  );
}

/**
 * Heteroscedastic Gaussian negative log-likelihood ½(log σ² + (y − μ)²/σ²) with μ = yPred[..., 0] and
 * σ² (or log σ²) = yPred[..., 1], σ² floored at ε (Nix & Weigend 1994; Kendall & Gal 2017;
 * torch.nn.GaussianNLLLoss). 'none' has yPred's shape without the last axis. For tfjs-layers, whose
 * targets must have the output's shape, yTrue may be yPred-shaped: channel 0 is the target, channel 1 unused.
 */
export function gaussianNllLoss(yTrue: TensorInput, yPred: TensorInput, { parameterization = 'logVariance', full = false, eps = 1e-6, ...rest }: GaussianNllOptions = {}): tf.Tensor {
  oneOf(parameterization, PARAMS, 'parameterization', FN);
  positive(eps, 'eps', FN);
  const reduction = checkReduction(rest.reduction, FN);
  return tf.tidy(() => {
    const t0 = asTensor(yTrue, 'yTrue', FN);
    const p = asTensor(yPred, 'yPred', FN);
    if (p.rank < 1 || p.shape[p.rank - 1] !== 2) {
      throw new ShapeError(`${FN}: 'yPred' must end in an axis of size 2 (mean, ${parameterization}). Shape: [${p.shape}].`, p.shape, [...p.shape.slice(0, -1), 2]);
    }
    const t = targetOf(t0, p);
    const [mean, raw] = tf.unstack(p, p.rank - 1) as [tf.Tensor, tf.Tensor];
    const variance = parameterization === 'logVariance' ? tf.exp(raw) : raw;
    // max(σ², ε) in the forward pass, identity in the backward pass (torch clamps in place under no_grad).
    const floored = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => ({
      value: tf.maximum(args[0] as tf.Tensor, eps),
      gradFunc: (dy: tf.Tensor) => dy,
    }))(variance);
    let loss = tf.mul(0.5, tf.add(tf.log(floored), tf.div(tf.squaredDifference(t, mean), floored)));
    if (full) loss = tf.add(loss, 0.5 * Math.log(2 * Math.PI));
    return reduce(loss, reduction);
  });
}
