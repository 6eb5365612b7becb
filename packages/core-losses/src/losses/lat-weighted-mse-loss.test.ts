import * as tf from '@tensorflow/tfjs';
import { checkGradient, describeLoss, type LossFn } from '@lossworks/testing';
import { describe, it } from 'vitest';
import { latWeightedMseLoss } from './lat-weighted-mse-loss.js';
import fixtures from './lat-weighted-mse-loss.fixtures.json' with { type: 'json' };

const LAT3 = [-60, 0, 60];

// Its options are required (no default), which the contract's optional-options signature cannot express.
describeLoss('latWeightedMseLoss', latWeightedMseLoss as unknown as LossFn, {
  fixtures,
  callOptions: { latitudes: LAT3 },
  shapes: [[3, 4], [2, 3, 4], [2, 2, 3, 5]],
  perfectShape: [3, 4],
  layers: { shape: [4, 3] },
  invalid: [[{ latitudes: [] }, /option 'latitudes' is required/]],
});

describe('latWeightedMseLoss', () => {
  it('has the gradient 2·w(φ)·e/N along a channels-last latitude axis (latAxis −3)', () => {
    // [lat 3, lon 1, channel 2]; w = [0.75, 1.5, 0.75]
    const yTrue = tf.zeros([3, 1, 2]);
    const p = [1, 2, 3, 4, 5, 6];
    const w = [0.75, 0.75, 1.5, 1.5, 0.75, 0.75];
    checkGradient((x) => latWeightedMseLoss(yTrue, x, { latitudes: LAT3, latAxis: -3 }), [tf.tensor(p, [3, 1, 2])], {
      expected: () => [p.map((v, i) => (2 * w[i]! * v) / 6)],
      label: 'latWeightedMseLoss closed form',
    });
    yTrue.dispose();
  });
});
