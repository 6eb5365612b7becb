import * as tf from '@tensorflow/tfjs-core';
import { ValueError } from '../errors.js';
import { checkReduction, reduce, type ReductionOptions } from '../reduction.js';
import { asTensor, assertRank, assertSameShape, positive, type TensorInput } from '../validate.js';
import { MeanOfSamplesMetric, type Metric } from './metric.js';

/** Options of {@link ssim} and {@link ssimLoss}. */
export interface SsimOptions extends ReductionOptions {
  /** R, the distance between the smallest and largest possible pixel value (1 for [0, 1], 255 for 8-bit). Default 1. */
  dataRange?: number;
  /** σ of the Gaussian window in pixels; the window has 2·⌊3.5σ + 0.5⌋ + 1 taps (11 at the default 1.5), as skimage. */
  sigma?: number;
  /** K1 in C1 = (K1·R)². Default 0.01. */
  k1?: number;
  /** K2 in C2 = (K2·R)². Default 0.03. */
  k2?: number;
}

/** SSIM settings after validation, with the window taps. */
export interface SsimSettings {
  dataRange: number;
  k1: number;
  k2: number;
  /** Normalised 1-D Gaussian taps (float64 values, rounded to float32 when used). */
  taps: number[];
}

/** Normalised 1-D Gaussian taps with scipy.ndimage's radius ⌊3.5σ + 0.5⌋ (skimage's SSIM window). */
export function gaussianTaps(sigma: number): number[] {
  const r = Math.floor(3.5 * sigma + 0.5);
  const w = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-0.5 * ((i - r) / sigma) ** 2));
  const total = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / total);
}

/** Validates SSIM options (before any tensor work) and builds the window. */
export function ssimSettings({ dataRange = 1, sigma = 1.5, k1 = 0.01, k2 = 0.03 }: SsimOptions, fn: string): SsimSettings {
  positive(dataRange, 'dataRange', fn);
  positive(sigma, 'sigma', fn);
  positive(k1, 'k1', fn);
  positive(k2, 'k2', fn);
  return { dataRange, k1, k2, taps: gaussianTaps(sigma) };
}

/** [N,H,W,C] → [N·C,H,W,1]: every channel becomes a single-channel plane, so one conv filters them all. */
export function toPlanes(x: tf.Tensor): tf.Tensor4D {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  return tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [n * c, h, w, 1]);
}

/**
 * Separable 'valid' Gaussian filter of planes [B,H,W,1]: a k×1 then a 1×k `tf.conv2d`. Plain conv2d
 * (not depthwiseConv2d, whose input gradient the wasm backend lacks) on single-channel planes runs on
 * every backend, and a fast conv2d kernel (e.g. ONNX Runtime) speeds SSIM up without changes here.
 * 'valid' keeps exactly the pixels whose window lies inside the image: skimage's crop of (k−1)/2.
 */
export function gaussianFilter(x: tf.Tensor4D, taps: readonly number[]): tf.Tensor4D {
  const k = taps.length;
  const vertical = tf.tensor4d(Float32Array.from(taps), [k, 1, 1, 1]);
  const horizontal = tf.tensor4d(Float32Array.from(taps), [1, k, 1, 1]);
  return tf.conv2d(tf.conv2d(x, vertical, 1, 'valid'), horizontal, 1, 'valid');
}

/**
 * SSIM and contrast-structure maps of planes x, y [B,H,W,1] over the valid region [B,H−k+1,W−k+1,1]
 * (Wang et al. 2004, population covariances):
 * l = (2μxμy + C1)/(μx² + μy² + C1), cs = (2σxy + C2)/(σx² + σy² + C2), SSIM = l·cs.
 * The five local moments go through one filter call, stacked along the batch axis.
 */
export function ssimMaps(x: tf.Tensor4D, y: tf.Tensor4D, s: SsimSettings): { ssim: tf.Tensor4D; cs: tf.Tensor4D } {
  const moments = gaussianFilter(tf.concat([x, y, tf.mul(x, x), tf.mul(y, y), tf.mul(x, y)], 0) as tf.Tensor4D, s.taps);
  const [mx, my, mxx, myy, mxy] = tf.split(moments, 5, 0) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
  const mx2 = tf.square(mx);
  const my2 = tf.square(my);
  const mxmy = tf.mul(mx, my);
  const c1 = (s.k1 * s.dataRange) ** 2;
  const c2 = (s.k2 * s.dataRange) ** 2;
  const variances = tf.sub(tf.add(mxx, myy), tf.add(mx2, my2)); // σx² + σy²
  const covariance = tf.sub(mxy, mxmy);
  const cs = tf.div(tf.add(tf.mul(covariance, 2), c2), tf.add(variances, c2)) as tf.Tensor4D;
  const luminance = tf.div(tf.add(tf.mul(mxmy, 2), c1), tf.add(tf.add(mx2, my2), c1));
  return { ssim: tf.mul(luminance, cs) as tf.Tensor4D, cs };
}

