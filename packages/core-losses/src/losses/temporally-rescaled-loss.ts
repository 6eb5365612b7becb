import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, ValueError } from '../errors.js';
import { checkReduction, reduce, type ReductionOptions } from '../reduction.js';
import { asTensor, assertSameShape, oneOf, type TensorInput } from '../validate.js';
import { absZeroGrad } from './mae-loss.js';

/** Options of {@link temporallyRescaledLoss}. */
export interface TemporallyRescaledOptions extends ReductionOptions {
  /** Exponent p of the weights ((t + 1)/(T + 1))^p; p > 0 stresses late steps (long memory). Default 2. */
  power?: number;
  /** Explicit weights per time step (≥ 0, not all 0), used instead of `power`; normalised to mean 1. */
  weights?: ArrayLike<number>;
  /** The time axis of the inputs (negative counts from the end). Default 1: [batch, time, ...]. */
  timeAxis?: number;
  /** Error of the rescaled values: 'squared' ((w·e)², the paper's) or 'absolute' (w·|e|). Default 'squared'. */
  error?: 'squared' | 'absolute';
}

const FN = 'temporallyRescaledLoss';

/** The time weights: ((t + 1)/(T + 1))^power for t = 0 … T − 1, or `weights`, normalised to mean 1 (float64). */
export function temporalWeights(steps: number, { power = 2, weights }: Pick<TemporallyRescaledOptions, 'power' | 'weights'> = {}, fn = 'temporalWeights'): number[] {
  let w: number[];
  if (weights !== undefined) {
    w = Array.from(weights);
    if (w.length === 0 || !w.every((v) => Number.isFinite(v) && v >= 0) || !w.some((v) => v > 0)) {
      throw new ValueError(`${fn}: option 'weights' must hold finite numbers >= 0, not all 0. Value: ${JSON.stringify(w)}.`);
    }
    if (w.length !== steps) {
      throw new ShapeError(`${fn}: option 'weights' has ${w.length} entries but the time axis has ${steps} steps.`, [w.length], [steps]);
    }
  } else {
    if (!Number.isFinite(power)) throw new ValueError(`${fn}: option 'power' must be a finite number. Value: ${power}.`);
    w = Array.from({ length: steps }, (_, t) => ((t + 1) / (steps + 1)) ** power);
  }
  const mean = w.reduce((a, b) => a + b, 0) / steps;
  return w.map((v) => v / mean);
}

/**
 * Temporally rescaled error (Wang & Yan 2023, "Improve Long-term Memory Learning Through Rescaling the
 * Error Temporally", arXiv:2307.11462): prediction and target are multiplied by time weights
 * w_t = ((t + 1)/(T + 1))^p, normalised to mean 1, before the error, so the squared error at step t counts
 * w_t² times (their `twe_MSE`). Up-weighting late steps counters the bias of MSE/MAE towards short-term memory.
 */
export function temporallyRescaledLoss(
  yTrue: TensorInput,
  yPred: TensorInput,
  { power = 2, weights, timeAxis = 1, error = 'squared', ...rest }: TemporallyRescaledOptions = {},
): tf.Tensor {
  oneOf(error, ['squared', 'absolute'] as const, 'error', FN);
  if (!Number.isInteger(timeAxis)) throw new ValueError(`${FN}: option 'timeAxis' must be an integer. Value: ${timeAxis}.`);
  const reduction = checkReduction(rest.reduction, FN);
  return tf.tidy(() => {
    const t = asTensor(yTrue, 'yTrue', FN);
    const p = asTensor(yPred, 'yPred', FN);
    assertSameShape(t, p, FN);
    if (timeAxis < -p.rank || timeAxis >= p.rank) {
      throw new ShapeError(`${FN}: 'yPred' [${p.shape}] has no axis ${timeAxis} (option 'timeAxis'; inputs are [batch, time, ...] by default).`, p.shape, [-1, -1]);
    }
    const axis = timeAxis < 0 ? timeAxis + p.rank : timeAxis;
    const steps = p.shape[axis] as number;
    const w = tf.tensor(temporalWeights(steps, { power, weights }, FN), [steps, ...new Array<number>(p.rank - axis - 1).fill(1)]);
    const e = tf.mul(w, tf.sub(p, t));
    return reduce(error === 'squared' ? tf.square(e) : absZeroGrad(e), reduction);
  });
}
