import * as tf from '@tensorflow/tfjs-core';
import { checkReduction, reduce, type ReductionOptions } from '../reduction.js';
import { asTensor, assertSameShape, type TensorInput } from '../validate.js';

/** Options of {@link mseLoss}. */
export type MseOptions = ReductionOptions;

/** Mean squared error (yPred − yTrue)² (Gauss 1809; torch.nn.MSELoss). */
export function mseLoss(yTrue: TensorInput, yPred: TensorInput, options: MseOptions = {}): tf.Tensor {
  const reduction = checkReduction(options.reduction, 'mseLoss');
  return tf.tidy(() => {
    const t = asTensor(yTrue, 'yTrue', 'mseLoss');
    const p = asTensor(yPred, 'yPred', 'mseLoss');
    assertSameShape(t, p, 'mseLoss');
    return reduce(tf.squaredDifference(p, t), reduction);
  });
}
