import * as tf from '@tensorflow/tfjs-core';
import { ValueError } from '../errors.js';
import { checkReduction, reduce } from '../reduction.js';
import type { TensorInput } from '../validate.js';
import { MeanOfSamplesMetric, type Metric } from './metric.js';
import { imagePair, ssimMaps, ssimSettings, toPlanes, type SsimOptions, type SsimSettings } from './ssim.js';

/** The five scale weights of Wang, Simoncelli & Bovik 2003 (finest scale first). */
export const MS_SSIM_WEIGHTS: readonly number[] = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333];

/** Options of {@link msSsim} and {@link msSsimLoss}: those of SSIM plus the scale weights. */
export interface MsSsimOptions extends SsimOptions {
  /** One exponent per scale, finest first; the number of scales M is their count. Default {@link MS_SSIM_WEIGHTS}. */
  weights?: readonly number[];
}

function checkWeights(weights: unknown, fn: string): readonly number[] {
  if (!Array.isArray(weights) || weights.length === 0 || !weights.every((w) => typeof w === 'number' && Number.isFinite(w) && w >= 0)) {
    throw new ValueError(`${fn}: option 'weights' must be a non-empty array of finite numbers >= 0. Value: ${JSON.stringify(weights)}.`);
  }
  return weights as number[];
}

/** The smallest image side MS-SSIM accepts: the window must fit at the coarsest scale, k·2^(M−1) (176 by default). */
export function msSsimMinSide(options: Pick<MsSsimOptions, 'sigma' | 'weights'> = {}): number {
  const weights = checkWeights(options.weights ?? MS_SSIM_WEIGHTS, 'msSsimMinSide');
  return ssimSettings({ sigma: options.sigma }, 'msSsimMinSide').taps.length * 2 ** (weights.length - 1);
}

/** relu(v)^w with a zero (not NaN) gradient where v ≤ 0: pow's derivative w·v^(w−1) is infinite at 0. */
function reluPow(v: tf.Tensor, w: number): tf.Tensor {
  // step (1 where v > 0) has a zero gradient; comparison ops such as greater have none in TF.js.
  return tf.mul(tf.step(v), tf.pow(tf.maximum(v, 1e-30), w));
}

/** Per-image MS-SSIM [N] of NHWC batches. */
function msSsimPerImage(t: tf.Tensor, p: tf.Tensor, s: SsimSettings, weights: readonly number[]): tf.Tensor1D {
  const [n, , , c] = t.shape as [number, number, number, number];
  let x = toPlanes(t);
  let y = toPlanes(p);
  let product: tf.Tensor = tf.ones([n * c]);
  for (let j = 0; j < weights.length; j++) {
    const last = j === weights.length - 1;
    const maps = ssimMaps(x, y, s);
    product = tf.mul(product, reluPow(tf.mean(last ? maps.ssim : maps.cs, [1, 2, 3]), weights[j]!)); // [N·C]
    if (!last) {
      // 2x2 average pooling, stride 2, 'valid': an odd last row / column is dropped.
      const pooled = tf.avgPool(tf.concat([x, y], 0), 2, 2, 'valid');
      [x, y] = tf.split(pooled, 2, 0) as [tf.Tensor4D, tf.Tensor4D];
    }
  }
  return tf.mean(tf.reshape(product, [n, c]), 1) as tf.Tensor1D;
}

function prepare(options: MsSsimOptions, fn: string) {
  const reduction = checkReduction(options.reduction, fn);
  const weights = checkWeights(options.weights ?? MS_SSIM_WEIGHTS, fn);
  const s = ssimSettings(options, fn);
  return { reduction, weights, s, minSide: s.taps.length * 2 ** (weights.length - 1) };
}

/**
 * MS-SSIM, multi-scale structural similarity (Wang, Simoncelli & Bovik, Asilomar 2003), higher is better:
 * MS-SSIM = Π_{j<M} relu(mean cs_j)^{w_j} · relu(mean SSIM_M)^{w_M}, where cs_j is the contrast-structure
 * map (2σxy + C2)/(σx² + σy² + C2) at scale j and SSIM_M the full SSIM map (luminance × cs) at the
 * coarsest scale; scales are separated by 2x2 average pooling. Defaults: 5 scales with weights
 * [0.0448, 0.2856, 0.3001, 0.2363, 0.1333], Gaussian window σ 1.5 (11×11), K1 0.01, K2 0.03, R = `dataRange`.
 * Each scale uses SSIM's conventions (see `ssim`: valid region only, per-channel, channels averaged after
 * the product). Negative means are clamped to 0 (relu, as pytorch_msssim and tf.image.ssim_multiscale)
 * so fractional powers stay real. Minimum image side: k·2^(M−1), 176 by default (11 pixels left at the
 * fifth scale; implementations that pad odd sizes while pooling accept 161); smaller images throw ValueError.
 * Inputs NHWC [N,H,W,C]; `reduction: 'none'` gives per-image values [N].
 */
export function msSsim(yTrue: TensorInput, yPred: TensorInput, options: MsSsimOptions = {}): tf.Tensor {
  const { reduction, weights, s, minSide } = prepare(options, 'msSsim');
  return tf.tidy(() => {
    const [t, p] = imagePair(yTrue, yPred, minSide, 'msSsim', `a ${s.taps.length}x${s.taps.length} window after ${weights.length - 1} halvings`);
    return reduce(msSsimPerImage(t, p, s, weights), reduction);
  });
}

/** MS-SSIM loss 1 − MS-SSIM per image (see {@link msSsim}; Zhao et al., IEEE TCI 2017). */
export function msSsimLoss(yTrue: TensorInput, yPred: TensorInput, options: MsSsimOptions = {}): tf.Tensor {
  const { reduction, weights, s, minSide } = prepare(options, 'msSsimLoss');
  return tf.tidy(() => {
    const [t, p] = imagePair(yTrue, yPred, minSide, 'msSsimLoss', `a ${s.taps.length}x${s.taps.length} window after ${weights.length - 1} halvings`);
    return reduce(tf.sub(1, msSsimPerImage(t, p, s, weights)), reduction);
  });
}

/** Accumulating MS-SSIM: the mean of per-image MS-SSIM over every image seen (higher is better). */
export function createMsSsimMetric(options: Omit<MsSsimOptions, 'reduction'> = {}): Metric {
  prepare(options, 'createMsSsimMetric');
  return new MeanOfSamplesMetric('ms_ssim', true, (t, p) => msSsim(t, p, { ...options, reduction: 'none' }));
}
