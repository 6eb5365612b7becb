import * as tf from '@tensorflow/tfjs';
import { checkGradient, describeLoss, expectTensorClose } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { gaussianNllLoss } from './gaussian-nll-loss.js';
import fixtures from './gaussian-nll-loss.fixtures.json' with { type: 'json' };

describeLoss('gaussianNllLoss', gaussianNllLoss, {
  fixtures,
  perfect: false, // yPred carries (μ, log σ²): there is no "yPred = yTrue"
  shapes: [[2], [3, 2], [2, 3, 2]], // the drawn yTrue is yPred-shaped (the tfjs-layers form)
  noneShape: (shape) => shape.slice(0, -1),
  layers: { shape: [4, 2] }, // a dense layer with 2 units outputs (μ, log σ²)
  invalid: [
    [{ parameterization: 'std' }, /'parameterization' must be one of variance, logVariance. Value: std/],
    [{ eps: 0 }, /'eps' must be > 0. Value: 0/],
  ],
});

describe('gaussianNllLoss', () => {
  const mu = [0.5, -1, 2];
  const logVar = [0, 1, -2];
  const y = [1, 0, 2.5];
  const pred = mu.map((m, i) => [m, logVar[i]!]);

  it('accepts yTrue as [n], [n, 1] or yPred-shaped [n, 2] (channel 1 ignored) with the same result', () => {
    const a = gaussianNllLoss(y, pred, { reduction: 'none' });
    const b = gaussianNllLoss(y.map((v) => [v]), pred, { reduction: 'none' });
    const c = gaussianNllLoss(y.map((v) => [v, 123]), pred, { reduction: 'none' });
    const expected = mu.map((m, i) => 0.5 * (logVar[i]! + (y[i]! - m) ** 2 / Math.exp(logVar[i]!)));
    for (const out of [a, b, c]) expectTensorClose(out, expected, {}, 'NLL');
    tf.dispose([a, b, c]);
  });

  it('throws ShapeError naming the accepted target shapes and a yPred without a size-2 last axis', () => {
    expect(() => gaussianNllLoss([[1, 2]], pred)).toThrow(/'yTrue' must have shape \[3\], \[3,1\] or \[3,2\]/);
    expect(() => gaussianNllLoss([1, 2], [[1, 2, 3], [4, 5, 6]])).toThrow(/'yPred' must end in an axis of size 2/);
  });

  it('has the closed-form gradient in μ and log σ²', () => {
    const yTrue = tf.tensor1d(y);
    checkGradient((p) => gaussianNllLoss(yTrue, p, { reduction: 'sum' }), [pred], {
      expected: () => [
        mu.flatMap((m, i) => {
          const v = Math.exp(logVar[i]!);
          return [(m - y[i]!) / v, 0.5 * (1 - (y[i]! - m) ** 2 / v)];
        }),
      ],
      label: 'gaussianNllLoss closed form',
    });
    yTrue.dispose();
  });

  it('floors σ² at eps in value but passes the gradient through (as torch)', () => {
    const yTrue = tf.tensor1d([1]);
    const p = [[0, 1e-9]];
    const value = gaussianNllLoss(yTrue, p, { parameterization: 'variance', eps: 1e-3, reduction: 'sum' });
    expectTensorClose(value, [0.5 * (Math.log(1e-3) + 1 / 1e-3)], {}, 'floored value');
    checkGradient((x) => gaussianNllLoss(yTrue, x, { parameterization: 'variance', eps: 1e-3, reduction: 'sum' }), [p], {
      expected: () => [[(0 - 1) / 1e-3, 0.5 * (1 / 1e-3 - 1 / 1e-6)]],
      label: 'straight-through floor',
    });
    tf.dispose([yTrue, value]);
  });
});
