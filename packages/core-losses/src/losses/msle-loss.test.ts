import * as tf from '@tensorflow/tfjs';
import { checkGradient, describeLoss, normals } from '@lossworks/testing';
import { describe, it } from 'vitest';
import { msleLoss } from './msle-loss.js';
import fixtures from './msle-loss.fixtures.json' with { type: 'json' };

// Positive inputs for the drawn checks (log-normal, like the counts and prices MSLE is used for).
const positive = (n: number, rng: () => number) => normals(n, rng).map(Math.exp);

describeLoss('msleLoss', msleLoss, {
  fixtures,
  sample: (shape, rng) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return { yTrue: positive(n, rng), yPred: positive(n, rng) };
  },
  layers: true,
});

describe('msleLoss', () => {
  it('has the gradient 2(log1p ŷ − log1p y)/(1 + ŷ), and 0 for a clipped negative prediction', () => {
    const y = [1, 0.5, 2, 3];
    const p = [2, 0.1, 0.5, -1];
    const yTrue = tf.tensor1d(y);
    checkGradient((x) => msleLoss(yTrue, x, { reduction: 'sum' }), [p], {
      expected: () => [p.map((v, i) => (v < 0 ? 0 : (2 * (Math.log1p(v) - Math.log1p(y[i]!))) / (1 + v)))],
      label: 'msleLoss closed form',
    });
    yTrue.dispose();
  });
});
