import * as tf from '@tensorflow/tfjs';
import { describeLoss, expectTensorClose, normals, sizeOf, type Sample } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { ntlMseLoss } from './ntl-mse-loss.js';
import { ntlWasLoss } from './ntl-was-loss.js';
import fixtures from './ntl-was-loss.fixtures.json' with { type: 'json' };

/** Target ids [...] in [0, V) (all number tokens under the default ordinal tokenValues) beside normal logits [..., V]. */
const numberTokenSample = (shape: number[], rng: () => number): Sample => ({
  yTrue: Array.from({ length: sizeOf(shape.slice(0, -1)) }, () => Math.floor(rng() * shape[shape.length - 1]!)),
  yPred: normals(sizeOf(shape), rng),
});

describeLoss('ntlWasLoss', ntlWasLoss, {
  fixtures,
  sample: numberTokenSample,
  yTrueShape: (shape) => shape.slice(0, -1),
  noneShape: (shape) => shape.slice(0, -1),
  shapes: [[2, 3, 4], [3, 5], [2, 2, 2, 3]],
  mismatch: [[2, 3, 8], [2, 4, 8]],
  // W₁ to a point mass is 0 only when all probability sits on the target token: infinite logits.
  perfect: false,
  invalid: [
    [{ targets: 'numbers' }, /'targets' must be one of ids, values/],
    [{ tokenValues: { 8: 1 } }, /'tokenValues' keys must be token ids, integers in \[0, 8\). Value: 8/],
    [{ tokenValues: { 1: Number.NaN } }, /'tokenValues' values must be finite numbers/],
    [{ tokenValues: {} }, /at least one number token/],
    [{ tokenValues: { '1': 0, '01': 1 } }, /'tokenValues' names token 1 twice/],
    [{ ignoreIndex: 0.5 }, /'ignoreIndex' must be an integer/],
  ],
});

describe('ntlWasLoss', () => {
  it('is the mean distance to the target under uniform number-token probabilities', () => {
    // Digits 0..9 as tokens 0..9 of a 12-token vocabulary; uniform logits; target 4: mean |k − 4| = 25/10.
    const digits = Object.fromEntries(Array.from({ length: 10 }, (_, k) => [String(k), k]));
    const v = ntlWasLoss([4], tf.zeros([1, 12]), { tokenValues: digits });
    expectTensorClose(v, [2.5], { rtol: 1e-6, atol: 0 }, 'uniform over digits');
    v.dispose();
  });

  it('sees the mass on wrong tokens that NTL-MSE misses', () => {
    // Half the mass on 3, half on 5, target 4: E[v] = 4 so NTL-MSE is 0, while W₁ = 1.
    const logits = tf.tensor2d([[-30, -30, -30, 0, -30, 0]]);
    const was = ntlWasLoss([4], logits);
    const mse = ntlMseLoss([4], logits);
    expectTensorClose(was, [1], { rtol: 1e-5, atol: 0 }, 'WAS');
    expectTensorClose(mse, [0], { rtol: 0, atol: 1e-9 }, 'MSE');
    tf.dispose([logits, was, mse]);
  });

  it('ignores positions whose target is not a number token or is ignoreIndex, and their logits get no gradient', () => {
    const tokenValues = new Map([[1, 0], [2, 1], [3, 2]]);
    const logits = tf.tensor3d([[[5, 1, 2, 3], [5, 1, 2, 3], [5, 1, 2, 3]]]);
    const ids = [[0, 2, -100]];
    const none = ntlWasLoss(ids, logits, { tokenValues, reduction: 'none' });
    const mean = ntlWasLoss(ids, logits, { tokenValues });
    const g = tf.grad((x: tf.Tensor) => ntlWasLoss(ids, x, { tokenValues }))(logits);
    const p = [Math.exp(1), Math.exp(2), Math.exp(3)].map((e, _, a) => e / (a[0]! + a[1]! + a[2]!));
    const w1 = p[0]! * 1 + p[2]! * 1;
    expectTensorClose(none, [[0, w1, 0]], { rtol: 1e-5, atol: 1e-7 }, 'none');
    expectTensorClose(mean, [w1], { rtol: 1e-5, atol: 1e-7 }, 'mean over the one valid position');
    const grad = g.arraySync() as number[][][];
    expect(grad[0]![0]).toEqual([0, 0, 0, 0]);
    expect(grad[0]![2]).toEqual([0, 0, 0, 0]);
    expect(grad[0]![1]![0]).toBe(0); // token 0 is not a number token
    tf.dispose([logits, none, mean, g]);
  });

  it('takes tokenValues as a Map or as an object with string keys', () => {
    const logits = tf.tensor2d([[0.1, 0.5, -0.3, 1.2], [1, 0, 0, 2]]);
    const a = ntlWasLoss([3, 1], logits, { tokenValues: new Map([[1, 10], [3, 30]]) });
    const b = ntlWasLoss([3, 1], logits, { tokenValues: { '1': 10, '3': 30 } });
    expectTensorClose(b, a, { rtol: 0, atol: 0 }, 'Map vs object');
    tf.dispose([logits, a, b]);
  });

  it('stays finite for logits of ±1e4 (value and gradient)', () => {
    const logits = tf.tensor2d([[1e4, -1e4, 0, 1e4], [-1e4, -1e4, -1e4, -1e4]]);
    const v = ntlWasLoss([1, 2], logits);
    const g = tf.grad((x: tf.Tensor) => ntlWasLoss([1, 2], x))(logits);
    // Row 0: mass ½ on values 0 and 3 for target 1: W₁ = ½·1 + ½·2 = 1.5; row 1 uniform, target 2: (2+1+0+1)/4 = 1.
    expectTensorClose(v, [1.25], { rtol: 1e-6, atol: 0 }, '±1e4');
    expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([logits, v, g]);
  });

  it('accepts −∞ logits on tokens that are not number tokens (a masked vocabulary)', () => {
    const tokenValues = { '1': 0, '2': 1 };
    const masked = ntlWasLoss([2], [[Number.NEGATIVE_INFINITY, 0, 0, Number.NEGATIVE_INFINITY]], { tokenValues });
    const g = tf.grad((x: tf.Tensor) => ntlWasLoss([2], x, { tokenValues }))(tf.tensor2d([[Number.NEGATIVE_INFINITY, 0, 0, 0]]));
    expectTensorClose(masked, [0.5], { rtol: 1e-6, atol: 0 }, 'half the mass one unit away');
    expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([masked, g]);
  });

  it('rejects ids outside the vocabulary and a mask of the wrong shape', () => {
    expect(() => ntlWasLoss([[7]], tf.zeros([1, 1, 4]))).toThrow(/Value: 7 at flat index 0/);
    expect(() => ntlWasLoss([1, 2], tf.zeros([2, 4]), { mask: [1, 1, 1] })).toThrow(/option 'mask' must have shape \[2\]/);
    expect(() => ntlWasLoss([1, 2, 3], tf.zeros([2, 4]), { targets: 'values' })).toThrow(/'yTrue' must have the shape of 'yPred' without its last axis/);
  });
});
