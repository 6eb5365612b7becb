import * as tf from '@tensorflow/tfjs';
import { checkGradient, describeLoss, expectTensorClose } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { mmdLoss } from './mmd-loss.js';
import fixtures from './mmd-loss.fixtures.json' with { type: 'json' };

describeLoss('mmdLoss', mmdLoss, {
  fixtures,
  // One number for a pair of samples [N, D] and [M, D]: there are no per-element values to reduce.
  reductions: false,
  invalid: [
    [{ kernel: 'laplace' }, /'kernel' must be one of gaussian, riesz/],
    [{ estimator: 'u' }, /'estimator' must be one of biased, unbiased/],
    [{ bandwidths: [] }, /'bandwidths' must be a non-empty array of numbers > 0/],
    [{ bandwidths: [1, -2] }, /'bandwidths' must be a non-empty array of numbers > 0. Value: \[1,-2\]/],
    [{ kernel: 'riesz', r: 2 }, /'r' must be in \(0, 2\)/],
    [{ kernel: 'riesz', r: 0 }, /'r' must be in \(0, 2\)/],
  ],
  // Central differences for the Riesz kernel too (fixture case 3: r = 1.5, unbiased; no coincident points).
  gradPoints: [fixtures.cases[0]!, fixtures.cases[3]!],
});

describe('mmdLoss', () => {
  it('matches the energy distance for the Riesz kernel r = 1 (1-D closed form)', () => {
    // x = {0, 1}, y = {3}: 2E|X−Y| − E|X−X'| − E|Y−Y'| = 2·2.5 − 0.5 − 0 = 4.5.
    const v = mmdLoss([0, 1], [3], { kernel: 'riesz' });
    expectTensorClose(v, [4.5], { rtol: 1e-6, atol: 0 }, 'energy distance');
    v.dispose();
  });

  it('is 0 for identical Riesz samples with a finite gradient at the coincident points', () => {
    const x = tf.tensor2d([[0, 1], [2, 3], [2, 3]]);
    const v = mmdLoss(x, x, { kernel: 'riesz', r: 0.5 });
    const g = tf.grad((y: tf.Tensor) => mmdLoss(x, y, { kernel: 'riesz', r: 0.5 }))(x);
    expectTensorClose(v, [0], { rtol: 0, atol: 1e-6 }, 'MMD²(x, x)');
    expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, v, g]);
  });

  it('sums Gaussian kernels over the bandwidths', () => {
    const x = tf.tensor2d([[0, 0], [1, 0]]);
    const y = tf.tensor2d([[0, 2]]);
    const a = mmdLoss(x, y, { bandwidths: [0.5] });
    const b = mmdLoss(x, y, { bandwidths: [2] });
    const ab = mmdLoss(x, y, { bandwidths: [0.5, 2] });
    expectTensorClose(ab, tf.add(a, b), { rtol: 1e-6, atol: 1e-7 }, 'multi-bandwidth');
    tf.dispose([x, y, a, b, ab]);
  });

  it('unbiased drops the diagonal terms (closed form), agrees with central differences, needs 2 points per sample', () => {
    // x = {0, 1}, y = {3, 4}, σ = 1: within-sample means are e^{−1/2} (unbiased) or (1 + e^{−1/2})/2 (biased).
    const cross = (Math.exp(-4.5) + Math.exp(-8) + Math.exp(-2) + Math.exp(-4.5)) / 4;
    const u = mmdLoss([0, 1], [3, 4], { estimator: 'unbiased' });
    const b = mmdLoss([0, 1], [3, 4]);
    expectTensorClose(u, [2 * Math.exp(-0.5) - 2 * cross], { rtol: 1e-6, atol: 1e-7 }, 'unbiased closed form');
    expectTensorClose(b, [1 + Math.exp(-0.5) - 2 * cross], { rtol: 1e-6, atol: 1e-7 }, 'biased closed form');
    const x = tf.tensor2d([[0], [1], [3]]);
    const y = tf.tensor2d([[0.5], [2]]);
    checkGradient((p) => mmdLoss(x, p, { estimator: 'unbiased', bandwidths: [1, 3] }), [y], { label: 'unbiased gaussian' });
    expect(() => mmdLoss(x, [[1]], { estimator: 'unbiased' })).toThrow(/at least 2 points in each sample/);
    tf.dispose([x, y, u, b]);
  });
});
