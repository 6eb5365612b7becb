import * as tf from '@tensorflow/tfjs';
import { describeLoss, expectTensorClose, normals, sizeOf, type Sample } from '@lossworks/testing';
import { describe, it } from 'vitest';
import { brierLoss } from './brier-loss.js';
import fixtures from './brier-loss.fixtures.json' with { type: 'json' };

const categoricalSample = (shape: number[], rng: () => number): Sample => {
  const c = shape[shape.length - 1] as number;
  const yTrue: number[] = [];
  const yPred: number[] = [];
  for (let r = 0; r < sizeOf(shape) / c; r++) {
    const k = Math.floor(rng() * c);
    const e = normals(c, rng).map(Math.exp);
    const s = e.reduce((a, b) => a + b, 0);
    for (let j = 0; j < c; j++) {
      yTrue.push(j === k ? 1 : 0);
      yPred.push((e[j] as number) / s);
    }
  }
  return { yTrue, yPred };
};

describeLoss('brierLoss', brierLoss, {
  fixtures,
  sample: categoricalSample,
  noneShape: (shape) => shape.slice(0, -1),
  layers: { activation: 'softmax' },
  invalid: [
    [{ classReduction: 'max' }, /'classReduction' must be one of sum, mean. Value: max/],
    [{ fromLogits: 'true' }, /'fromLogits' must be a boolean/],
  ],
});

describe('brierLoss: reference values', () => {
  it('matches sklearn brier_score_loss on its binary example (C = 1, mean over samples)', () => {
    // sklearn docs: y_true [0, 1, 1, 0], y_proba [0.1, 0.9, 0.8, 0.3] → 0.0375.
    const value = brierLoss([[0], [1], [1], [0]], [[0.1], [0.9], [0.8], [0.3]]);
    expectTensorClose(value, [0.0375], { rtol: 1e-6, atol: 1e-7 }, 'binary');
    value.dispose();
  });

  it('sums over classes (range [0, 2]) or averages with classReduction mean', () => {
    const sum = brierLoss([[1, 0, 0], [0, 1, 0]], [[0.7, 0.2, 0.1], [1, 0, 0]], { reduction: 'none' });
    expectTensorClose(sum, [0.09 + 0.04 + 0.01, 2], { rtol: 1e-6, atol: 1e-7 }, 'sum');
    const mean = brierLoss([[1, 0, 0]], [[0.7, 0.2, 0.1]], { classReduction: 'mean' });
    expectTensorClose(mean, [0.14 / 3], { rtol: 1e-6, atol: 1e-7 }, 'mean');
    tf.dispose([sum, mean]);
  });
});
