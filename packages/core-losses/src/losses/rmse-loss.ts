import * as tf from '@tensorflow/tfjs-core';
import { ValueError } from '../errors.js';
import { checkReduction, reduce, type ReductionOptions } from '../reduction.js';
import { asTensor, assertSameShape, type TensorInput } from '../validate.js';

/** Options of {@link rmseLoss}. */
export interface RmseOptions extends ReductionOptions {
  /**
   * Axes the root mean square is taken over (negative counts from the end). Default: every axis, so the
   * result is one number; e.g. `axis: [1, 2]` on [batch, h, w] gives one RMSE per sample, then `reduction`
   * averages ('mean'), adds ('sum') or keeps ('none') those.
   */
  axis?: number | number[];
}

/**
 * √x for x ≥ 0 with the gradient 1/(2√x) where x > 0 and 0 at x = 0. tf.sqrt's gradient is ∞ at 0, which
 * turns a perfect prediction into NaN updates; 0 is the subgradient of the RMSE there. Written as the
 * "double where" (no customGrad: its save() trips tfjs's IS_TEST leak check on wasm, and a closure over x
 * reads a tensor the caller's tidy has already disposed).
 */
export function sqrtZeroGrad(x: tf.Tensor): tf.Tensor {
  const zero = tf.greaterEqual(0, x); // greaterEqual: the comparison with a registered (zero) gradient
  const safe = tf.where(zero, tf.onesLike(x), x); // √ never sees 0, so its gradient stays finite
  return tf.where(zero, tf.zerosLike(x), tf.sqrt(safe));
}

/** Validates an axis option against a rank; returns the axes as non-negative, sorted, unique. */
export function normalizeAxes(axis: number | number[] | undefined, rank: number, option: string, fn: string): number[] {
  if (axis === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = Array.isArray(axis) ? axis : [axis];
  const out = new Set<number>();
  for (const a of list) {
    if (!Number.isInteger(a) || a < -rank || a >= rank) {
      throw new ValueError(`${fn}: option '${option}' must hold integers in [${-rank}, ${rank - 1}] for rank-${rank} inputs. Value: ${JSON.stringify(axis)}.`);
    }
    out.add(a < 0 ? a + rank : a);
  }
  return [...out].sort((a, b) => a - b);
}

/** Root mean squared error √(mean over `axis` of (ŷ − y)²) (torch.sqrt(MSELoss); gradient 0 at a perfect fit). */
export function rmseLoss(yTrue: TensorInput, yPred: TensorInput, { axis, ...rest }: RmseOptions = {}): tf.Tensor {
  const reduction = checkReduction(rest.reduction, 'rmseLoss');
  return tf.tidy(() => {
    const t = asTensor(yTrue, 'yTrue', 'rmseLoss');
    const p = asTensor(yPred, 'yPred', 'rmseLoss');
    assertSameShape(t, p, 'rmseLoss');
    const axes = normalizeAxes(axis, p.rank, 'axis', 'rmseLoss');
    return reduce(sqrtZeroGrad(tf.mean(tf.squaredDifference(p, t), axes)), reduction);
  });
}
