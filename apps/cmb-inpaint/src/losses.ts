// The training loss of the inpainting network: α(1 − SSIM) + (1 − α)·MSE on the output faces, both
// terms from the core-losses registry ('ssim' is 1 − SSIM, 'mse' the mean squared error).
import * as tf from '@tensorflow/tfjs';
import { getLoss, ValueError } from '@lossworks/core-losses';
import type { LossTerm } from '@lossworks/core-train';

/** Options of the composite loss. */
export interface CompositeLossOptions {
  /** Weight α of 1 − SSIM, in [0, 1]; MSE gets 1 − α. */
  alpha: number;
  /** SSIM data range R of the (normalised) maps. */
  dataRange: number;
}

function check({ alpha, dataRange }: CompositeLossOptions, fn: string): void {
  if (!(alpha >= 0 && alpha <= 1)) throw new ValueError(`${fn}: 'alpha' must be in [0, 1]. Value: ${alpha}.`);
  if (!(dataRange > 0)) throw new ValueError(`${fn}: 'dataRange' must be > 0. Value: ${dataRange}.`);
}

/** The loss as core-train terms ('ssim' weight α, 'mse' weight 1 − α; a zero-weight term is left out). */
export function lossTerms(options: CompositeLossOptions): LossTerm[] {
  check(options, 'lossTerms');
  const terms: LossTerm[] = [];
  if (options.alpha > 0) terms.push({ name: 'ssim', loss: 'ssim', weight: options.alpha, options: { dataRange: options.dataRange } });
  if (options.alpha < 1) terms.push({ name: 'mse', loss: 'mse', weight: 1 - options.alpha });
  return terms;
}

/** α(1 − SSIM(yTrue, yPred)) + (1 − α)·MSE(yTrue, yPred) on NHWC batches (scalar, mean over images). */
export function compositeLoss(yTrue: tf.Tensor, yPred: tf.Tensor, options: CompositeLossOptions): tf.Tensor {
  check(options, 'compositeLoss');
  const ssim = getLoss('ssim').fn as (t: tf.Tensor, p: tf.Tensor, o?: object) => tf.Tensor;
  const mse = getLoss('mse').fn as (t: tf.Tensor, p: tf.Tensor, o?: object) => tf.Tensor;
  const { alpha, dataRange } = options;
  return tf.tidy(() => tf.add(tf.mul(ssim(yTrue, yPred, { dataRange }), alpha), tf.mul(mse(yTrue, yPred), 1 - alpha)));
}
