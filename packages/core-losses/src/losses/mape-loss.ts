import * as tf from '@tensorflow/tfjs-core';
import { checkReduction, reduce, type ReductionOptions } from '../reduction.js';
import { asTensor, assertSameShape, positive, type TensorInput } from '../validate.js';
import { absZeroGrad } from './mae-loss.js';

/** Options of {@link mapeLoss}. */
export interface MapeOptions extends ReductionOptions {
  /** Floor ε > 0 on |y| in the denominator, so y = 0 gives a large finite value. Default 1e-7. */
  eps?: number;
  /** Multiply by 100 (a percentage, as Keras) instead of returning a fraction (as sklearn). Default false. */
  percent?: boolean;
}

/**
 * Mean absolute percentage error |y − ŷ| / max(|y|, ε) (sklearn `mean_absolute_percentage_error`;
 * ×100 with `percent`, as Keras). Not symmetric: over-forecasts are penalised without bound.
 */
export function mapeLoss(yTrue: TensorInput, yPred: TensorInput, { eps = 1e-7, percent = false, ...rest }: MapeOptions = {}): tf.Tensor {
  positive(eps, 'eps', 'mapeLoss');
  const reduction = checkReduction(rest.reduction, 'mapeLoss');
  return tf.tidy(() => {
    const t = asTensor(yTrue, 'yTrue', 'mapeLoss');
    const p = asTensor(yPred, 'yPred', 'mapeLoss');
    assertSameShape(t, p, 'mapeLoss');
    const v = tf.div(absZeroGrad(tf.sub(t, p)), tf.maximum(tf.abs(t), eps));
    return reduce(percent ? tf.mul(v, 100) : v, reduction);
  });
}
