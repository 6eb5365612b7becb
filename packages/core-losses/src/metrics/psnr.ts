import * as tf from '@tensorflow/tfjs-core';
import { checkReduction, reduce, type ReductionOptions } from '../reduction.js';
import { asTensor, assertRankAtLeast, assertSameShape, positive, type TensorInput } from '../validate.js';
import { MeanOfSamplesMetric, type Metric } from './metric.js';

/** Options of {@link psnr} and {@link psnrLoss}. */
export interface PsnrOptions extends ReductionOptions {
  /** R, the distance between the smallest and largest possible value (1 for [0, 1], 255 for 8-bit). Default 1. */
  dataRange?: number;
}

const TEN_OVER_LN10 = 10 / Math.LN10;

/** Per-sample PSNR [N]: axis 0 is the batch, the MSE runs over every other axis. */
function psnrPerSample(yTrue: TensorInput, yPred: TensorInput, dataRange: number, fn: string): tf.Tensor1D {
  const t = asTensor(yTrue, 'yTrue', fn);
  const p = asTensor(yPred, 'yPred', fn);
  assertSameShape(t, p, fn);
  assertRankAtLeast(p, 2, 'yPred', fn);
  const n = p.shape[0] as number;
  const mse = tf.mean(tf.reshape(tf.squaredDifference(p, t), [n, -1]), 1);
  // 10·log10(R²/MSE) = (10/ln 10)·(ln R² − ln MSE)
  return tf.mul(tf.sub(Math.log(dataRange * dataRange), tf.log(mse)), TEN_OVER_LN10) as tf.Tensor1D;
}

/**
 * PSNR = 10·log10(R²/MSE) dB per sample (as skimage.metrics.peak_signal_noise_ratio), higher is better.
 * Axis 0 is the batch: for NHWC images [N,H,W,C] each image gets its own PSNR over H, W and C (a single
 * image needs a leading batch axis of 1); any rank ≥ 2 works. `reduction: 'none'` gives the per-sample
 * values [N]; 'mean' (default) averages them, the usual "average PSNR over a test set". Identical
 * samples give +Infinity.
 */
export function psnr(yTrue: TensorInput, yPred: TensorInput, { dataRange = 1, ...options }: PsnrOptions = {}): tf.Tensor {
  const reduction = checkReduction(options.reduction, 'psnr');
  positive(dataRange, 'dataRange', 'psnr');
  return tf.tidy(() => reduce(psnrPerSample(yTrue, yPred, dataRange, 'psnr'), reduction));
}

/**
 * PSNR as a loss: −PSNR = 10·log10(MSE/R²) per sample (see {@link psnr}), i.e. a log-MSE loss whose
 * gradient (10/ln 10)·∇MSE/MSE rescales MSE's by each sample's error. −Infinity for identical samples.
 */
export function psnrLoss(yTrue: TensorInput, yPred: TensorInput, { dataRange = 1, ...options }: PsnrOptions = {}): tf.Tensor {
  const reduction = checkReduction(options.reduction, 'psnrLoss');
  positive(dataRange, 'dataRange', 'psnrLoss');
  return tf.tidy(() => reduce(tf.neg(psnrPerSample(yTrue, yPred, dataRange, 'psnrLoss')), reduction));
}

/** Accumulating PSNR: the mean of per-sample PSNR over every sample seen (higher is better). */
export function createPsnrMetric(options: Omit<PsnrOptions, 'reduction'> = {}): Metric {
  positive(options.dataRange ?? 1, 'dataRange', 'createPsnrMetric');
  return new MeanOfSamplesMetric('psnr', true, (t, p) => psnr(t, p, { ...options, reduction: 'none' }));
}
