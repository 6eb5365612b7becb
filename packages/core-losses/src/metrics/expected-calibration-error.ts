import * as tf from '@tensorflow/tfjs-core';
import { ValueError } from '../errors.js';
import { checkClassAxis, checkFlag } from '../losses/categorical-cross-entropy.js';
import { asTensor, type TensorInput } from '../validate.js';
import { StatMetric, type Metric } from './metric.js';

/** Options of {@link expectedCalibrationError}. */
export interface EceOptions {
  /** Number of equal-width confidence bins over [0, 1] (an integer ≥ 1). Default 15 (Guo et al.). */
  nBins?: number;
  /** `yPred` holds logits (softmax is applied over the last axis). Default false. */
  fromLogits?: boolean;
}

function checkEceOptions(nBins: unknown, fromLogits: unknown, fn: string): number {
  if (!(typeof nBins === 'number' && Number.isInteger(nBins) && nBins >= 1)) {
    throw new ValueError(`${fn}: option 'nBins' must be an integer >= 1. Value: ${String(nBins)}.`);
  }
  checkFlag(fromLogits, 'fromLogits', fn);
  return nBins;
}

/**
 * Per-bin sufficient statistics [count_b, Σconf_b, Σcorrect_b] (b = 0..nBins−1, concatenated) of top-label
 * predictions: confidence max_c p_c, correct when argmax p equals argmax yTrue. Bin b holds (b/n, (b+1)/n]
 * (Guo et al.'s convention; 0 goes to the first bin). Computed in float64 from float32 inputs.
 */
function binStats(yTrue: TensorInput, yPred: TensorInput, nBins: number, fromLogits: boolean, fn: string): Float64Array {
  const [conf, pred, label] = tf.tidy(() => {
    const t = asTensor(yTrue, 'yTrue', fn);
    const x = asTensor(yPred, 'yPred', fn);
    checkClassAxis(t, x, fn, 2);
    const p = fromLogits ? tf.softmax(x, -1) : x;
    return [tf.max(p, -1), tf.argMax(p, -1), tf.argMax(t, -1)];
  });
  const c = conf.dataSync();
  const pr = pred.dataSync();
  const lb = label.dataSync();
  tf.dispose([conf, pred, label]);
  const stats = new Float64Array(3 * nBins);
  for (let i = 0; i < c.length; i++) {
    const ci = c[i] as number;
    const bin = Math.min(nBins - 1, Math.max(0, Math.ceil(ci * nBins) - 1));
    stats[bin] = (stats[bin] as number) + 1;
    stats[nBins + bin] = (stats[nBins + bin] as number) + ci;
    stats[2 * nBins + bin] = (stats[2 * nBins + bin] as number) + (pr[i] === lb[i] ? 1 : 0);
  }
  return stats;
}

/** ECE = Σ_b (n_b / N)·|acc_b − conf_b| from the per-bin statistics. */
function eceFromStats(stats: Float64Array, nBins: number): number {
  let total = 0;
  for (let b = 0; b < nBins; b++) total += stats[b] as number;
  let ece = 0;
  for (let b = 0; b < nBins; b++) {
    const nb = stats[b] as number;
    if (nb > 0) ece += (nb / total) * Math.abs((stats[2 * nBins + b] as number) / nb - (stats[nBins + b] as number) / nb);
  }
  return ece;
}

/**
 * Expected calibration error of top-label confidences, ECE = Σ_b (|B_b| / N)·|acc(B_b) − conf(B_b)| over
 * `nBins` equal-width bins (Naeini et al., AAAI 2015; Guo et al., "On Calibration of Modern Neural Networks",
 * ICML 2017; bins (lo, hi] as Guo et al.'s code — torchmetrics' MulticlassCalibrationError uses [lo, hi), which only
 * differs for a confidence exactly on an edge). yTrue one-hot (or soft: argmax is the label)
 * and yPred class probabilities (or logits with `fromLogits`) over the last axis, C ≥ 2; every other axis indexes
 * samples. Returns a scalar in [0, 1]; not differentiable; lower is better.
 */
export function expectedCalibrationError(yTrue: TensorInput, yPred: TensorInput, { nBins = 15, fromLogits = false }: EceOptions = {}): tf.Tensor {
  const fn = 'expectedCalibrationError';
  checkEceOptions(nBins, fromLogits, fn);
  const ece = eceFromStats(binStats(yTrue, yPred, nBins, fromLogits, fn), nBins);
  return tf.scalar(ece);
}

/** Accumulating ECE: per-bin counts, confidence sums and hit counts are summed over batches (lower is better). */
export function expectedCalibrationErrorMetric({ nBins = 15, fromLogits = false }: EceOptions = {}): Metric {
  checkEceOptions(nBins, fromLogits, 'expectedCalibrationErrorMetric');
  return new StatMetric({
    name: 'ece',
    higherIsBetter: false,
    stats: (t, p) => Array.from(binStats(t, p, nBins, fromLogits, 'expectedCalibrationError'), (s) => tf.scalar(s)),
    finalize: (stats) => eceFromStats(stats, nBins),
  });
}
