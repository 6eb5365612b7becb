import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, ValueError } from '../errors.js';
import { checkReduction, reduce, type ReductionOptions } from '../reduction.js';
import { asTensor, assertSameShape, positive, type TensorInput } from '../validate.js';

/**
 * How δ depends on the diffusion time step t (Khrapov et al. 2024, as implemented in diffusers and
 * sd-scripts):
 * - `constant`: δ(t) = delta.
 * - `exponential`: δ(t) = exp(−α·t) with α = −ln(c)/numTimesteps, so δ(0) = 1 and δ(numTimesteps) = c.
 * - `snr`: δ(t) = (1 − c)/(1 + σ_t)² + c with σ_t = √((1 − ᾱ_t)/ᾱ_t), ᾱ = the noise schedule's
 *   cumulative α product, indexed by the integer t.
 * - a function `(t) => δ`, called once per sample.
 */
export type DeltaSchedule =
  | { kind: 'constant'; delta: number }
  | { kind: 'exponential'; c: number; numTimesteps: number }
  | { kind: 'snr'; c: number; alphasCumprod: ArrayLike<number> }
  | ((t: number) => number);

/** Options of {@link pseudoHuberLoss}. */
export interface PseudoHuberOptions extends ReductionOptions {
  /** Constant δ > 0, used when no `t` is given. Default 1. */
  delta?: number;
  /**
   * Diffusion time step of each sample (axis 0 of the inputs): one number for the whole batch, or a
   * tensor/array of length batch. Requires `schedule`; tensor values are read back (batch numbers).
   */
  t?: number | TensorInput;
  /** δ as a function of `t`; required with `t`. */
  schedule?: DeltaSchedule;
}

const FN = 'pseudoHuberLoss';

/** δ(t) for one time step under a schedule (float64); throws ValueError naming the schedule and t. */
export function scheduledDelta(t: number, schedule: DeltaSchedule, fn = 'scheduledDelta'): number {
  if (!Number.isFinite(t) || t < 0) throw new ValueError(`${fn}: option 't' must hold finite numbers >= 0. Value: ${t}.`);
  let d: number;
  if (typeof schedule === 'function') {
    d = schedule(t);
  } else if (schedule.kind === 'constant') {
    d = positive(schedule.delta, 'schedule.delta', fn);
  } else if (schedule.kind === 'exponential') {
    positive(schedule.c, 'schedule.c', fn);
    positive(schedule.numTimesteps, 'schedule.numTimesteps', fn);
    d = Math.exp((Math.log(schedule.c) / schedule.numTimesteps) * t);
  } else if (schedule.kind === 'snr') {
    const ac = schedule.alphasCumprod;
    if (!(schedule.c >= 0 && schedule.c < 1)) throw new ValueError(`${fn}: option 'schedule.c' must be in [0, 1). Value: ${schedule.c}.`);
    if (!Number.isInteger(t) || t >= ac.length) {
      throw new ValueError(`${fn}: option 't' must hold integer indices into schedule.alphasCumprod (length ${ac.length}). Value: ${t}.`);
    }
    const a = ac[t] as number;
    if (!(a > 0 && a <= 1)) throw new ValueError(`${fn}: option 'schedule.alphasCumprod' must hold values in (0, 1]. Value at ${t}: ${a}.`);
    const sigma = Math.sqrt((1 - a) / a);
    d = (1 - schedule.c) / (1 + sigma) ** 2 + schedule.c;
  } else {
    throw new ValueError(`${fn}: option 'schedule.kind' must be one of constant, exponential, snr (or a function). Value: ${String((schedule as { kind: unknown }).kind)}.`);
  }
  if (!(d > 0 && Number.isFinite(d))) throw new ValueError(`${fn}: schedule gives δ(${t}) = ${d}; δ must be finite and > 0.`);
  return d;
}

/** The δ tensor: a scalar, or [batch, 1, …, 1] for per-sample t. */
function deltaTensor(p: tf.Tensor, delta: number, t: PseudoHuberOptions['t'], schedule: DeltaSchedule | undefined): tf.Tensor {
  if (t === undefined) return tf.scalar(delta);
  if (typeof t === 'number') return tf.scalar(scheduledDelta(t, schedule!, FN));
  const tt = asTensor(t, 't', FN);
  if (tt.rank !== 1 || p.rank < 1 || tt.shape[0] !== p.shape[0]) {
    throw new ShapeError(`${FN}: option 't' must be one number or have shape [batch] = [${p.shape[0] ?? '?'}]. Shape: [${tt.shape}].`, tt.shape, [p.shape[0] ?? -1]);
  }
  const ds = Array.from(tt.dataSync(), (v) => scheduledDelta(v, schedule!, FN));
  return tf.tensor(ds, [ds.length, ...new Array<number>(p.rank - 1).fill(1)]);
}

/**
 * Pseudo-Huber loss δ²(√(1 + (e/δ)²) − 1), e = ŷ − y, with δ constant or δ(t) per sample: the scheduled
 * pseudo-Huber loss of Khrapov et al. 2024, "Improving Diffusion Models's Data-Corruption Resistance
 * using Scheduled Pseudo-Huber Loss" (arXiv:2403.16728). Computed as e²/(1 + √(1 + (e/δ)²)), which is
 * the same number without the cancellation of √(1 + x²) − 1 for small |e|/δ. diffusers' `huber` loss
 * type is 2× this (so that it matches MSE for small errors).
 */
export function pseudoHuberLoss(yTrue: TensorInput, yPred: TensorInput, { delta = 1, t, schedule, ...rest }: PseudoHuberOptions = {}): tf.Tensor {
  positive(delta, 'delta', FN);
  const reduction = checkReduction(rest.reduction, FN);
  if (t !== undefined && schedule === undefined) throw new ValueError(`${FN}: option 't' needs option 'schedule' (δ as a function of t). Value of 'schedule': undefined.`);
  if (t === undefined && schedule !== undefined) throw new ValueError(`${FN}: option 'schedule' needs option 't' (the time step of each sample). Value of 't': undefined.`);
  return tf.tidy(() => {
    const tr = asTensor(yTrue, 'yTrue', FN);
    const p = asTensor(yPred, 'yPred', FN);
    assertSameShape(tr, p, FN);
    const d = deltaTensor(p, delta, t, schedule);
    const e = tf.sub(p, tr);
    return reduce(tf.div(tf.square(e), tf.add(1, tf.sqrt(tf.add(1, tf.square(tf.div(e, d)))))), reduction);
  });
}
