import * as tf from '@tensorflow/tfjs-core';
import { checkReduction, reduce, type ReductionOptions } from '../reduction.js';
import { asTensor, assertRankAtLeast, assertSameShape, nonNegative, type TensorInput } from '../validate.js';
import { checkFlag } from './categorical-cross-entropy.js';

/** Options of {@link diceLoss}. */
export interface DiceLossOptions extends ReductionOptions {
  /** Smoothing ε ≥ 0 added to numerator and denominator (MONAI's smooth_nr = smooth_dr). Default 1e-5. */
  smooth?: number;
  /** `yPred` holds logits (a sigmoid is applied) rather than probabilities. Default false. */
  fromLogits?: boolean;
  /** Denominator Σp² + Σt² (Milletari et al., V-Net 2016) instead of Σp + Σt. Default false. */
  squared?: boolean;
}

/** Checks (yTrue, yPred) as [N, ...] batches of masks and returns the per-sample reduction axes 1..rank−1. */
export function sampleAxes(t: tf.Tensor, p: tf.Tensor, fn: string): number[] {
  assertSameShape(t, p, fn);
  assertRankAtLeast(p, 2, 'yPred', fn);
  return Array.from({ length: p.rank - 1 }, (_, i) => i + 1);
}

/**
 * Soft Dice loss 1 − (2·Σ p·t + ε) / (Σ p + Σ t + ε) per sample, the sums running over every non-batch axis
 * (spatial and channel) of [N, ...] inputs (Dice 1945; soft form as Milletari et al., "V-Net", 3DV 2016, and
 * MONAI DiceLoss with `batch=False` over all channels). yTrue is a {0, 1} (or soft) mask and yPred probabilities
 * (sigmoid outputs) or logits with `fromLogits`. Empty-vs-empty gives 0 (the ε terms make the ratio 1; with ε = 0
 * it is 0/0 = NaN).
 * `none` keeps one value per sample ([N]).
 */
export function diceLoss(yTrue: TensorInput, yPred: TensorInput, { smooth = 1e-5, fromLogits = false, squared = false, ...rest }: DiceLossOptions = {}): tf.Tensor {
  const fn = 'diceLoss';
  nonNegative(smooth, 'smooth', fn);
  checkFlag(fromLogits, 'fromLogits', fn);
  checkFlag(squared, 'squared', fn);
  const reduction = checkReduction(rest.reduction, fn);
  return tf.tidy(() => {
    const t = asTensor(yTrue, 'yTrue', fn);
    const x = asTensor(yPred, 'yPred', fn);
    const axes = sampleAxes(t, x, fn);
    const p = fromLogits ? tf.sigmoid(x) : x;
    const intersection = tf.sum(tf.mul(p, t), axes);
    const denominator = squared ? tf.add(tf.sum(tf.square(p), axes), tf.sum(tf.square(t), axes)) : tf.add(tf.sum(p, axes), tf.sum(t, axes));
    return reduce(tf.sub(1, tf.div(tf.add(tf.mul(intersection, 2), smooth), tf.add(denominator, smooth))), reduction);
  });
}
