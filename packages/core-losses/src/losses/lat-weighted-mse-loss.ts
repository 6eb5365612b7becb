import * as tf from '@tensorflow/tfjs-core';
import { checkReduction, reduce, type ReductionOptions } from '../reduction.js';
import { asTensor, assertSameShape, type TensorInput } from '../validate.js';
import { latitudeWeightTensor, type LatitudeOptions } from './latitude-weights.js';

/** Options of {@link latWeightedMseLoss}. */
export interface LatWeightedMseOptions extends ReductionOptions, LatitudeOptions {}

/**
 * Latitude-weighted MSE w(φ)·(ŷ − y)² with w = cos φ / mean cos φ along the latitude axis (WeatherBench:
 * Rasp et al. 2020; ClimaX `lat_weighted_mse`, the usual training loss of global weather models).
 */
export function latWeightedMseLoss(yTrue: TensorInput, yPred: TensorInput, { latitudes, latAxis, ...rest }: LatWeightedMseOptions): tf.Tensor {
  const reduction = checkReduction(rest.reduction, 'latWeightedMseLoss');
  return tf.tidy(() => {
    const t = asTensor(yTrue, 'yTrue', 'latWeightedMseLoss');
    const p = asTensor(yPred, 'yPred', 'latWeightedMseLoss');
    assertSameShape(t, p, 'latWeightedMseLoss');
    const { w } = latitudeWeightTensor(p.shape, { latitudes, latAxis }, 'latWeightedMseLoss');
    return reduce(tf.mul(w, tf.squaredDifference(p, t)), reduction);
  });
}
