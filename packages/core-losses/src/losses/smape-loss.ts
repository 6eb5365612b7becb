import * as tf from '@tensorflow/tfjs-core';
import { checkReduction, reduce, type ReductionOptions } from '../reduction.js';
import { asTensor, assertSameShape, positive, type TensorInput } from '../validate.js';
import { absZeroGrad } from './mae-loss.js';

/** Options of {@link smapeLoss}. */
export interface SmapeOptions extends ReductionOptions {
  /** Floor ε > 0 on |y| + |ŷ|, so y = ŷ = 0 gives 0 instead of 0/0. Default 1e-7. */
  eps?: number;
  /** Multiply by 100 (the M4 competition's percentage) instead of returning a value in [0, 2]. Default false. */
  percent?: boolean;
}

/**
 * Symmetric mean absolute percentage error 2|ŷ − y| / (|y| + |ŷ|) (Makridakis 1993, as in the M4
 * competition: Makridakis et al. 2020), bounded by 2; 0 where y = ŷ = 0.
 */
export function smapeLoss(yTrue: TensorInput, yPred: TensorInput, { eps = 1e-7, percent = false, ...rest }: SmapeOptions = {}): tf.Tensor {
  positive(eps, 'eps', 'smapeLoss');
  const reduction = checkReduction(rest.reduction, 'smapeLoss');
  return tf.tidy(() => {
    const t = asTensor(yTrue, 'yTrue', 'smapeLoss');
    const p = asTensor(yPred, 'yPred', 'smapeLoss');
    assertSameShape(t, p, 'smapeLoss');
    const denominator = tf.maximum(tf.add(absZeroGrad(t), absZeroGrad(p)), eps);
    const v = tf.div(tf.mul(2, absZeroGrad(tf.sub(p, t))), denominator);
    return reduce(percent ? tf.mul(v, 100) : v, reduction);
  });
}
