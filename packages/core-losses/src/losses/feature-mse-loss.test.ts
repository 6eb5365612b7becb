import * as tf from '@tensorflow/tfjs';
import { checkGradient, describeLoss, expectTensorClose } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { featureMseLoss } from './feature-mse-loss.js';
import fixtures from './feature-mse-loss.fixtures.json' with { type: 'json' };

describeLoss('featureMseLoss', featureMseLoss, {
  fixtures,
  invalid: [
    [{ axis: 1.5 }, /'axis' must be an integer/],
    [{ normalize: true, axis: 3 }, /'axis' must be in \[-3, 2\]/],
    [{ normalize: 'yes' }, /'normalize' must be a boolean/],
  ],
  // The second fixture case normalises, so the central differences also cover the normalisation.
  gradPoints: [fixtures.cases[0]!, fixtures.cases[1]!].map((c) => ({ ...c, yTrueShape: c.shape })),
});

describe('featureMseLoss', () => {
  it('with normalize, sums to 2 − 2·cos per position and ignores feature scale', () => {
    const t = tf.tensor2d([[3, 4], [1, 0]]);
    const s = tf.tensor2d([[4, 3], [0, 5]]);
    // cos = 24/25 and 0; per-position sums 2/25 and 2, mean over 4 elements = (2/25 + 2)/4.
    const v = featureMseLoss(t, s, { normalize: true });
    expectTensorClose(v, [(2 / 25 + 2) / 4], { rtol: 1e-6, atol: 0 }, '2 − 2cos');
    const scaled = featureMseLoss(tf.mul(t, 1e3), tf.mul(s, 1e-3), { normalize: true });
    expectTensorClose(scaled, v, { rtol: 1e-5, atol: 0 }, 'scale-free');
    tf.dispose([t, s, v, scaled]);
  });

  it('keeps a finite gradient at an all-zero feature vector when normalising', () => {
    const t = tf.tensor2d([[1, 2, 2]]);
    const g = tf.grad((s: tf.Tensor) => featureMseLoss(t, s, { normalize: true }))(tf.zeros([1, 3]));
    expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([t, g]);
  });

  it('normalises along a channels-first axis when asked', () => {
    const t = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 2, 2]);
    const s = tf.tensor4d([8, 7, 6, 5, 4, 3, 2, 1], [1, 2, 2, 2]);
    checkGradient((x) => featureMseLoss(t, x, { normalize: true, axis: 1, reduction: 'sum' }), [s], { label: 'axis 1' });
    tf.dispose([t, s]);
  });
});
