import * as tf from '@tensorflow/tfjs';
import { checkGradient, describeLoss, mulberry32, normals, type Sample } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { umseLoss } from './umse-loss.js';
import fixtures from './umse-loss.fixtures.json' with { type: 'json' };

/** A clean signal x, an estimate x + 0.1·e and three references x + 0.05·e_k stacked on a last axis. */
const refSample = (shape: number[], rng: () => number): Sample => {
  const n = shape.reduce((a, b) => a * b, 1);
  const clean = Array.from({ length: n }, () => rng());
  const est = normals(n, rng).map((e, i) => clean[i]! + 0.1 * e);
  const refs = [0, 1, 2].map(() => normals(n, rng).map((e, i) => clean[i]! + 0.05 * e));
  return { yTrue: clean.flatMap((_, i) => refs.map((r) => r[i]!)), yPred: est };
};

describeLoss('umseLoss', umseLoss, {
  fixtures,
  sample: refSample,
  yTrueShape: (s) => [...s, 3],
  // fn(y, y) has no meaning: yTrue carries the references on an extra axis (a = b = c = f gives 0, below).
  perfect: false,
  // tfjs-layers requires targets shaped like the model output; yTrue has the extra reference axis.
  layers: false,
});

describe('umseLoss details', () => {
  it('is 0 when every reference equals the estimate', () => {
    const f = tf.tensor(normals(12, mulberry32(1)), [3, 4]);
    const refs = tf.stack([f, f, f], -1);
    expect(umseLoss(refs, f).dataSync()[0]).toBe(0);
    tf.dispose([f, refs]);
  });

  it('estimates the supervised MSE without the clean image (Marcos-Morales et al. 2023, §3)', () => {
    const rng = mulberry32(17);
    const n = 40_000;
    const clean = Array.from({ length: n }, () => rng());
    const est = normals(n, rng).map((e, i) => clean[i]! + 0.05 * e); // true MSE 0.0025
    const noisy = () => normals(n, rng).map((e, i) => clean[i]! + 0.1 * e); // σ² = 0.01, four times the MSE
    const refs = [noisy(), noisy(), noisy()];
    const yTrue = tf.tensor(clean.flatMap((_, i) => refs.map((r) => r[i]!)), [n, 3]);
    const yPred = tf.tensor(est);
    const value = (f: () => tf.Tensor) => tf.tidy(f).dataSync()[0]!; // scalars: reading them is cheap
    const mse = value(() => tf.mean(tf.squaredDifference(yPred, tf.tensor(clean))));
    const naive = value(() => tf.mean(tf.squaredDifference(yPred, tf.gather(yTrue, 0, 1))));
    const u = value(() => umseLoss(yTrue, yPred));
    const two = value(() => umseLoss(tf.stack([tf.gather(yTrue, 0, 1), tf.gather(yTrue, 1, 1)], -1), yPred));
    // Std of the estimate ≈ 1.6e-4 here; the naive MSE to a noisy reference is off by σ² = 0.01.
    expect(Math.abs(u - mse)).toBeLessThan(6e-4);
    expect(Math.abs(two - mse)).toBeLessThan(6e-4);
    expect(naive - mse).toBeGreaterThan(0.009);
    tf.dispose([yTrue, yPred]);
  });

  it('has the closed-form gradient 2(f − a) of its sum', () => {
    const s = refSample([2, 3], mulberry32(4));
    const yTrue = tf.tensor(s.yTrue, [2, 3, 3]);
    checkGradient((f) => umseLoss(yTrue, f, { reduction: 'sum' }), [tf.tensor(s.yPred, [2, 3])], {
      expected: (f) => [tf.mul(2, tf.sub(f, tf.gather(yTrue, 0, 2)))],
      label: 'umseLoss closed form',
    });
    yTrue.dispose();
  });

  it('rejects a reference axis that is missing or not of size 2 or 3', () => {
    const f = tf.zeros([2, 3]);
    expect(() => umseLoss(tf.zeros([2, 3, 4]), f)).toThrow(/umseLoss: 'yTrue' must be yPred's shape plus a last axis of 2 or 3/);
    expect(() => umseLoss(tf.zeros([2, 3]), f)).toThrow(/\[2,3\]/);
    try {
      umseLoss(tf.zeros([2, 4, 3]), f);
    } catch (err) {
      expect((err as Error).name).toBe('ShapeError');
    }
    f.dispose();
  });
});
