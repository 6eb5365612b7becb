import * as tf from '@tensorflow/tfjs-core';
import { checkReduction, reduce, type ReductionOptions } from '../reduction.js';
import { asTensor, type TensorInput } from '../validate.js';
import { checkClassAxis } from './categorical-cross-entropy.js';

/** Options of {@link squentropyLoss}. */
export type SquentropyOptions = ReductionOptions;

/**
 * Squentropy = −Σ_c z_c·log softmax(x)_c + 1/(C − 1)·Σ_c (1 − z_c)·x_c² on logits x over the last (class) axis
 * (Hui, Belkin & Wright, "Cut your Losses with Squentropy", ICML 2023): cross-entropy plus the average square loss
 * of the logits of the incorrect classes. With one-hot targets (1 − z_c) selects exactly the C − 1 incorrect
 * classes, as in the paper; with soft targets it weighs each class by how wrong it is (our extension). The paper
 * has no hyper-parameters; `none` keeps one value per sample (the input shape without its last axis). Needs C ≥ 2.
 */
export function squentropyLoss(yTrue: TensorInput, yPred: TensorInput, options: SquentropyOptions = {}): tf.Tensor {
  const fn = 'squentropyLoss';
  const reduction = checkReduction(options.reduction, fn);
  return tf.tidy(() => {
    const t = asTensor(yTrue, 'yTrue', fn);
    const x = asTensor(yPred, 'yPred', fn);
    const c = checkClassAxis(t, x, fn, 2);
    // tf.logSoftmax is stable for logits of any size (it subtracts the row maximum; its gradient is softmax − dy).
    const ce = tf.neg(tf.sum(tf.mul(t, tf.logSoftmax(x, -1)), -1));
    const square = tf.div(tf.sum(tf.mul(tf.sub(1, t), tf.square(x)), -1), c - 1);
    return reduce(tf.add(ce, square), reduction);
  });
}
