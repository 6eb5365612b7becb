import * as tf from '@tensorflow/tfjs';
import { describeLoss, expectTensorClose, normals } from '@lossworks/testing';
import { describe, it } from 'vitest';
import { mapeLoss } from './mape-loss.js';
import fixtures from './mape-loss.fixtures.json' with { type: 'json' };

describeLoss('mapeLoss', mapeLoss, {
  fixtures,
  // Targets kept ≥ 0.5 away from 0 in the drawn checks: MAPE divides by |y|.
  sample: (shape, rng) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return { yTrue: normals(n, rng).map((v) => Math.sign(v || 1) * (0.5 + Math.abs(v))), yPred: normals(n, rng) };
  },
  layers: true,
  invalid: [[{ eps: 0 }, /'eps' must be > 0. Value: 0/]],
});

describe('mapeLoss', () => {
  it('is a fraction by default and a percentage with percent', () => {
    const a = mapeLoss([2, -4], [1, -5], { reduction: 'none' });
    const b = mapeLoss([2, -4], [1, -5], { reduction: 'none', percent: true });
    expectTensorClose(a, [0.5, 0.25], {}, 'fraction');
    expectTensorClose(b, [50, 25], {}, 'percent');
    tf.dispose([a, b]);
  });

  it('stays finite for a zero target (|ŷ|/ε)', () => {
    const out = mapeLoss([0], [0.5], { eps: 1e-3, reduction: 'sum' });
    expectTensorClose(out, [500], {}, 'zero target');
    out.dispose();
  });
});
