import * as tf from '@tensorflow/tfjs-core';
import { ValueError } from '../errors.js';
import { checkReduction, reduce, type ReductionOptions } from '../reduction.js';
import { asTensor, assertSameShape, inRange, nonNegative, oneOf, type TensorInput } from '../validate.js';
import { absZeroGrad } from './mae-loss.js';

/**
 * A histogram of training targets: `edges` ascending (B + 1 numbers), `counts[i]` the number of training
 * values in bin i = [edges[i], edges[i + 1]) (the last bin includes its right edge), as numpy.histogram.
 */
export interface FmaeBins {
  edges: number[];
  counts: number[];
}

/** Options of {@link fitFmaeBins}. */
export interface FitFmaeBinsOptions {
  /**
   * Bin count, explicit ascending edges, or 'auto' (numpy's rule: the smaller of the Freedman–Diaconis and
   * Sturges widths, as AirCast's compute_freq.py). Default 'auto'.
   */
  bins?: number | number[] | 'auto';
}

/** Options of {@link fmaeLoss}. */
export interface FmaeOptions extends ReductionOptions {
  /** The training-target histogram, from {@link fitFmaeBins}. Required. */
  bins: FmaeBins;
  /** β in [0, 1) of the class-balanced effective number (1 − βⁿ)/(1 − β). Default 0.8 (AirCast). */
  beta?: number;
  /** Look the bin up from the target (default) or, as the AirCast code does, from the prediction. */
  binBy?: 'target' | 'prediction';
  /**
   * Weight of an element whose bin has no training values (n = 0, where (1 − β)/(1 − βⁿ) is undefined).
   * Default 0, as AirCast: such elements are ignored. With binBy 'target' and bins fitted on the training
   * targets this happens only for new targets that fall in gaps of the training histogram; with binBy
   * 'prediction' it happens whenever a prediction lands in a gap.
   */
  emptyBinWeight?: number;
}

const FN = 'fmaeLoss';

/** All values of a tensor or nested array as float64 numbers (plain numbers keep their float64 digits). */
function valuesOf(x: TensorInput, arg: string, fn: string): number[] {
  if (x instanceof tf.Tensor) return Array.from(x.dataSync());
  if (typeof x === 'number') return [x];
  if (ArrayBuffer.isView(x)) return Array.from(x as unknown as ArrayLike<number>);
  if (Array.isArray(x)) return (x as unknown[]).flat(Infinity) as number[];
  throw new ValueError(`${fn}: argument '${arg}' must be a tensor or nested numeric array.`);
}

