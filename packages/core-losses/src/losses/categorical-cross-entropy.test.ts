import * as tf from '@tensorflow/tfjs';
import { describeLoss, expectTensorClose, normals, sizeOf, type Sample } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { categoricalCrossEntropy } from './categorical-cross-entropy.js';
import fixtures from './categorical-cross-entropy.fixtures.json' with { type: 'json' };

/** One-hot targets and softmax probabilities over the last axis. */
const categoricalSample = (shape: number[], rng: () => number): Sample => {
  const c = shape[shape.length - 1] as number;
  const rows = sizeOf(shape) / c;
  const yTrue: number[] = [];
  const yPred: number[] = [];
  for (let r = 0; r < rows; r++) {
    const k = Math.floor(rng() * c);
    const logits = normals(c, rng);
    const m = Math.max(...logits);
    const e = logits.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    for (let j = 0; j < c; j++) {
      yTrue.push(j === k ? 1 : 0);
      yPred.push((e[j] as number) / s);
    }
  }
  return { yTrue, yPred };
};

describeLoss('categoricalCrossEntropy', categoricalCrossEntropy, {
  fixtures,
  sample: categoricalSample,
  noneShape: (shape) => shape.slice(0, -1),
  layers: { activation: 'softmax' },
  invalid: [
    [{ labelSmoothing: -0.1 }, /'labelSmoothing' must be in \[0, 1\]. Value: -0.1/],
    [{ eps: 0.5 }, /'eps' must be in \[1e-7, 0.5\)/],
    [{ fromLogits: 1 }, /'fromLogits' must be a boolean/],
  ],
  gradPoints: [
    { yTrue: [0, 1, 0, 1, 0, 0], yPred: [0.2, 0.5, 0.3, 0.6, 0.3, 0.1], shape: [2, 3] },
    { yTrue: [0.1, 0.7, 0.2, 0, 0, 1], yPred: [1, -0.5, 2, 0.3, -1, 0.8], shape: [2, 3], options: { fromLogits: true, labelSmoothing: 0.1 } },
  ],
});

describe('categoricalCrossEntropy: numerics and closed forms', () => {
  it('stays finite for logits of ±1e4: value and gradient softmax(x)·Σz − z', () => {
    const x = tf.tensor([[1e4, -1e4, 0], [-1e4, -1e4, 1e4]]);
    const z = tf.tensor([[0, 1, 0], [1, 0, 0]]);
    const value = categoricalCrossEntropy(z, x, { fromLogits: true, reduction: 'none' });
    expectTensorClose(value, [2e4, 2e4], { rtol: 1e-6, atol: 0 }, 'values');
    const g = tf.grad((v: tf.Tensor) => categoricalCrossEntropy(z, v, { fromLogits: true, reduction: 'sum' }))(x);
    expectTensorClose(g, [[1, -1, 0], [-1, 0, 1]], { rtol: 1e-6, atol: 1e-6 }, 'gradient');
    const smoothed = categoricalCrossEntropy(z, x, { fromLogits: true, labelSmoothing: 0.1 });
    const gs = tf.grad((v: tf.Tensor) => categoricalCrossEntropy(z, v, { fromLogits: true, labelSmoothing: 0.1 }))(x);
    expect(Number.isFinite(smoothed.dataSync()[0]) && Array.from(gs.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, z, value, g, smoothed, gs]);
  });

  it('stays finite for probabilities 1e-30 and 1 − 1e-8 (clipped to [ε, 1 − ε])', () => {
    const p = tf.tensor([[1e-30, 1 - 1e-8, 1e-8], [0.5, 0.25, 0.25]]);
    const z = tf.tensor([[1, 0, 0], [0, 0, 1]]);
    const value = categoricalCrossEntropy(z, p, { reduction: 'none' });
    expectTensorClose(value, [-Math.log(1e-7), Math.log(4)], { rtol: 1e-5, atol: 1e-6 }, 'values');
    const g = tf.grad((v: tf.Tensor) => categoricalCrossEntropy(z, v, { reduction: 'sum' }))(p);
    // −z/p inside the clip range, 0 where p is clipped.
    expectTensorClose(g, [[0, 0, 0], [0, 0, -4]], { rtol: 1e-5, atol: 1e-6 }, 'gradient');
    tf.dispose([p, z, value, g]);
  });

  it('gives log C for uniform logits and spreads s/C with label smoothing', () => {
    const uniform = categoricalCrossEntropy([[0, 0, 1, 0]], [[3, 3, 3, 3]], { fromLogits: true });
    expectTensorClose(uniform, [Math.log(4)], { rtol: 1e-6, atol: 1e-7 }, 'uniform logits');
    // z = [0, 1] smoothed by s = 0.2 over C = 2 → [0.1, 0.9].
    const smoothed = categoricalCrossEntropy([[0, 1]], [[0.3, 0.7]], { labelSmoothing: 0.2 });
    expectTensorClose(smoothed, [-(0.1 * Math.log(0.3) + 0.9 * Math.log(0.7))], { rtol: 1e-6, atol: 1e-7 }, 'smoothing');
    tf.dispose([uniform, smoothed]);
  });

  it('needs a class axis', () => {
    expect(() => categoricalCrossEntropy(1, 1)).toThrow(/'yPred' must have rank >= 1/);
  });
});
