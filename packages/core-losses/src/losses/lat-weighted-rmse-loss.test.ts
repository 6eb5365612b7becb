import * as tf from '@tensorflow/tfjs';
import { describeLoss, expectTensorClose, type LossFn } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { latWeightedRmseLoss } from './lat-weighted-rmse-loss.js';
import fixtures from './lat-weighted-rmse-loss.fixtures.json' with { type: 'json' };

const LAT3 = [-60, 0, 60];

// Its options are required (no default), which the contract's optional-options signature cannot express.
describeLoss('latWeightedRmseLoss', latWeightedRmseLoss as unknown as LossFn, {
  fixtures,
  callOptions: { latitudes: LAT3 },
  shapes: [[3, 4], [2, 3, 4], [2, 2, 3, 5]],
  noneShape: (shape) => shape.slice(0, -2), // one RMSE per index before the latitude axis
  perfectShape: [3, 4],
  layers: { shape: [4, 3] },
  invalid: [[{ latitudes: [0, 0, Number.NaN, 0] }, /'latitudes' must hold degrees in \[-90, 90\]. Value: NaN/]],
});

describe('latWeightedRmseLoss', () => {
  it('takes the root per sample, then the mean over samples (not the root of the global mean)', () => {
    const yTrue = tf.zeros([2, 3, 1]);
    const yPred = tf.tensor([1, 1, 1, 3, 3, 3], [2, 3, 1]);
    const out = latWeightedRmseLoss(yTrue, yPred, { latitudes: LAT3 });
    expectTensorClose(out, [2], {}, 'mean of per-sample RMSE (1 and 3)');
    tf.dispose([yTrue, yPred, out]);
  });

  it('has a zero, finite gradient at a perfect prediction', () => {
    const y = tf.ones([2, 3, 2]);
    const g = tf.grad((p: tf.Tensor) => latWeightedRmseLoss(y, p, { latitudes: LAT3 }))(y);
    expect(Array.from(g.dataSync()).every((v) => v === 0)).toBe(true);
    tf.dispose([y, g]);
  });
});
