import * as tf from '@tensorflow/tfjs-core';
import { positive, type TensorInput } from '../validate.js';
import { asPointCloud, assertSameDim, pairwiseSqDist } from './distillation-utils.js';

/** Options of {@link csDivergence}. */
export interface CsDivergenceOptions {
  /** Bandwidth σ > 0 of the Gaussian kernel exp(−‖x − y‖²/(2σ²)). Default 1. */
  sigma?: number;
}

/** log((1/(N·M)) Σ_ij exp(−d²_ij/(2σ²))) by log-sum-exp: finite even when every kernel value underflows. */
function logMeanKernel(d2: tf.Tensor2D, sigma: number): tf.Tensor {
  return tf.sub(tf.logSumExp(tf.div(d2, -2 * sigma * sigma)), Math.log(d2.size));
}

/**
 * Cauchy–Schwarz divergence between two samples (Príncipe et al. 2000; Jenssen et al. 2006, "The Cauchy–Schwarz
 * divergence and Parzen windowing"; the empirical estimator as in Yin et al. 2024, "Domain Adaptation with
 * Cauchy-Schwarz Divergence"): with a Gaussian kernel k and samples x = yTrue [N, D], y = yPred [M, D],
 *
 *   D_CS = −log( (Σ k(x_i, y_j)/NM)² / ((Σ k(x_i, x_i')/N²)·(Σ k(y_j, y_j')/M²)) ) ≥ 0,
 *
 * zero iff the two kernel mean embeddings are parallel (e.g. identical samples). The Gaussian's normalising
 * constant cancels, and a Parzen window of width σ_p corresponds to σ = √2·σ_p here. Each of the three terms is a
 * log-sum-exp, so small σ or distant samples stay finite. A single number for the pair of samples: no
 * `reduction`. Rank-1 inputs [N] are N points in one dimension.
 */
export function csDivergence(yTrue: TensorInput, yPred: TensorInput, { sigma = 1 }: CsDivergenceOptions = {}): tf.Tensor {
  const fn = 'csDivergence';
  positive(sigma, 'sigma', fn);
  return tf.tidy(() => {
    const x = asPointCloud(yTrue, 'yTrue', fn);
    const y = asPointCloud(yPred, 'yPred', fn);
    assertSameDim(x, y, fn);
    const xy = logMeanKernel(pairwiseSqDist(x, y), sigma);
    const xx = logMeanKernel(pairwiseSqDist(x, x), sigma);
    const yy = logMeanKernel(pairwiseSqDist(y, y), sigma);
    return tf.add(tf.mul(xy, -2), tf.add(xx, yy));
  });
}
