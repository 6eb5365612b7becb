import * as tf from '@tensorflow/tfjs-core';
import { checkReduction, reduce, type ReductionOptions } from '../reduction.js';
import { asTensor, assertSameShape, type TensorInput } from '../validate.js';

/** Options of {@link madlLoss}. */
export type MadlOptions = ReductionOptions;

/**
 * Mean Absolute Directional Loss −sign(R·R̂)·|R| with R the realised and R̂ the predicted return
 * (Michańków, Sakowski & Ślepaczuk 2023, "Mean Absolute Directional Loss as a new loss function for
 * machine learning problems in algorithmic investment strategies", arXiv:2309.10546): minus the return
 * earned by trading the predicted direction. Piecewise constant in R̂: its gradient is 0 almost
 * everywhere (registered not differentiable); train with {@link gmadlLoss}, keep MADL as a metric.
 */
export function madlLoss(yTrue: TensorInput, yPred: TensorInput, options: MadlOptions = {}): tf.Tensor {
  const reduction = checkReduction(options.reduction, 'madlLoss');
  return tf.tidy(() => {
    const t = asTensor(yTrue, 'yTrue', 'madlLoss');
    const p = asTensor(yPred, 'yPred', 'madlLoss');
    assertSameShape(t, p, 'madlLoss');
    return reduce(tf.neg(tf.mul(tf.sign(tf.mul(t, p)), tf.abs(t))), reduction);
  });
}
