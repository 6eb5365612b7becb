import * as tf from '@tensorflow/tfjs';
import { describeLoss, expectTensorClose, normals, sizeOf, type Sample } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { seqKdLoss } from './seq-kd-loss.js';
import fixtures from './seq-kd-loss.fixtures.json' with { type: 'json' };

/** Teacher token ids [...] in [0, V) beside standard normal student logits [..., V]. */
const sample = (shape: number[], rng: () => number): Sample => ({
  yTrue: Array.from({ length: sizeOf(shape.slice(0, -1)) }, () => Math.floor(rng() * shape[shape.length - 1]!)),
  yPred: normals(sizeOf(shape), rng),
});

describeLoss('seqKdLoss', seqKdLoss, {
  fixtures,
  sample,
  yTrueShape: (shape) => shape.slice(0, -1),
  noneShape: (shape) => shape.slice(0, -1),
  shapes: [[2, 3, 4], [3, 5], [1, 2, 2, 3]],
  mismatch: [[2, 3, 5], [2, 4, 5]],
  // Cross-entropy is only 0 for infinitely confident logits: no finite perfect prediction.
  perfect: false,
  invalid: [
    [{ ignoreIndex: 0.5 }, /'ignoreIndex' must be an integer/],
    [{ lengths: [9, 1] }, /'lengths' must hold integers in \[0, 4\]/],
    [{ lengths: [1.5, 1] }, /'lengths' must hold integers/],
  ],
});

describe('seqKdLoss', () => {
  it('rejects ids outside the vocabulary and non-integer ids, naming the value', () => {
    const logits = tf.zeros([1, 2, 3]);
    expect(() => seqKdLoss([[0, 3]], logits)).toThrow(/token ids, integers in \[0, 3\) or ignoreIndex -100. Value: 3 at flat index 1/);
    expect(() => seqKdLoss([[0.5, 1]], logits)).toThrow(/Value: 0.5/);
    logits.dispose();
  });

  it('rejects a mask or lengths of the wrong shape', () => {
    const logits = tf.zeros([2, 3, 4]);
    const ids = [[0, 1, 2], [3, 2, 1]];
    expect(() => seqKdLoss(ids, logits, { mask: [1, 1, 1] })).toThrow(/option 'mask' must have shape \[2,3\]/);
    expect(() => seqKdLoss(ids, logits, { lengths: [3] })).toThrow(/option 'lengths' must have shape \[2\]/);
    expect(() => seqKdLoss([0, 1], tf.zeros([2, 4]), { lengths: [1, 1] })).toThrow(/'lengths' needs logits \[B, T, V\]/);
    logits.dispose();
  });

  it('is log V for uniform logits and averages over valid tokens only', () => {
    // Uniform logits: every valid token costs log V. lengths [2, 1] leaves 3 valid tokens of 6.
    const logits = tf.zeros([2, 3, 5]);
    const ids = [[1, 2, 3], [4, 0, 0]];
    const mean = seqKdLoss(ids, logits, { lengths: [2, 1] });
    const sum = seqKdLoss(ids, logits, { lengths: [2, 1], reduction: 'sum' });
    const none = seqKdLoss(ids, logits, { lengths: [2, 1], reduction: 'none' });
    expectTensorClose(mean, [Math.log(5)], { rtol: 1e-6, atol: 0 }, 'mean over valid');
    expectTensorClose(sum, [3 * Math.log(5)], { rtol: 1e-6, atol: 0 }, 'sum over valid');
    expectTensorClose(none, [[Math.log(5), Math.log(5), 0], [Math.log(5), 0, 0]], { rtol: 1e-6, atol: 0 }, 'none');
    const empty = seqKdLoss(ids, logits, { lengths: [0, 0] });
    expectTensorClose(empty, [0], { rtol: 0, atol: 0 }, 'no valid token gives 0, not NaN');
    tf.dispose([logits, mean, sum, none, empty]);
  });

  it('stays finite for logits of ±1e4 (value and gradient)', () => {
    const logits = tf.tensor3d([[[1e4, -1e4, 0], [-1e4, 1e4, 0]]]);
    const ids = tf.tensor2d([[1, 1]]);
    const value = seqKdLoss(ids, logits);
    const g = tf.grad((x: tf.Tensor) => seqKdLoss(ids, x))(logits);
    // Token 1 at position 0 costs 2e4 (its logit is 2e4 below the max); position 1 costs 0. Mean 1e4.
    expectTensorClose(value, [1e4], { rtol: 1e-6, atol: 0 }, 'CE at ±1e4');
    expectTensorClose(g, [[[0.5, -0.5, 0], [0, 0, 0]]], { rtol: 0, atol: 1e-6 }, '∂CE at ±1e4');
    tf.dispose([logits, ids, value, g]);
  });
});
