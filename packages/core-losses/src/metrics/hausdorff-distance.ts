import * as tf from '@tensorflow/tfjs-core';
import { ValueError } from '../errors.js';
import { sampleAxes } from '../losses/dice-loss.js';
import { checkReduction, reduce, type ReductionOptions } from '../reduction.js';
import { asTensor, inRange, oneOf, type TensorInput } from '../validate.js';
import { checkThreshold } from './dice-score.js';
import { MeanOfSamplesMetric, type Metric } from './metric.js';

/** Options of {@link hausdorffDistance}. */
export interface HausdorffOptions extends ReductionOptions {
  /** Percentile q ∈ [0, 100] of the surface distances (100 is the classical Hausdorff distance). Default 95. */
  percentile?: number;
  /** Pixel/voxel size: one positive number for every axis, or one per spatial axis. Default 1 (pixel units). */
  spacing?: number | readonly number[];
  /**
   * 'monai' (default): max of the two directed q-th percentiles, max(P_q(d(∂P→∂T)), P_q(d(∂T→∂P))), as MONAI
   * compute_hausdorff_distance(percentile=q) and the BraTS evaluation. 'medpy': the q-th percentile of both directed
   * distance sets pooled, as medpy.metric.binary.hd95.
   */
  convention?: 'monai' | 'medpy';
  /**
   * Value for an image where exactly one of the two masks is empty (no surface to measure from). NaN by default
   * (MONAI gives inf); a number (e.g. a task's maximum distance), or 'diagonal' for the image diagonal
   * √Σ(n_d·s_d)² (BraTS uses 373.13, the 240×240×155 diagonal). Both masks empty always gives 0.
   */
  emptyValue?: number | 'diagonal';
  /** yPred ≥ threshold counts as foreground (yTrue ≥ 0.5). Default 0.5. */
  threshold?: number;
}

/**
 * Percentile Hausdorff distance (HD95 by default) between binary masks, per image of [N, ...spatial] inputs
 * (Huttenlocher et al., TPAMI 1993; the 95th-percentile form of the BraTS / Medical Segmentation Decathlon
 * evaluations). Surfaces are the mask pixels with a background (or out-of-image) neighbour along some axis, i.e.
 * mask XOR binary_erosion(mask) with scipy's default cross structure, as MONAI and medpy; distances are exact
 * Euclidean (Felzenszwalb–Huttenlocher distance transform) in units of `spacing`, from each surface pixel of one
 * mask to the nearest surface pixel of the other; percentiles interpolate linearly (numpy's default).
 * Not differentiable; computed on the CPU in float64 and returned as float32. Lower is better.
 */
export function hausdorffDistance(
  yTrue: TensorInput,
  yPred: TensorInput,
  { percentile = 95, spacing = 1, convention = 'monai', emptyValue = Number.NaN, threshold = 0.5, ...rest }: HausdorffOptions = {},
): tf.Tensor {
  const fn = 'hausdorffDistance';
  checkHausdorffOptions({ percentile, spacing, convention, emptyValue, threshold }, fn);
  const reduction = checkReduction(rest.reduction, fn);
  return tf.tidy(() => {
    const t = asTensor(yTrue, 'yTrue', fn);
    const p = asTensor(yPred, 'yPred', fn);
    sampleAxes(t, p, fn);
    const dims = p.shape.slice(1);
    const sp = typeof spacing === 'number' ? dims.map(() => spacing) : [...spacing];
    if (sp.length !== dims.length) {
      throw new ValueError(`${fn}: option 'spacing' must have one entry per spatial axis (${dims.length} for shape [${p.shape}]). Value: [${sp.join(', ')}].`);
    }
    const tv = t.dataSync();
    const pv = p.dataSync();
    const n = p.shape[0] as number;
    const size = tv.length / n;
    const out = new Float32Array(n);
    const diagonal = Math.sqrt(dims.reduce((acc, d, i) => acc + (d * (sp[i] as number)) ** 2, 0));
    for (let i = 0; i < n; i++) {
      const a = new Uint8Array(size);
      const b = new Uint8Array(size);
      let na = 0;
      let nb = 0;
      for (let j = 0; j < size; j++) {
        a[j] = (tv[i * size + j] as number) >= 0.5 ? 1 : 0;
        b[j] = (pv[i * size + j] as number) >= threshold ? 1 : 0;
        na += a[j] as number;
        nb += b[j] as number;
      }
      if (na === 0 && nb === 0) out[i] = 0;
      else if (na === 0 || nb === 0) out[i] = emptyValue === 'diagonal' ? diagonal : emptyValue;
      else out[i] = percentileHausdorff(a, b, dims, sp, percentile, convention);
    }
    return reduce(tf.tensor1d(out), reduction);
  });
}

/**
 * Accumulating percentile Hausdorff distance: the mean of per-image values over every image seen (lower is better).
 * With the default `emptyValue` NaN, one image with exactly one empty mask makes the mean NaN; pass a number or
 * 'diagonal' to average over such images instead.
 */
export function hausdorffDistanceMetric(options: Omit<HausdorffOptions, 'reduction'> = {}): Metric {
  const { percentile = 95, spacing = 1, convention = 'monai', emptyValue = Number.NaN, threshold = 0.5 } = options;
  checkHausdorffOptions({ percentile, spacing, convention, emptyValue, threshold }, 'hausdorffDistanceMetric');
  return new MeanOfSamplesMetric('hd95', false, (t, p) => hausdorffDistance(t, p, { ...options, reduction: 'none' }));
}

