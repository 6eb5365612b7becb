import * as tf from '@tensorflow/tfjs-core';
import { umseTerms } from '../losses/umse-loss.js';
import { positive, type TensorInput } from '../validate.js';
import { StatMetric, type Metric } from './metric.js';

/** Options of {@link upsnr}. */
export interface UpsnrOptions {
  /** M, the range of the clean signal (1 for [0, 1], 255 for 8-bit). Default 1. */
  dataRange?: number;
}

/**
 * Unsupervised PSNR (Marcos-Morales et al., ICML 2023): uPSNR = 10·log10(M² / uMSE) dB, higher is better,
 * with uMSE over every element given (see `umseLoss` for the inputs: `yTrue` [...S, 3] or [...S, 2]
 * noisy references, `yPred` [...S] the denoised estimate). One value for all the data passed, as uMSE is
 * a consistent estimate only over many pixels: NaN when uMSE < 0 and +Infinity when it is 0 (too little
 * data, or noisier references than the estimate's error). The accumulating form sums the uMSE terms over
 * batches, so it equals one call on all of them.
 */
export function upsnr(yTrue: TensorInput, yPred: TensorInput, { dataRange = 1 }: UpsnrOptions = {}): tf.Tensor {
  positive(dataRange, 'dataRange', 'upsnr');
  return tf.tidy(() => {
    const umse = tf.mean(umseTerms(yTrue, yPred, 'upsnr'));
    return tf.mul(tf.sub(Math.log(dataRange * dataRange), tf.log(umse)), 10 / Math.LN10);
  });
}

/** Accumulating uPSNR over batches: 10·log10(M² · n / Σ uMSE terms) over every element seen. */
export function createUpsnrMetric({ dataRange = 1 }: UpsnrOptions = {}): Metric {
  positive(dataRange, 'dataRange', 'createUpsnrMetric');
  return new StatMetric({
    name: 'upsnr',
    higherIsBetter: true,
    stats: (t, p) => {
      const terms = umseTerms(t, p, 'upsnr');
      return [tf.sum(terms), tf.scalar(terms.size)];
    },
    finalize: ([sum, n]) => 10 * Math.log10((dataRange * dataRange * (n as number)) / (sum as number)),
  });
}
