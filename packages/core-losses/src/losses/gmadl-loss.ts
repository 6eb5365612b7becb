import * as tf from '@tensorflow/tfjs-core';
import { checkReduction, reduce, type ReductionOptions } from '../reduction.js';
import { asTensor, assertSameShape, nonNegative, positive, type TensorInput } from '../validate.js';

/** Options of {@link gmadlLoss}. */
export interface GmadlOptions extends ReductionOptions {
  /** Slope a > 0 of the sigmoid around R·R̂ = 0 (a → ∞ gives MADL / 2); scale it to 1/return² of your data. Default 1. */
  a?: number;
  /** Exponent b ≥ 0 on |R|: larger b rewards getting the big moves right. Default 1. */
  b?: number;
}

/**
 * Generalized MADL −(σ(a·R·R̂) − ½)·|R|^b (Michańków, Kwiatkowski & Ślepaczuk 2024, "Generalized Mean
 * Absolute Directional Loss as a Solution to Overfitting and High Transaction Costs in Machine Learning
 * Models Used in High-Frequency Algorithmic Investment Strategies", arXiv:2412.18405): a smooth MADL whose
 * gradient −a·R·|R|^b·σ'(a·R·R̂) does not vanish. Bounded in [−½|R|^b, ½|R|^b].
 */
export function gmadlLoss(yTrue: TensorInput, yPred: TensorInput, { a = 1, b = 1, ...rest }: GmadlOptions = {}): tf.Tensor {
  positive(a, 'a', 'gmadlLoss');
  nonNegative(b, 'b', 'gmadlLoss');
  const reduction = checkReduction(rest.reduction, 'gmadlLoss');
  return tf.tidy(() => {
    const t = asTensor(yTrue, 'yTrue', 'gmadlLoss');
    const p = asTensor(yPred, 'yPred', 'gmadlLoss');
    assertSameShape(t, p, 'gmadlLoss');
    const direction = tf.sub(tf.sigmoid(tf.mul(a, tf.mul(t, p))), 0.5);
    return reduce(tf.neg(tf.mul(direction, tf.pow(tf.abs(t), b))), reduction);
  });
}
