import * as tf from '@tensorflow/tfjs-core';
import { checkReduction, reduce } from '../reduction.js';
import type { TensorInput } from '../validate.js';
import { checkThreshold, hardMaskCounts, type HardMaskOptions } from './dice-score.js';
import { MeanOfSamplesMetric, type Metric } from './metric.js';

/**
 * IoU (Jaccard index) |T ∩ P| / |T ∪ P| of hard masks, per image over every non-batch axis of [N, ...] inputs
 * (Jaccard 1912; as MONAI MeanIoU on one foreground channel). yTrue ≥ 0.5 is foreground, yPred is binarised at
 * `threshold`. Empty-vs-empty is defined as 1 (perfect agreement). Default reduction 'mean' is the mean over images.
 */
export function iouScore(yTrue: TensorInput, yPred: TensorInput, { threshold = 0.5, ...rest }: HardMaskOptions = {}): tf.Tensor {
  const fn = 'iouScore';
  checkThreshold(threshold, fn);
  const reduction = checkReduction(rest.reduction, fn);
  return tf.tidy(() => {
    const { inter, nTrue, nPred } = hardMaskCounts(yTrue, yPred, threshold, fn);
    const union = tf.sub(tf.add(nTrue, nPred), inter);
    const iou = tf.where(tf.greater(union, 0), tf.div(inter, tf.maximum(union, 1)), tf.onesLike(union));
    return reduce(iou, reduction);
  });
}

/** Accumulating hard-mask IoU: the mean of per-image IoU over every image seen (higher is better). */
export function iouScoreMetric(options: Omit<HardMaskOptions, 'reduction'> = {}): Metric {
  checkThreshold(options.threshold ?? 0.5, 'iouScoreMetric');
  return new MeanOfSamplesMetric('iou_hard', true, (t, p) => iouScore(t, p, { ...options, reduction: 'none' }));
}
