import * as tf from '@tensorflow/tfjs';
import { describeLoss, expectTensorClose, sizeOf, type Sample } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { diceLoss } from './dice-loss.js';
import fixtures from './dice-loss.fixtures.json' with { type: 'json' };

/** {0, 1} masks and probabilities in (0.05, 0.95). */
const maskSample = (shape: number[], rng: () => number): Sample => {
  const n = sizeOf(shape);
  return { yTrue: Array.from({ length: n }, () => (rng() < 0.4 ? 1 : 0)), yPred: Array.from({ length: n }, () => 0.05 + 0.9 * rng()) };
};

describeLoss('diceLoss', diceLoss, {
  fixtures,
  sample: maskSample,
  shapes: [[2, 3], [2, 3, 4], [3, 2, 2, 2]],
  noneShape: (shape) => [shape[0] as number],
  layers: { activation: 'sigmoid' },
  invalid: [
    [{ smooth: -1 }, /'smooth' must be >= 0. Value: -1/],
    [{ squared: 1 }, /'squared' must be a boolean/],
    [{ fromLogits: null }, /'fromLogits' must be a boolean/],
  ],
  gradPoints: [
    { yTrue: [1, 0, 1, 0, 0, 1], yPred: [0.7, 0.2, 0.4, 0.3, 0.6, 0.8], shape: [2, 3] },
    { yTrue: [1, 1, 0, 0, 1, 0, 1, 0], yPred: [0.5, -1, 0.3, 2, 1, -0.2, 0.1, -1.5], shape: [2, 2, 2], options: { fromLogits: true, squared: true, smooth: 0.1 } },
  ],
});

describe('diceLoss: closed forms', () => {
  it('is 1 − 2|T∩P|/(|T| + |P|) on hard masks and 0 for empty vs empty', () => {
    const value = diceLoss([[1, 1, 0, 0], [0, 0, 0, 0]], [[1, 0, 1, 0], [0, 0, 0, 0]], { smooth: 0, reduction: 'none' }).arraySync() as number[];
    expect(value[0]).toBeCloseTo(0.5, 6);
    expect(Number.isNaN(value[1])).toBe(true); // ε = 0: empty vs empty is 0/0, documented
    const smoothed = diceLoss([[0, 0, 0, 0]], [[0, 0, 0, 0]]);
    expectTensorClose(smoothed, [0], { rtol: 0, atol: 1e-7 }, 'empty vs empty with ε');
    smoothed.dispose();
  });

  it('uses Σp² + Σt² with squared (V-Net)', () => {
    const value = diceLoss([[1, 0]], [[0.5, 0.5]], { squared: true, smooth: 0 });
    expectTensorClose(value, [1 - (2 * 0.5) / (0.5 + 1)], { rtol: 1e-6, atol: 1e-7 }, 'squared denominator');
    value.dispose();
  });

  it('applies a sigmoid with fromLogits and rejects inputs without a batch axis', () => {
    const a = diceLoss([[1, 0, 1]], [[2, -1, 0.5]], { fromLogits: true });
    const b = diceLoss([[1, 0, 1]], tf.sigmoid(tf.tensor([[2, -1, 0.5]])));
    expectTensorClose(a, b, { rtol: 1e-6, atol: 1e-7 }, 'fromLogits');
    tf.dispose([a, b]);
    expect(() => diceLoss([1, 0], [0.5, 0.5])).toThrow(/diceLoss: 'yPred' must have rank >= 2/);
  });
});
