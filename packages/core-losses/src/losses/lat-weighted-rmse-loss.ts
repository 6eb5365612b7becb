import * as tf from '@tensorflow/tfjs-core';
import { checkReduction, reduce, type ReductionOptions } from '../reduction.js';
import { asTensor, assertSameShape, type TensorInput } from '../validate.js';
import { latitudeWeightTensor, type LatitudeOptions } from './latitude-weights.js';
import { sqrtZeroGrad } from './rmse-loss.js';

/** Options of {@link latWeightedRmseLoss}. */
export interface LatWeightedRmseOptions extends ReductionOptions, LatitudeOptions {}

/**
 * Latitude-weighted RMSE √(mean of w(φ)·(ŷ − y)² over the latitude axis and every later axis), one value
 * per leading index (e.g. per sample and variable of [batch, var, lat, lon]), then reduced: WeatherBench's
 * RMSE (Rasp et al. 2020, eq. 1: √ per forecast, then the mean over forecasts; ClimaX `lat_weighted_rmse`).
 * 'none' has the shape of the axes before `latAxis`. Gradient 0 (not NaN) at a perfect prediction.
 */
export function latWeightedRmseLoss(yTrue: TensorInput, yPred: TensorInput, { latitudes, latAxis, ...rest }: LatWeightedRmseOptions): tf.Tensor {
  const reduction = checkReduction(rest.reduction, 'latWeightedRmseLoss');
  return tf.tidy(() => {
    const t = asTensor(yTrue, 'yTrue', 'latWeightedRmseLoss');
    const p = asTensor(yPred, 'yPred', 'latWeightedRmseLoss');
    assertSameShape(t, p, 'latWeightedRmseLoss');
    const { w, axis } = latitudeWeightTensor(p.shape, { latitudes, latAxis }, 'latWeightedRmseLoss');
    const spatial = Array.from({ length: p.rank - axis }, (_, i) => axis + i);
    return reduce(sqrtZeroGrad(tf.mean(tf.mul(w, tf.squaredDifference(p, t)), spatial)), reduction);
  });
}
