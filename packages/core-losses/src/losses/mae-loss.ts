import * as tf from '@tensorflow/tfjs-core';
import { checkReduction, reduce, type ReductionOptions } from '../reduction.js';
import { asTensor, assertSameShape, type TensorInput } from '../validate.js';

/** Options of {@link maeLoss}. */
export type MaeOptions = ReductionOptions;

/**
 * |x| written as x·sign(x): the same value, but the gradient is sign(x), 0 at x = 0 (as torch.abs),
 * where tf.abs's gradient is −1 at 0. A perfect prediction then gets a zero gradient.
 */
export function absZeroGrad(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.sign(x));
}

/** Mean absolute error |ŷ − y| (Laplace 1774; torch.nn.L1Loss, gradient sign(ŷ − y) with 0 at a tie). */
export function maeLoss(yTrue: TensorInput, yPred: TensorInput, options: MaeOptions = {}): tf.Tensor {
  const reduction = checkReduction(options.reduction, 'maeLoss');
  return tf.tidy(() => {
    const t = asTensor(yTrue, 'yTrue', 'maeLoss');
    const p = asTensor(yPred, 'yPred', 'maeLoss');
    assertSameShape(t, p, 'maeLoss');
    return reduce(absZeroGrad(tf.sub(p, t)), reduction);
  });
}