function checkHausdorffOptions(o: Required<Omit<HausdorffOptions, 'reduction'>>, fn: string): void {
  inRange(o.percentile, 0, 100, 'percentile', fn);
  const sp = typeof o.spacing === 'number' ? [o.spacing] : o.spacing;
  if (!Array.isArray(sp) || sp.length === 0 || !sp.every((s) => typeof s === 'number' && s > 0 && Number.isFinite(s))) {
    throw new ValueError(`${fn}: option 'spacing' must be a positive number or an array of positive numbers. Value: ${Array.isArray(o.spacing) ? `[${o.spacing.join(', ')}]` : String(o.spacing)}.`);
  }
  oneOf(o.convention, ['monai', 'medpy'], 'convention', fn);
  if (!(typeof o.emptyValue === 'number' || o.emptyValue === 'diagonal')) {
    throw new ValueError(`${fn}: option 'emptyValue' must be a number or 'diagonal'. Value: ${String(o.emptyValue)}.`);
  }
  checkThreshold(o.threshold, fn);
}

/** Both masks non-empty: the percentile Hausdorff distance between their surfaces. */
function percentileHausdorff(a: Uint8Array, b: Uint8Array, dims: number[], spacing: number[], q: number, convention: 'monai' | 'medpy'): number {
  const ea = surface(a, dims);
  const eb = surface(b, dims);
  const dAtoB = gather(distanceTransform(eb, dims, spacing), ea);
  const dBtoA = gather(distanceTransform(ea, dims, spacing), eb);
  if (convention === 'medpy') return percentileOf(Float64Array.from([...dAtoB, ...dBtoA]), q);
  return Math.max(percentileOf(dAtoB, q), percentileOf(dBtoA, q));
}

function strides(dims: number[]): number[] {
  const s = new Array<number>(dims.length).fill(1);
  for (let d = dims.length - 2; d >= 0; d--) s[d] = (s[d + 1] as number) * (dims[d + 1] as number);
  return s;
}

/** mask XOR erosion(mask) with the cross structure and a background border (scipy binary_erosion defaults). */
export function surface(mask: Uint8Array, dims: number[]): Uint8Array {
  const st = strides(dims);
  const out = new Uint8Array(mask.length);
  for (let j = 0; j < mask.length; j++) {
    if (!mask[j]) continue;
    for (let d = 0; d < dims.length; d++) {
      const coord = Math.floor(j / (st[d] as number)) % (dims[d] as number);
      if (coord === 0 || coord === (dims[d] as number) - 1 || !mask[j - (st[d] as number)] || !mask[j + (st[d] as number)]) {
        out[j] = 1;
        break;
      }
    }
  }
  return out;
}

/**
 * Exact Euclidean distance from every grid point to the nearest feature point (feature[j] = 1), with anisotropic
 * spacing: Felzenszwalb & Huttenlocher's separable lower-envelope algorithm ("Distance Transforms of Sampled
 * Functions", Theory of Computing 2012), one axis at a time on squared distances. Infinity where there is no feature.
 */
export function distanceTransform(feature: Uint8Array, dims: number[], spacing: number[]): Float64Array {
  const f = new Float64Array(feature.length);
  for (let j = 0; j < f.length; j++) f[j] = feature[j] ? 0 : Infinity;
  const st = strides(dims);
  const maxLen = Math.max(...dims);
  const line = new Float64Array(maxLen);
  const res = new Float64Array(maxLen);
  const v = new Int32Array(maxLen);
  const zb = new Float64Array(maxLen + 1);
  for (let d = 0; d < dims.length; d++) {
    const len = dims[d] as number;
    const step = st[d] as number;
    const w = (spacing[d] as number) ** 2;
    for (let start = 0; start < f.length; start++) {
      if (Math.floor(start / step) % len !== 0) continue; // visit each line along axis d once, from its first point
      for (let q = 0; q < len; q++) line[q] = f[start + q * step] as number;
      lowerEnvelope(line, len, w, res, v, zb);
      for (let q = 0; q < len; q++) f[start + q * step] = res[q] as number;
    }
  }
  for (let j = 0; j < f.length; j++) f[j] = Math.sqrt(f[j] as number);
  return f;
}

/** 1-D squared distance transform res[q] = min_p w·(q − p)² + g[p] (parabolas' lower envelope; infinite g skipped). */
function lowerEnvelope(g: Float64Array, n: number, w: number, res: Float64Array, v: Int32Array, zb: Float64Array): void {
  let k = -1;
  for (let q = 0; q < n; q++) {
    const gq = g[q] as number;
    if (gq === Infinity) continue;
    if (k < 0) {
      k = 0;
      v[0] = q;
      zb[0] = -Infinity;
      zb[1] = Infinity;
      continue;
    }
    let s: number;
    for (;;) {
      const r = v[k] as number;
      s = (gq + w * q * q - ((g[r] as number) + w * r * r)) / (2 * w * (q - r));
      if (s <= (zb[k] as number)) k--;
      else break;
    }
    k++;
    v[k] = q;
    zb[k] = s;
    zb[k + 1] = Infinity;
  }
  if (k < 0) {
    res.fill(Infinity, 0, n);
    return;
  }
  let j = 0;
  for (let q = 0; q < n; q++) {
    while ((zb[j + 1] as number) < q) j++;
    const r = v[j] as number;
    res[q] = w * (q - r) * (q - r) + (g[r] as number);
  }
}

function gather(values: Float64Array, mask: Uint8Array): Float64Array {
  const out: number[] = [];
  for (let j = 0; j < mask.length; j++) if (mask[j]) out.push(values[j] as number);
  return Float64Array.from(out);
}

/** numpy.percentile with linear interpolation: sorted[(n − 1)·q/100], interpolated between neighbours. */
export function percentileOf(values: Float64Array, q: number): number {
  const s = Float64Array.from(values).sort();
  const pos = ((s.length - 1) * q) / 100;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  return (s[lo] as number) + ((s[hi] as number) - (s[lo] as number)) * (pos - lo);
}
