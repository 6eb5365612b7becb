import * as tf from '@tensorflow/tfjs';
import { describeLoss, expectTensorClose, normals, sizeOf, type Sample } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { zLoss } from './z-loss.js';
import fixtures from './z-loss.fixtures.json' with { type: 'json' };

const oneHotLogits = (shape: number[], rng: () => number): Sample => {
  const c = shape[shape.length - 1] as number;
  const yTrue: number[] = [];
  for (let r = 0; r < sizeOf(shape) / c; r++) {
    const k = Math.floor(rng() * c);
    for (let j = 0; j < c; j++) yTrue.push(j === k ? 1 : 0);
  }
  return { yTrue, yPred: normals(sizeOf(shape), rng) };
};

const softplus = (u: number) => Math.log1p(Math.exp(u));

describeLoss('zLoss', zLoss, {
  fixtures,
  sample: oneHotLogits,
  noneShape: (shape) => shape.slice(0, -1),
  perfect: false, // a softplus never reaches 0
  layers: true,
  invalid: [
    [{ a: 0 }, /'a' must be > 0. Value: 0/],
    [{ b: Number.NaN }, /'b' must be a finite number. Value: NaN/],
    [{ eps: -1 }, /'eps' must be > 0/],
  ],
  gradPoints: [{ yTrue: [0, 0, 1, 0, 1, 0], yPred: [0.5, -1, 2, 1.5, 0.2, -0.7], shape: [2, 3], options: { a: 2, b: 0.5 } }],
});

describe('zLoss: the paper\'s definition', () => {
  it('is (1/a)·softplus(a(b − z_c)) with z the population z-score', () => {
    // o = [0, 0, 3]: μ = 1, σ = √2, z_c = 2/√2 = √2.
    const value = zLoss([[0, 0, 1]], [[0, 0, 3]], { a: 2, b: 1 });
    expectTensorClose(value, [softplus(2 * (1 - Math.SQRT2)) / 2], { rtol: 1e-6, atol: 1e-7 }, 'closed form');
    value.dispose();
  });

  it('is invariant to shifting and (positively) scaling the outputs', () => {
    const z = tf.tensor([[0, 1, 0, 0], [0, 0, 0, 1]]);
    const o = tf.tensor([[0.3, -1.2, 2, 0.1], [1, 0.5, -0.7, 0.2]]);
    const base = zLoss(z, o, { reduction: 'none' });
    const moved = zLoss(z, tf.add(tf.mul(o, 37), -5), { reduction: 'none' });
    expectTensorClose(moved, base, { rtol: 1e-5, atol: 1e-6 }, 'shift and scale');
    tf.dispose([z, o, base, moved]);
  });

  it('stays finite for outputs of ±1e4 and for constant outputs', () => {
    const z = tf.tensor([[0, 1, 0], [1, 0, 0]]);
    const o = tf.tensor([[1e4, -1e4, 0], [2, 2, 2]]);
    const value = zLoss(z, o, { reduction: 'none' });
    // Row 1: z = [√(3/2), −√(3/2), 0], target z_c = −√1.5. Row 2: constant → z = 0 → softplus(b).
    expectTensorClose(value, [softplus(1 + Math.sqrt(1.5)), softplus(1)], { rtol: 1e-5, atol: 1e-6 }, 'values');
    const g = tf.grad((v: tf.Tensor) => zLoss(z, v, { reduction: 'sum' }))(o);
    expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([z, o, value, g]);
  });

  it('needs at least two classes', () => {
    expect(() => zLoss([[1]], [[0.3]])).toThrow(/at least 2 entries/);
  });
});
