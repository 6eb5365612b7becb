import * as tf from '@tensorflow/tfjs-core';
import { checkReduction, reduce, type ReductionOptions } from '../reduction.js';
import { asTensor, assertSameShape, inRange, type TensorInput } from '../validate.js';

/** Options of {@link quantileLoss}. */
export interface QuantileOptions extends ReductionOptions {
  /** Quantile level τ in (0, 1). Default 0.5 (then the loss is half the absolute error). */
  tau?: number;
}

/**
 * Quantile (pinball) loss max(τ·u, (τ − 1)·u) with u = y − ŷ (Koenker & Bassett, Econometrica 1978):
 * its minimiser is the τ-quantile of y. Gradient in ŷ: −τ where ŷ ≤ y, 1 − τ where ŷ > y.
 */
export function quantileLoss(yTrue: TensorInput, yPred: TensorInput, { tau = 0.5, ...rest }: QuantileOptions = {}): tf.Tensor {
  inRange(tau, 0, 1, 'tau', 'quantileLoss', { loOpen: true, hiOpen: true });
  const reduction = checkReduction(rest.reduction, 'quantileLoss');
  return tf.tidy(() => {
    const t = asTensor(yTrue, 'yTrue', 'quantileLoss');
    const p = asTensor(yPred, 'yPred', 'quantileLoss');
    assertSameShape(t, p, 'quantileLoss');
    const u = tf.sub(t, p);
    return reduce(tf.where(tf.greaterEqual(u, 0), tf.mul(tau, u), tf.mul(tau - 1, u)), reduction);
  });
}
