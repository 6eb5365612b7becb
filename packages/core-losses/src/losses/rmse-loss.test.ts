import * as tf from '@tensorflow/tfjs';
import { checkGradient, describeLoss, expectTensorClose } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { rmseLoss } from './rmse-loss.js';
import fixtures from './rmse-loss.fixtures.json' with { type: 'json' };

describeLoss('rmseLoss', rmseLoss, {
  fixtures,
  noneShape: () => [], // default axis: every axis, so 'none' is the one RMSE
  invalid: [
    [{ axis: 3 }, /'axis' must hold integers in \[-1, 0\].*Value: 3/],
    [{ axis: [0.5] }, /'axis' must hold integers/],
  ],
});

describe('rmseLoss', () => {
  it('takes one RMSE per sample with axis, then reduces over samples', () => {
    const yTrue = tf.tensor2d([[0, 0], [0, 0]]);
    const yPred = tf.tensor2d([[3, 4], [1, 1]]);
    const none = rmseLoss(yTrue, yPred, { axis: 1, reduction: 'none' });
    expectTensorClose(none, [Math.sqrt(12.5), 1], {}, 'per-sample RMSE');
    tf.dispose([yTrue, yPred, none]);
  });

  it('has a zero (not NaN) gradient at a perfect prediction', () => {
    const y = tf.tensor1d([1, 2, 3]);
    const g = tf.grad((p: tf.Tensor) => rmseLoss(y, p))(y);
    expect(Array.from(g.dataSync())).toEqual([0, 0, 0]);
    tf.dispose([y, g]);
  });

  it('has the closed-form gradient e / (N·RMSE)', () => {
    const yTrue = tf.tensor1d([0, 1, 2, 3]);
    const p = [1, 1, 0, 5];
    const e = p.map((v, i) => v - i);
    const r = Math.sqrt(e.reduce((a, b) => a + b * b, 0) / 4);
    checkGradient((x) => rmseLoss(yTrue, x), [p], { expected: () => [e.map((v) => v / (4 * r))], label: 'rmseLoss closed form' });
    yTrue.dispose();
  });
});
