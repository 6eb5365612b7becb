import * as tf from '@tensorflow/tfjs';
import { describeLoss, expectTensorClose, type LossFn } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { latWeightedMaeLoss } from './lat-weighted-mae-loss.js';
import fixtures from './lat-weighted-mae-loss.fixtures.json' with { type: 'json' };
import { latitudeWeights } from './latitude-weights.js';
import { maeLoss } from './mae-loss.js';

const LAT3 = [-60, 0, 60];

// Its options are required (no default), which the contract's optional-options signature cannot express.
describeLoss('latWeightedMaeLoss', latWeightedMaeLoss as unknown as LossFn, {
  fixtures,
  callOptions: { latitudes: LAT3 }, // every drawn shape has 3 rows on axis −2
  shapes: [[3, 4], [2, 3, 4], [2, 2, 3, 5]],
  perfectShape: [3, 4],
  layers: { shape: [4, 3] }, // case 0's 4 latitudes lie along axis −2 of [batch 4, 3 outputs]
  invalid: [
    [{ latitudes: undefined }, /option 'latitudes' is required/],
    [{ latitudes: [0, 91, 0, 0] }, /'latitudes' must hold degrees in \[-90, 90\]. Value: 91/],
    [{ latitudes: [90, -90, 90, 90] }, /must not all be poles/],
    [{ latAxis: 0.5 }, /'latAxis' must be an integer. Value: 0.5/],
  ],
});

describe('latWeightedMaeLoss', () => {
  it('uses weights cos φ / mean cos φ that average 1, so a latitude-constant error gives plain MAE', () => {
    const w = latitudeWeights([-60, 0, 60]);
    expectTensorClose(Array.from(w), [0.75, 1.5, 0.75], { rtol: 1e-12, atol: 0 }, 'weights');
    const t = tf.zeros([3, 4]);
    const p = tf.fill([3, 4], 0.7);
    const a = latWeightedMaeLoss(t, p, { latitudes: LAT3 });
    const b = maeLoss(t, p);
    expectTensorClose(a, b, {}, 'constant error');
    tf.dispose([t, p, a, b]);
  });

  it('throws ShapeError when the latitudes do not fit the latitude axis', () => {
    const call = (lat: number[], latAxis?: number) => () => latWeightedMaeLoss(tf.zeros([2, 4, 5]), tf.zeros([2, 4, 5]), { latitudes: lat, latAxis });
    expect(call(LAT3)).toThrow(/option 'latitudes' has 3 entries but axis -2 of 'yPred' \[2,4,5\] has 4/);
    expect(call(LAT3, -4)).toThrow(/'yPred' \[2,4,5\] has no axis -4/);
    expect(() => latWeightedMaeLoss([1, 2, 3], [1, 2, 3], { latitudes: LAT3 })).toThrow(/has no axis -2/);
  });
});
