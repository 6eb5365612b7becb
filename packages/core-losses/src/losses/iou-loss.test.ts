import * as tf from '@tensorflow/tfjs';
import { describeLoss, expectTensorClose, sizeOf, type Sample } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { iouLoss } from './iou-loss.js';
import fixtures from './iou-loss.fixtures.json' with { type: 'json' };

const maskSample = (shape: number[], rng: () => number): Sample => {
  const n = sizeOf(shape);
  return { yTrue: Array.from({ length: n }, () => (rng() < 0.4 ? 1 : 0)), yPred: Array.from({ length: n }, () => 0.05 + 0.9 * rng()) };
};

describeLoss('iouLoss', iouLoss, {
  fixtures,
  sample: maskSample,
  shapes: [[2, 3], [2, 3, 4], [3, 2, 2, 2]],
  noneShape: (shape) => [shape[0] as number],
  layers: { activation: 'sigmoid' },
  invalid: [
    [{ smooth: Number.POSITIVE_INFINITY }, /'smooth' must be >= 0. Value: Infinity/],
    [{ fromLogits: 0 }, /'fromLogits' must be a boolean/],
  ],
  gradPoints: [
    { yTrue: [1, 0, 1, 0, 0, 1], yPred: [0.7, 0.2, 0.4, 0.3, 0.6, 0.8], shape: [2, 3] },
    { yTrue: [1, 1, 0, 0, 1, 0, 1, 0], yPred: [0.5, -1, 0.3, 2, 1, -0.2, 0.1, -1.5], shape: [2, 2, 2], options: { fromLogits: true, smooth: 0.1 } },
  ],
});

describe('iouLoss: closed forms', () => {
  it('is 1 − |T∩P|/|T∪P| on hard masks and 0 for empty vs empty', () => {
    const value = iouLoss([[1, 1, 0, 0], [0, 0, 0, 0]], [[1, 0, 1, 0], [0, 0, 0, 0]], { reduction: 'none' });
    expectTensorClose(value, [1 - (1 + 1e-5) / (3 + 1e-5), 0], { rtol: 1e-6, atol: 1e-7 }, 'hard masks');
    value.dispose();
  });

  it('relates to the soft Dice ratio S as J = S/(2 − S)', () => {
    // For the same soft inputs with ε = 0: J = S/(2 − S) where S is the soft Dice ratio.
    const t = tf.tensor([[1, 0, 1, 1, 0]]);
    const p = tf.tensor([[0.9, 0.2, 0.6, 0.4, 0.1]]);
    const inter = 0.9 + 0.6 + 0.4;
    const s = (2 * inter) / (2.2 + 3);
    const j = iouLoss(t, p, { smooth: 0 });
    expectTensorClose(j, [1 - s / (2 - s)], { rtol: 1e-6, atol: 1e-7 }, 'Jaccard from Dice');
    tf.dispose([t, p, j]);
    expect(() => iouLoss([[1]], [[1], [0]])).toThrow(/iouLoss: shapes of 'yTrue' \[1,1\] and 'yPred' \[2,1\] must match/);
  });
});
