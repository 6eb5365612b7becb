import * as tf from '@tensorflow/tfjs-core';
import { checkReduction, reduce, type ReductionOptions } from '../reduction.js';
import { asTensor, assertSameShape, type TensorInput } from '../validate.js';

/** Options of {@link msleLoss}. */
export type MsleOptions = ReductionOptions;

/**
 * Mean squared logarithmic error (log(1 + ŷ) − log(1 + y))² (Keras `mean_squared_logarithmic_error`;
 * sklearn `mean_squared_log_error`). Values below 0 count as 0 (Keras clips them; sklearn refuses them),
 * so a negative prediction gets a zero gradient.
 */
export function msleLoss(yTrue: TensorInput, yPred: TensorInput, options: MsleOptions = {}): tf.Tensor {
  const reduction = checkReduction(options.reduction, 'msleLoss');
  return tf.tidy(() => {
    const t = asTensor(yTrue, 'yTrue', 'msleLoss');
    const p = asTensor(yPred, 'yPred', 'msleLoss');
    assertSameShape(t, p, 'msleLoss');
    return reduce(tf.squaredDifference(tf.log1p(tf.relu(p)), tf.log1p(tf.relu(t))), reduction);
  });
}
