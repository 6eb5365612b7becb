import * as tf from '@tensorflow/tfjs-core';
import { checkReduction, reduce, type ReductionOptions } from '../reduction.js';
import { asTensor, assertSameShape, positive, type TensorInput } from '../validate.js';

/** Options of {@link poissonNllLoss}. */
export interface PoissonNllOptions extends ReductionOptions {
  /** yPred is log λ (loss exp(ŷ) − y·ŷ) rather than the rate λ (loss ŷ − y·log(ŷ + ε)). Default true. */
  logInput?: boolean;
  /** Add the Stirling term y·log y − y + ½·log(2πy) for y > 1 (the full NLL up to log y! ). Default false. */
  full?: boolean;
  /** ε > 0 added to the rate inside the log when `logInput` is false. Default 1e-8. */
  eps?: number;
}

/**
 * Poisson negative log-likelihood of counts y under rate λ (torch.nn.PoissonNLLLoss, same options):
 * exp(ŷ) − y·ŷ for log-rate input, ŷ − y·log(ŷ + ε) for rate input; constant log(y!) dropped unless `full`.
 */
export function poissonNllLoss(yTrue: TensorInput, yPred: TensorInput, { logInput = true, full = false, eps = 1e-8, ...rest }: PoissonNllOptions = {}): tf.Tensor {
  positive(eps, 'eps', 'poissonNllLoss');
  const reduction = checkReduction(rest.reduction, 'poissonNllLoss');
  return tf.tidy(() => {
    const t = asTensor(yTrue, 'yTrue', 'poissonNllLoss');
    const p = asTensor(yPred, 'yPred', 'poissonNllLoss');
    assertSameShape(t, p, 'poissonNllLoss');
    let loss = logInput ? tf.sub(tf.exp(p), tf.mul(t, p)) : tf.sub(p, tf.mul(t, tf.log(tf.add(p, eps))));
    if (full) {
      const safe = tf.maximum(t, 1); // the term is used only where y > 1; keep log finite elsewhere
      const stirling = tf.add(tf.sub(tf.mul(safe, tf.log(safe)), safe), tf.mul(0.5, tf.log(tf.mul(2 * Math.PI, safe))));
      loss = tf.add(loss, tf.where(tf.greater(t, 1), stirling, tf.zerosLike(t)));
    }
    return reduce(loss, reduction);
  });
}
