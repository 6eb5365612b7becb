import * as tf from '@tensorflow/tfjs-core';
import { ValueError } from '../errors.js';
import { sampleAxes } from '../losses/dice-loss.js';
import { checkReduction, reduce, type ReductionOptions } from '../reduction.js';
import { asTensor, type TensorInput } from '../validate.js';
import { MeanOfSamplesMetric, type Metric } from './metric.js';

/** Options of the hard-mask overlap metrics ({@link diceScore}, `iouScore`). */
export interface HardMaskOptions extends ReductionOptions {
  /** yPred ≥ threshold counts as foreground (probabilities: 0.5; logits: pass 0). Finite. Default 0.5. */
  threshold?: number;
}

/** Throws ValueError unless the threshold is a finite number. */
export function checkThreshold(threshold: unknown, fn: string): number {
  if (!(typeof threshold === 'number' && Number.isFinite(threshold))) {
    throw new ValueError(`${fn}: option 'threshold' must be a finite number. Value: ${String(threshold)}.`);
  }
  return threshold;
}

/**
 * Binarises a batch of masks (yTrue ≥ 0.5, yPred ≥ threshold) and returns per-sample |T ∩ P|, |T| and |P| over
 * every non-batch axis. Call inside a tidy.
 */
export function hardMaskCounts(yTrue: TensorInput, yPred: TensorInput, threshold: number, fn: string): { inter: tf.Tensor; nTrue: tf.Tensor; nPred: tf.Tensor } {
  const t0 = asTensor(yTrue, 'yTrue', fn);
  const p0 = asTensor(yPred, 'yPred', fn);
  const axes = sampleAxes(t0, p0, fn);
  const t = tf.cast(tf.greaterEqual(t0, 0.5), 'float32');
  const p = tf.cast(tf.greaterEqual(p0, threshold), 'float32');
  return { inter: tf.sum(tf.mul(t, p), axes), nTrue: tf.sum(t, axes), nPred: tf.sum(p, axes) };
}

/**
 * Dice coefficient 2|T ∩ P| / (|T| + |P|) of hard masks, per image over every non-batch axis of [N, ...] inputs
 * (Dice 1945; as MONAI DiceMetric on one foreground channel). yTrue is a {0, 1} mask (≥ 0.5 is foreground), yPred
 * is binarised at `threshold`. Empty-vs-empty is defined as 1 (perfect agreement; MONAI's `ignore_empty=False`).
 * Default reduction 'mean' is the mean over images; `none` gives [N].
 */
export function diceScore(yTrue: TensorInput, yPred: TensorInput, { threshold = 0.5, ...rest }: HardMaskOptions = {}): tf.Tensor {
  const fn = 'diceScore';
  checkThreshold(threshold, fn);
  const reduction = checkReduction(rest.reduction, fn);
  return tf.tidy(() => {
    const { inter, nTrue, nPred } = hardMaskCounts(yTrue, yPred, threshold, fn);
    const total = tf.add(nTrue, nPred);
    const dice = tf.where(tf.greater(total, 0), tf.div(tf.mul(inter, 2), tf.maximum(total, 1)), tf.onesLike(total));
    return reduce(dice, reduction);
  });
}

/** Accumulating hard-mask Dice: the mean of per-image Dice over every image seen (higher is better). */
export function diceScoreMetric(options: Omit<HardMaskOptions, 'reduction'> = {}): Metric {
  checkThreshold(options.threshold ?? 0.5, 'diceScoreMetric');
  return new MeanOfSamplesMetric('dice_hard', true, (t, p) => diceScore(t, p, { ...options, reduction: 'none' }));
}
