import * as tf from '@tensorflow/tfjs-core';
import { checkReduction, reduce, type ReductionOptions } from '../reduction.js';
import { asTensor, assertSameShape, type TensorInput } from '../validate.js';
import { latitudeWeightTensor, type LatitudeOptions } from './latitude-weights.js';
import { absZeroGrad } from './mae-loss.js';

/** Options of {@link latWeightedMaeLoss}. */
export interface LatWeightedMaeOptions extends ReductionOptions, LatitudeOptions {}

/**
 * Latitude-weighted MAE w(φ)·|ŷ − y| with w = cos φ / mean cos φ along the latitude axis (WeatherBench:
 * Rasp et al. 2020; ClimaX `lat_weighted_mae`): each grid cell counts in proportion to its area.
 */
export function latWeightedMaeLoss(yTrue: TensorInput, yPred: TensorInput, { latitudes, latAxis, ...rest }: LatWeightedMaeOptions): tf.Tensor {
  const reduction = checkReduction(rest.reduction, 'latWeightedMaeLoss');
  return tf.tidy(() => {
    const t = asTensor(yTrue, 'yTrue', 'latWeightedMaeLoss');
    const p = asTensor(yPred, 'yPred', 'latWeightedMaeLoss');
    assertSameShape(t, p, 'latWeightedMaeLoss');
    const { w } = latitudeWeightTensor(p.shape, { latitudes, latAxis }, 'latWeightedMaeLoss');
    return reduce(tf.mul(w, absZeroGrad(tf.sub(p, t))), reduction);
  });
}