/** numpy.percentile's default ('linear') on sorted values. */
function percentile(sorted: number[], q: number): number {
  const h = ((sorted.length - 1) * q) / 100;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return (sorted[lo] as number) + (h - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}

/** Equal-width edges as numpy.linspace(first, last, n + 1): i·step + first, the last set to `last`. */
function linspace(first: number, last: number, n: number): number[] {
  const step = (last - first) / n;
  const edges = Array.from({ length: n + 1 }, (_, i) => i * step + first);
  edges[n] = last;
  return edges;
}

/**
 * Fits the fMAE histogram on training targets (numpy.histogram_bin_edges + numpy.histogram, float64):
 * edges span [min, max] (±0.5 for constant data) unless given; values outside given edges are not counted.
 */
export function fitFmaeBins(targets: TensorInput, { bins = 'auto' }: FitFmaeBinsOptions = {}): FmaeBins {
  const fn = 'fitFmaeBins';
  const data = valuesOf(targets, 'targets', fn);
  if (data.length === 0) throw new ValueError(`${fn}: argument 'targets' must hold at least one value. Value: [].`);
  const bad = data.find((v) => !Number.isFinite(v));
  if (bad !== undefined) throw new ValueError(`${fn}: argument 'targets' must be finite. Value: ${bad}.`);
  let edges: number[];
  if (Array.isArray(bins)) {
    checkEdges(bins, `${fn}: option 'bins'`);
    edges = [...bins];
  } else {
    let lo = Math.min(...data);
    let hi = Math.max(...data);
    if (lo === hi) {
      lo -= 0.5;
      hi += 0.5;
    }
    let n: number;
    if (bins === 'auto') {
      const sorted = [...data].sort((a, b) => a - b);
      const sturges = (hi - lo) / (Math.log2(data.length) + 1);
      const fd = 2 * (percentile(sorted, 75) - percentile(sorted, 25)) * data.length ** (-1 / 3);
      const width = fd > 0 ? Math.min(fd, sturges) : sturges;
      n = width > 0 ? Math.ceil((hi - lo) / width) : 1;
    } else if (Number.isInteger(bins) && bins > 0) {
      n = bins;
    } else {
      throw new ValueError(`${fn}: option 'bins' must be a positive integer, ascending edges or 'auto'. Value: ${JSON.stringify(bins)}.`);
    }
    edges = linspace(lo, hi, n);
  }
  const counts = new Array<number>(edges.length - 1).fill(0);
  const last = edges.length - 1;
  for (const v of data) {
    if (v < (edges[0] as number) || v > (edges[last] as number)) continue;
    let a = 0; // largest i with edges[i] <= v, capped at the last bin
    let b = last;
    while (b - a > 1) {
      const m = (a + b) >> 1;
      if ((edges[m] as number) <= v) a = m;
      else b = m;
    }
    counts[Math.min(a, last - 1)]! += 1;
  }
  return { edges, counts };
}

function checkEdges(edges: unknown, what: string): void {
  const ok = Array.isArray(edges) && edges.length >= 2 && edges.every((e, i) => Number.isFinite(e) && (i === 0 || e > (edges[i - 1] as number)));
  if (!ok) throw new ValueError(`${what} must be at least 2 finite, strictly increasing edges. Value: ${JSON.stringify(edges)}.`);
}

function checkBins(bins: FmaeBins | undefined): FmaeBins {
  if (bins === undefined || bins === null || typeof bins !== 'object') {
    throw new ValueError(`${FN}: option 'bins' is required: the training-target histogram from fitFmaeBins(). Value: ${String(bins)}.`);
  }
  checkEdges(bins.edges, `${FN}: option 'bins.edges'`);
  const { counts } = bins;
  if (!Array.isArray(counts) || counts.length !== bins.edges.length - 1 || !counts.every((c) => Number.isFinite(c) && c >= 0)) {
    throw new ValueError(
      `${FN}: option 'bins.counts' must hold ${bins.edges.length - 1} counts >= 0 (one per bin). Value: ${JSON.stringify(counts)}.`,
    );
  }
  return bins;
}

/** Per-bin weights (1 − β)/(1 − βⁿ), and `empty` for n = 0, in float64. */
export function fmaeBinWeights(counts: readonly number[], beta: number, empty: number): number[] {
  return counts.map((n) => (n === 0 ? empty : (1 - beta) / (1 - beta ** n)));
}

/**
 * Frequency-weighted MAE w·|ŷ − y| (AirCast: Nedungadi et al. 2025, arXiv:2502.17919): w = (1 − β)/(1 − βⁿ),
 * the inverse class-balanced effective number (Cui et al., CVPR 2019) of n, the training count of the
 * histogram bin the value falls in, so rare (extreme) values weigh up to 1 and common ones down to 1 − β.
 * Values outside the edges use the first or last bin. The weights carry no gradient; 'mean' is mean(w·|e|),
 * as AirCast (not divided by Σw). AirCast looks bins up with np.digitize(right=True), which sends the
 * lowest edge to the last bin; here the bins are numpy.histogram's, the ones the counts were made with.
 */
export function fmaeLoss(yTrue: TensorInput, yPred: TensorInput, { bins, beta = 0.8, binBy = 'target', emptyBinWeight = 0, ...rest }: FmaeOptions): tf.Tensor {
  const { edges, counts } = checkBins(bins);
  inRange(beta, 0, 1, 'beta', FN, { hiOpen: true });
  oneOf(binBy, ['target', 'prediction'] as const, 'binBy', FN);
  nonNegative(emptyBinWeight, 'emptyBinWeight', FN);
  const reduction = checkReduction(rest.reduction, FN);
  const table = fmaeBinWeights(counts, beta, emptyBinWeight);
  return tf.tidy(() => {
    const t = asTensor(yTrue, 'yTrue', FN);
    const p = asTensor(yPred, 'yPred', FN);
    assertSameShape(t, p, FN);
    const w = binWeights(binBy === 'target' ? t : p, edges, table);
    return reduce(tf.mul(w, absZeroGrad(tf.sub(p, t))), reduction);
  });
}

/** The weight of each element's bin, as a constant: no gradient flows into the values it was looked up from. */
function binWeights(x: tf.Tensor, edges: number[], table: number[]): tf.Tensor {
  if (table.length === 1) return tf.fill(x.shape, table[0] as number);
  const lookup = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const v = args[0] as tf.Tensor;
    // upperBound counts the interior edges ≤ v: the bin index, clamped to [0, B − 1] at both ends.
    const idx = tf.upperBound(tf.tensor2d([edges.slice(1, -1)]), tf.reshape(v, [1, -1]));
    return { value: tf.reshape(tf.gather(tf.tensor1d(table), tf.reshape(idx, [-1])), v.shape), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
  });
  return lookup(x);
}
