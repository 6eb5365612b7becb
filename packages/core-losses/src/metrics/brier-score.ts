import * as tf from '@tensorflow/tfjs-core';
import { brierPerSample, checkBrierOptions, type BrierOptions } from '../losses/brier-loss.js';
import type { TensorInput } from '../validate.js';
import { MeanOfSamplesMetric, type Metric } from './metric.js';

/** Options of {@link brierScore}: those of {@link brierLoss} without a reduction (the score is the sample mean). */
export type BrierScoreOptions = Omit<BrierOptions, 'reduction'>;

/**
 * Brier score as a metric: the mean over samples of Σ_c (p_c − z_c)² over the last (class) axis (Brier 1950;
 * sklearn.metrics.brier_score_loss, multi-class form, range [0, 2]); `classReduction: 'mean'` divides by C.
 * A scalar; lower is better.
 */
export function brierScore(yTrue: TensorInput, yPred: TensorInput, options: BrierScoreOptions = {}): tf.Tensor {
  checkBrierOptions(options, 'brierScore');
  return tf.tidy(() => tf.mean(brierPerSample(yTrue, yPred, options, 'brierScore')));
}

/** Accumulating Brier score: the mean of per-sample scores over every sample seen (lower is better). */
export function brierScoreMetric(options: BrierScoreOptions = {}): Metric {
  checkBrierOptions(options, 'brierScoreMetric');
  return new MeanOfSamplesMetric('brier', false, (t, p) => brierPerSample(t, p, options, 'brierScoreMetric'));
}
