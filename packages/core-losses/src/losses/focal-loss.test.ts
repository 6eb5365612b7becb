import * as tf from '@tensorflow/tfjs';
import { describeLoss, expectTensorClose, normals, sizeOf, type Sample } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { binaryCrossEntropy } from './binary-cross-entropy.js';
import { categoricalCrossEntropy } from './categorical-cross-entropy.js';
import { focalLoss, type FocalLossOptions } from './focal-loss.js';
import fixtures from './focal-loss.fixtures.json' with { type: 'json' };

const binarySample = (shape: number[], rng: () => number): Sample => {
  const n = sizeOf(shape);
  return { yTrue: Array.from({ length: n }, () => (rng() < 0.5 ? 1 : 0)), yPred: Array.from({ length: n }, () => 0.05 + 0.9 * rng()) };
};

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

const byMode = (mode: string) => ({ meta: fixtures.meta, cases: fixtures.cases.filter((c) => c.options.mode === mode) });

describe('focalLoss, binary mode (default)', () => {
  describeLoss('focalLoss', focalLoss, {
    fixtures: byMode('binary'),
    sample: binarySample,
    layers: { activation: 'sigmoid' },
    invalid: [
      [{ gamma: -1 }, /'gamma' must be >= 0. Value: -1/],
      [{ alpha: 1.5 }, /'alpha' must be in \[0, 1\] or null. Value: 1.5/],
      [{ alpha: [0.5, 0.5, 0.5] }, /'alpha' must be a number in \[0, 1\], null. Value: \[0.5, 0.5, 0.5\]/],
      [{ mode: 'multi' }, /'mode' must be one of binary, categorical. Value: multi/],
      [{ fromLogits: 'no' }, /'fromLogits' must be a boolean/],
    ],
    gradPoints: [
      { yTrue: [0, 1, 1], yPred: [0.2, 0.6, 0.35], options: { mode: 'binary', gamma: 2, alpha: 0.25 } },
      { yTrue: [1, 0, 0.3, 0.8], yPred: [-1.5, 0.7, 2, -0.3], options: { mode: 'binary', gamma: 0.5, alpha: null, fromLogits: true } },
    ],
  });
});

describe('focalLoss, categorical mode', () => {
  const categorical = (t: tf.Tensor | tf.TensorLike, p: tf.Tensor | tf.TensorLike, o: FocalLossOptions = {}) => focalLoss(t, p, { mode: 'categorical', ...o });
  describeLoss('focalLoss', categorical, {
    fixtures: byMode('categorical'),
    sample: categoricalSample,
    noneShape: (shape) => shape.slice(0, -1),
    layers: { activation: 'softmax' },
    invalid: [
      [{ alpha: [0.5, -1, 0.5] }, /'alpha' must be a number in \[0, 1\], null, or an array of non-negative per-class weights/],
      [{ alpha: [0.5, 0.5] }, /'alpha' must have one weight per class \(3\). Value: \[0.5, 0.5\]/],
    ],
    gradPoints: [{ yTrue: [0, 1, 0, 0.2, 0.5, 0.3], yPred: [0.3, -1, 0.8, 1.2, 0.1, -0.4], shape: [2, 3], options: { mode: 'categorical', gamma: 2, alpha: [0.2, 0.5, 0.3], fromLogits: true } }],
  });
});

describe('focalLoss: numerics and closed forms', () => {
  it('reduces to α-weighted cross-entropy at γ = 0 (binary and categorical)', () => {
    const t = tf.tensor([[1, 0, 0], [0, 0, 1]]);
    const x = tf.tensor([[0.3, -1.2, 2], [1, 0.5, -0.7]]);
    const fb = focalLoss(t, x, { gamma: 0, alpha: null, fromLogits: true, reduction: 'none' });
    const bce = binaryCrossEntropy(t, x, { fromLogits: true, reduction: 'none' });
    expectTensorClose(fb, bce, { rtol: 1e-6, atol: 1e-7 }, 'binary γ = 0');
    const fc = focalLoss(t, x, { mode: 'categorical', gamma: 0, alpha: 0.5, fromLogits: true, reduction: 'none' });
    const cce = tf.mul(categoricalCrossEntropy(t, x, { fromLogits: true, reduction: 'none' }), 0.5);
    expectTensorClose(fc, cce, { rtol: 1e-6, atol: 1e-7 }, 'categorical γ = 0');
    tf.dispose([t, x, fb, bce, fc, cce]);
  });

  it('matches −α(1 − p)^γ log p at a hand-picked point', () => {
    const p = 0.7;
    const value = focalLoss([1, 0], [p, p], { gamma: 2, alpha: 0.25, reduction: 'none' });
    expectTensorClose(value, [-0.25 * (1 - p) ** 2 * Math.log(p), -0.75 * p ** 2 * Math.log(1 - p)], { rtol: 1e-5, atol: 1e-7 }, 'binary');
    value.dispose();
  });

  it('stays finite for logits of ±1e4 in value and gradient, also with γ < 1', () => {
    const x = tf.tensor([[1e4, -1e4, 0], [-1e4, 1e4, 1e4]]);
    const z = tf.tensor([[1, 0, 0], [1, 0, 0]]);
    for (const options of [
      { gamma: 2, fromLogits: true },
      { gamma: 0.5, alpha: null, fromLogits: true },
      { mode: 'categorical' as const, gamma: 0.5, fromLogits: true },
      { mode: 'categorical' as const, gamma: 2, fromLogits: true },
    ]) {
      const value = focalLoss(z, x, { ...options, reduction: 'sum' });
      const g = tf.grad((v: tf.Tensor) => focalLoss(z, v, { ...options, reduction: 'sum' }))(x);
      const all = [...value.dataSync(), ...g.dataSync()];
      expect(all.every(Number.isFinite), `${JSON.stringify(options)}: ${all}`).toBe(true);
      tf.dispose([value, g]);
    }
    // Binary, γ = 2, α = 0.25: the badly wrong logits (z = 1, x = −1e4) cost 0.25·1e4; the right ones ≈ 0.
    const binary = focalLoss(z, x, { gamma: 2, fromLogits: true, reduction: 'none' });
    expectTensorClose(binary, [[0, 0, 0.75 * 0.25 * Math.LN2], [0.25 * 1e4, 0.75 * 1e4, 0.75 * 1e4]], { rtol: 1e-5, atol: 1e-6 }, 'binary values');
    tf.dispose([x, z, binary]);
  });

  it('stays finite for probabilities 1e-30 and 1 − 1e-8', () => {
    const p = tf.tensor([[1e-30, 1 - 1e-8, 0.5]]);
    const z = tf.tensor([[1, 0, 0]]);
    for (const mode of ['binary', 'categorical'] as const) {
      const value = focalLoss(z, p, { mode, gamma: 0.5 });
      const g = tf.grad((v: tf.Tensor) => focalLoss(z, v, { mode, gamma: 0.5 }))(p);
      const all = [...value.dataSync(), ...g.dataSync()];
      expect(all.every(Number.isFinite), `${mode}: ${all}`).toBe(true);
      tf.dispose([value, g]);
    }
    tf.dispose([p, z]);
  });
});
