import * as tf from '@tensorflow/tfjs';
import { checkGradient, describeLoss, expectTensorClose } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { mseLoss } from './mse-loss.js';
import { temporallyRescaledLoss, temporalWeights } from './temporally-rescaled-loss.js';
import fixtures from './temporally-rescaled-loss.fixtures.json' with { type: 'json' };

describeLoss('temporallyRescaledLoss', temporallyRescaledLoss, {
  fixtures,
  shapes: [[2, 5], [2, 3, 4], [3, 2, 2]], // [batch, time, ...]: rank ≥ 2
  invalid: [
    [{ power: Number.POSITIVE_INFINITY }, /'power' must be a finite number/],
    [{ weights: [1, -1, 1, 1, 1] }, /'weights' must hold finite numbers >= 0, not all 0/],
    [{ error: 'huber' }, /'error' must be one of squared, absolute. Value: huber/],
    [{ timeAxis: 1.5 }, /'timeAxis' must be an integer. Value: 1.5/],
  ],
});

describe('temporallyRescaledLoss', () => {
  it('weights ((t + 1)/(T + 1))^p, increasing for p > 0, with mean 1', () => {
    const w = temporalWeights(4, { power: 2 });
    const raw = [1, 4, 9, 16].map((v) => v / 25);
    const mean = raw.reduce((a, b) => a + b) / 4;
    expectTensorClose(w, raw.map((v) => v / mean), { rtol: 1e-12, atol: 0 }, 'p = 2');
    expect(w.reduce((a, b) => a + b) / 4).toBeCloseTo(1, 12);
    expect(temporalWeights(3, { power: 0 })).toEqual([1, 1, 1]);
  });

  it('is plain MSE at power 0', () => {
    const t = [[0, 1, 2], [1, 1, 1]];
    const p = [[1, 1, 0], [0, 3, 1]];
    const a = temporallyRescaledLoss(t, p, { power: 0 });
    const b = mseLoss(t, p);
    expectTensorClose(a, b, {}, 'power 0');
    tf.dispose([a, b]);
  });

  it('has the gradient 2·w_t²·e/N (squared) in closed form', () => {
    const yTrue = tf.zeros([1, 3]);
    const w = temporalWeights(3, { power: 1 });
    const p = [0.5, -1, 2];
    checkGradient((x) => temporallyRescaledLoss(yTrue, x, { power: 1 }), [tf.tensor(p, [1, 3])], {
      expected: () => [p.map((v, i) => (2 * w[i]! ** 2 * v) / 3)],
      label: 'temporallyRescaledLoss closed form',
    });
    yTrue.dispose();
  });

  it('throws ShapeError for weights of the wrong length or a missing time axis', () => {
    expect(() => temporallyRescaledLoss([[1, 2, 3]], [[1, 2, 3]], { weights: [1, 2] })).toThrow(/'weights' has 2 entries but the time axis has 3 steps/);
    expect(() => temporallyRescaledLoss([1, 2, 3], [1, 2, 3])).toThrow(/'yPred' \[3\] has no axis 1/);
  });
});