/** Checks yTrue / yPred are same-shaped NHWC batches with H and W ≥ `minSide`; returns them as tensors. */
export function imagePair(yTrue: TensorInput, yPred: TensorInput, minSide: number, fn: string, why: string): [tf.Tensor, tf.Tensor] {
  const t = asTensor(yTrue, 'yTrue', fn);
  const p = asTensor(yPred, 'yPred', fn);
  assertSameShape(t, p, fn);
  assertRank(p, 4, 'yPred', fn);
  const [, h, w] = p.shape as [number, number, number, number];
  if (h < minSide || w < minSide) {
    throw new ValueError(`${fn}: images must be at least ${minSide}x${minSide} pixels (${why}). Shape [N,H,W,C]: [${p.shape}].`);
  }
  return [t, p];
}

/** Per-image SSIM [N] of NHWC batches: the SSIM map averaged over the valid region and the channels. */
export function ssimPerImage(t: tf.Tensor, p: tf.Tensor, s: SsimSettings): tf.Tensor1D {
  const n = t.shape[0] as number;
  const { ssim: map } = ssimMaps(toPlanes(t), toPlanes(p), s);
  return tf.mean(tf.reshape(map, [n, -1]), 1) as tf.Tensor1D;
}

/**
 * SSIM, structural similarity (Wang, Bovik, Sheikh & Simoncelli, IEEE TIP 2004), higher is better:
 * SSIM = mean over pixels and channels of (2μxμy + C1)(2σxy + C2) / ((μx² + μy² + C1)(σx² + σy² + C2)),
 * with Gaussian-weighted local statistics (σ 1.5, 11×11), C1 = (0.01·R)², C2 = (0.03·R)².
 * Inputs are NHWC batches [N,H,W,C] (TF.js images); each channel is compared on its own and the
 * per-channel values averaged. As skimage.metrics.structural_similarity(gaussian_weights=True,
 * sigma=1.5, use_sample_covariance=False, data_range=R), the mean runs only over pixels whose window lies
 * inside the image (a border of (k−1)/2 = 5 pixels is left out), so images need H, W ≥ 11.
 * `reduction: 'none'` gives the per-image values [N]; 'mean' (default) and 'sum' reduce them.
 */
export function ssim(yTrue: TensorInput, yPred: TensorInput, options: SsimOptions = {}): tf.Tensor {
  const reduction = checkReduction(options.reduction, 'ssim');
  const s = ssimSettings(options, 'ssim');
  return tf.tidy(() => {
    const [t, p] = imagePair(yTrue, yPred, s.taps.length, 'ssim', `the ${s.taps.length}x${s.taps.length} Gaussian window`);
    return reduce(ssimPerImage(t, p, s), reduction);
  });
}

/** SSIM loss 1 − SSIM per image (see {@link ssim}; Zhao et al., IEEE TCI 2017 "Loss functions for image restoration"). */
export function ssimLoss(yTrue: TensorInput, yPred: TensorInput, options: SsimOptions = {}): tf.Tensor {
  const reduction = checkReduction(options.reduction, 'ssimLoss');
  const s = ssimSettings(options, 'ssimLoss');
  return tf.tidy(() => {
    const [t, p] = imagePair(yTrue, yPred, s.taps.length, 'ssimLoss', `the ${s.taps.length}x${s.taps.length} Gaussian window`);
    return reduce(tf.sub(1, ssimPerImage(t, p, s)), reduction);
  });
}

/** Accumulating SSIM: the mean of per-image SSIM over every image seen (higher is better). */
export function createSsimMetric(options: Omit<SsimOptions, 'reduction'> = {}): Metric {
  ssimSettings(options, 'createSsimMetric');
  return new MeanOfSamplesMetric('ssim', true, (t, p) => ssim(t, p, { ...options, reduction: 'none' }));
}
