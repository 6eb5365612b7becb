import * as tf from '@tensorflow/tfjs-core';
import { checkReduction, reduce, type ReductionOptions } from '../reduction.js';
import { asTensor, nonNegative, type TensorInput } from '../validate.js';
import { checkFlag } from './categorical-cross-entropy.js';
import { sampleAxes } from './dice-loss.js';

/** Options of {@link iouLoss}. */
export interface IouLossOptions extends ReductionOptions {
  /** Smoothing ε ≥ 0 added to numerator and denominator. Default 1e-5. */
  smooth?: number;
  /** `yPred` holds logits (a sigmoid is applied) rather than probabilities. Default false. */
  fromLogits?: boolean;
}

/**
 * Soft IoU (Jaccard) loss 1 − (Σ p·t + ε) / (Σ p + Σ t − Σ p·t + ε) per sample over every non-batch axis of
 * [N, ...] inputs (Jaccard 1912; soft form as Rahman & Wang, "Optimizing Intersection-Over-Union in Deep Neural
 * Networks for Image Segmentation", ISVC 2016). yPred are probabilities, or logits with `fromLogits`.
 * Empty-vs-empty gives 0 (NaN with ε = 0). `none` keeps one value per sample ([N]).
 */
export function iouLoss(yTrue: TensorInput, yPred: TensorInput, { smooth = 1e-5, fromLogits = false, ...rest }: IouLossOptions = {}): tf.Tensor {
  const fn = 'iouLoss';
  nonNegative(smooth, 'smooth', fn);
  checkFlag(fromLogits, 'fromLogits', fn);
  const reduction = checkReduction(rest.reduction, fn);
  return tf.tidy(() => {
    const t = asTensor(yTrue, 'yTrue', fn);
    const x = asTensor(yPred, 'yPred', fn);
    const axes = sampleAxes(t, x, fn);
    const p = fromLogits ? tf.sigmoid(x) : x;
    const intersection = tf.sum(tf.mul(p, t), axes);
    const union = tf.sub(tf.add(tf.sum(p, axes), tf.sum(t, axes)), intersection);
    return reduce(tf.sub(1, tf.div(tf.add(intersection, smooth), tf.add(union, smooth))), reduction);
  });
}
