import * as tf from '@tensorflow/tfjs-core';
import { checkReduction, reduce, type ReductionOptions } from '../reduction.js';
import { asTensor, assertSameShape, type TensorInput } from '../validate.js';
import { absZeroGrad } from './mae-loss.js';

/** Options of {@link logCoshLoss}. */
export type LogCoshOptions = ReductionOptions;

/**
 * Log-cosh loss log(cosh(e)), e = ŷ − y (Chen et al. 2019, "Log Hyperbolic Cosine Loss Improves
 * Variational Auto-Encoder"; Keras `log_cosh`). cosh overflows float32 at |e| ≈ 89, so it is computed as
 * |e| + softplus(−2|e|) − log 2, finite for any finite e; its gradient is tanh(e).
 */
export function logCoshLoss(yTrue: TensorInput, yPred: TensorInput, options: LogCoshOptions = {}): tf.Tensor {
  const reduction = checkReduction(options.reduction, 'logCoshLoss');
  return tf.tidy(() => {
    const t = asTensor(yTrue, 'yTrue', 'logCoshLoss');
    const p = asTensor(yPred, 'yPred', 'logCoshLoss');
    assertSameShape(t, p, 'logCoshLoss');
    const a = absZeroGrad(tf.sub(p, t));
    return reduce(tf.sub(tf.add(a, tf.softplus(tf.mul(-2, a))), Math.LN2), reduction);
  });
}
