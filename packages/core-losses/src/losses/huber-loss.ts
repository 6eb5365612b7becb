import * as tf from '@tensorflow/tfjs-core';
import { checkReduction, reduce, type ReductionOptions } from '../reduction.js';
import { asTensor, assertSameShape, positive, type TensorInput } from '../validate.js';
import { absZeroGrad } from './mae-loss.js';

/** Options of {@link huberLoss}. */
export interface HuberOptions extends ReductionOptions {
  /** Threshold δ > 0 where the quadratic part turns linear. Default 1. */
  delta?: number;
}

/** Huber loss ½e² for |e| ≤ δ, δ(|e| − ½δ) beyond, e = ŷ − y (Huber, Ann. Math. Stat. 1964; torch.nn.HuberLoss). */
export function huberLoss(yTrue: TensorInput, yPred: TensorInput, { delta = 1, ...rest }: HuberOptions = {}): tf.Tensor {
  positive(delta, 'delta', 'huberLoss');
  const reduction = checkReduction(rest.reduction, 'huberLoss');
  return tf.tidy(() => {
    const t = asTensor(yTrue, 'yTrue', 'huberLoss');
    const p = asTensor(yPred, 'yPred', 'huberLoss');
    assertSameShape(t, p, 'huberLoss');
    const e = tf.sub(p, t);
    const a = absZeroGrad(e);
    const quadratic = tf.mul(0.5, tf.square(e));
    const linear = tf.mul(delta, tf.sub(a, 0.5 * delta));
    // greaterEqual: the one tfjs comparison with a registered (zero) gradient; lessEqual has none.
    return reduce(tf.where(tf.greaterEqual(delta, a), quadratic, linear), reduction);
  });
}
