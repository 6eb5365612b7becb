import * as tf from '@tensorflow/tfjs';
import { describeLoss, expectTensorClose, normals, sizeOf, type Sample } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { squentropyLoss } from './squentropy-loss.js';
import fixtures from './squentropy-loss.fixtures.json' with { type: 'json' };

/** One-hot targets and standard normal logits over the last axis. */
const oneHotLogits = (shape: number[], rng: () => number): Sample => {
  const c = shape[shape.length - 1] as number;
  const yTrue: number[] = [];
  for (let r = 0; r < sizeOf(shape) / c; r++) {
    const k = Math.floor(rng() * c);
    for (let j = 0; j < c; j++) yTrue.push(j === k ? 1 : 0);
  }
  return { yTrue, yPred: normals(sizeOf(shape), rng) };
};

describeLoss('squentropyLoss', squentropyLoss, {
  fixtures,
  sample: oneHotLogits,
  noneShape: (shape) => shape.slice(0, -1),
  perfect: false, // logits: no prediction reaches 0 (CE > 0 for finite logits)
  layers: true,
  gradPoints: [{ yTrue: [0, 0, 1, 1, 0, 0], yPred: [0.5, -1, 2, 1.5, 0.2, -0.7], shape: [2, 3] }],
});

describe('squentropyLoss: closed forms and numerics', () => {
  it('is cross-entropy plus the mean square of the incorrect logits', () => {
    const value = squentropyLoss([[0, 0, 1]], [[1, 2, 3]]);
    const ce = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 3;
    expectTensorClose(value, [ce + (1 + 4) / 2], { rtol: 1e-6, atol: 1e-6 }, 'squentropy');
    value.dispose();
  });

  it('stays finite for logits of ±1e4 with the exact gradient', () => {
    const x = tf.tensor([[1e4, -1e4, 0]]);
    const z = tf.tensor([[0, 1, 0]]);
    const value = squentropyLoss(z, x);
    // CE = 2e4; square term (1e8 + 0)/2.
    expectTensorClose(value, [2e4 + 5e7], { rtol: 1e-6, atol: 0 }, 'value');
    const g = tf.grad((v: tf.Tensor) => squentropyLoss(z, v))(x);
    // softmax − z + (1 − z)·x: [1 + 1e4, −1, 0].
    expectTensorClose(g, [[1 + 1e4, -1, 0]], { rtol: 1e-6, atol: 1e-6 }, 'gradient');
    tf.dispose([x, z, value, g]);
  });

  it('needs at least two classes', () => {
    expect(() => squentropyLoss([[1]], [[0.3]])).toThrow(/class axis \(last\) of 'yPred' must have at least 2 entries/);
  });
});
