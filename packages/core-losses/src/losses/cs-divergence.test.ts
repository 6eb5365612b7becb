import * as tf from '@tensorflow/tfjs';
import { describeLoss, expectTensorClose } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { csDivergence } from './cs-divergence.js';
import fixtures from './cs-divergence.fixtures.json' with { type: 'json' };

describeLoss('csDivergence', csDivergence, {
  fixtures,
  // One number for a pair of samples [N, D] and [M, D]: there are no per-element values to reduce.
  reductions: false,
  invalid: [
    [{ sigma: 0 }, /'sigma' must be > 0/],
    [{ sigma: Number.POSITIVE_INFINITY }, /'sigma' must be > 0/],
  ],
});

describe('csDivergence', () => {
  it('matches the closed form for one point against one point', () => {
    // N = M = 1: D = −log(k(x, y)²) = ‖x − y‖²/σ².
    const v = csDivergence([[0, 0]], [[3, 4]], { sigma: 2 });
    expectTensorClose(v, [25 / 4], { rtol: 1e-6, atol: 0 }, 'one point each');
    v.dispose();
  });

  it('stays finite where every kernel value underflows (far samples, small σ)', () => {
    const x = tf.tensor2d([[0, 0], [0.1, 0]]);
    const y = tf.tensor2d([[100, 0], [100, 0.2]]);
    const v = csDivergence(x, y, { sigma: 0.01 });
    const g = tf.grad((p: tf.Tensor) => csDivergence(x, p, { sigma: 0.01 }))(y);
    // exp(−1e4/2e-4) underflows, but log-sum-exp keeps D ≈ ‖Δ‖²_min/σ² − log terms, about 1e8.
    const value = v.dataSync()[0]!;
    expect(Number.isFinite(value) && value > 9e7).toBe(true);
    expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, y, v, g]);
  });

  it('rejects inputs that are not samples of points', () => {
    expect(() => csDivergence(tf.zeros([2, 2, 2]), tf.zeros([2, 2]))).toThrow(/'yTrue' must be a sample of points \[N, D\]/);
    expect(() => csDivergence([[1, 2]], [[1, 2, 3]])).toThrow(/same dimension/);
  });
});
