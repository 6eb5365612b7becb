import * as tf from '@tensorflow/tfjs-core';
import { checkReduction, reduce, type ReductionOptions } from '../reduction.js';
import { asTensor, assertSameShape, positive, type TensorInput } from '../validate.js';

/** Options of {@link charbonnierLoss}. */
export interface CharbonnierOptions extends ReductionOptions {
  /** Smoothing scale ε > 0. Default 1e-3. */
  eps?: number;
}

/** Charbonnier loss √(e² + ε²) − ε with e = yPred − yTrue (Charbonnier et al., ICIP 1994). */
export function charbonnierLoss(yTrue: TensorInput, yPred: TensorInput, { eps = 1e-3, ...rest }: CharbonnierOptions = {}): tf.Tensor {
  positive(eps, 'eps', 'charbonnierLoss');
  const reduction = checkReduction(rest.reduction, 'charbonnierLoss');
  return tf.tidy(() => {
    const t = asTensor(yTrue, 'yTrue', 'charbonnierLoss');
    const p = asTensor(yPred, 'yPred', 'charbonnierLoss');
    assertSameShape(t, p, 'charbonnierLoss');
    const e = tf.sub(p, t);
    return reduce(tf.sub(tf.sqrt(tf.add(tf.square(e), eps * eps)), eps), reduction);
  });
}
