import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, ValueError } from '../errors.js';

/** Options shared by the latitude-weighted losses. */
export interface LatitudeOptions {
  /** Latitude of each grid row in degrees, in [−90, 90], one per entry along `latAxis`. Required. */
  latitudes: ArrayLike<number>;
  /** The latitude axis of the inputs (negative counts from the end). Default −2: [..., lat, lon]. */
  latAxis?: number;
}

/** cos φ / mean(cos φ) for latitudes φ in degrees: area weights of a regular lat-lon grid, averaging 1. */
export function latitudeWeights(latitudes: ArrayLike<number>, fn = 'latitudeWeights'): Float64Array {
  if (latitudes === undefined || latitudes === null || typeof latitudes !== 'object' || latitudes.length === 0) {
    throw new ValueError(`${fn}: option 'latitudes' is required: one latitude in degrees per grid row. Value: ${String(latitudes)}.`);
  }
  const w = Float64Array.from(latitudes, (lat) => {
    if (!(Number.isFinite(lat) && lat >= -90 && lat <= 90)) {
      throw new ValueError(`${fn}: option 'latitudes' must hold degrees in [-90, 90]. Value: ${lat}.`);
    }
    return Math.cos((lat * Math.PI) / 180);
  });
  const mean = w.reduce((a, b) => a + b, 0) / w.length;
  if (!(mean > 1e-9)) throw new ValueError(`${fn}: option 'latitudes' must not all be poles (mean cos φ = ${mean}).`);
  return w.map((v) => v / mean);
}

/**
 * The weights as a tensor that broadcasts along the latitude axis of a `shape` input; returns it with the
 * axis as a non-negative index. Throws ShapeError when the input has no such axis or a different length.
 */
export function latitudeWeightTensor(shape: readonly number[], { latitudes, latAxis = -2 }: LatitudeOptions, fn: string): { w: tf.Tensor; axis: number } {
  const weights = latitudeWeights(latitudes, fn);
  if (!Number.isInteger(latAxis)) throw new ValueError(`${fn}: option 'latAxis' must be an integer. Value: ${latAxis}.`);
  const rank = shape.length;
  if (latAxis < -rank || latAxis >= rank) {
    throw new ShapeError(`${fn}: 'yPred' [${shape}] has no axis ${latAxis} (option 'latAxis').`, [...shape], new Array<number>(Math.abs(latAxis) + (latAxis >= 0 ? 1 : 0)).fill(-1));
  }
  const axis = latAxis < 0 ? latAxis + rank : latAxis;
  if (shape[axis] !== weights.length) {
    throw new ShapeError(
      `${fn}: option 'latitudes' has ${weights.length} entries but axis ${latAxis} of 'yPred' [${shape}] has ${shape[axis]}.`,
      [...shape],
      shape.map((d, i) => (i === axis ? weights.length : d)),
    );
  }
  return { w: tf.tensor(Array.from(weights), [weights.length, ...new Array<number>(rank - axis - 1).fill(1)]), axis };
}
