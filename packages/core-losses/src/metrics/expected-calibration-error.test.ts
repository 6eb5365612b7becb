import * as tf from '@tensorflow/tfjs';
import { describeLoss, describeMetric, expectTensorClose, normals, sizeOf, type Sample } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { expectedCalibrationError, expectedCalibrationErrorMetric } from './expected-calibration-error.js';
import fixtures from './expected-calibration-error.fixtures.json' with { type: 'json' };

/** Softmax probabilities and one-hot labels that agree with the argmax most of the time. */
const calibrationSample = (shape: number[], rng: () => number): Sample => {
  const c = shape[shape.length - 1] as number;
  const yTrue: number[] = [];
  const yPred: number[] = [];
  for (let r = 0; r < sizeOf(shape) / c; r++) {
    const logits = normals(c, rng).map((v) => 2 * v);
    const noisy = logits.map((v) => v + 2 * (rng() - 0.5));
    const k = noisy.indexOf(Math.max(...noisy));
    const e = logits.map(Math.exp);
    const s = e.reduce((a, b) => a + b, 0);
    for (let j = 0; j < c; j++) {
      yTrue.push(j === k ? 1 : 0);
      yPred.push((e[j] as number) / s);
    }
  }
  return { yTrue, yPred };
};

describeLoss('expectedCalibrationError', expectedCalibrationError, {
  fixtures,
  reductions: false,
  differentiable: false,
  perfect: 0, // one-hot predictions of the right class: confidence 1, accuracy 1
  sample: calibrationSample,
  invalid: [
    [{ nBins: 0 }, /expectedCalibrationError: option 'nBins' must be an integer >= 1. Value: 0/],
    [{ nBins: 2.5 }, /'nBins' must be an integer >= 1. Value: 2.5/],
    [{ fromLogits: 'no' }, /'fromLogits' must be a boolean/],
  ],
});

describeMetric('expectedCalibrationErrorMetric', {
  create: () => expectedCalibrationErrorMetric(),
  functional: (t, p) => expectedCalibrationError(t, p),
  sample: calibrationSample,
  batchShape: [16, 4],
  higherIsBetter: false,
});

describe('expectedCalibrationError: binning', () => {
  it('weighs |accuracy − confidence| per bin by the bin share', () => {
    // Confidences 0.9, 0.9 (one hit, one miss) and 0.6, 0.6 (two hits): 0.5·|0.5 − 0.9| + 0.5·|1 − 0.6| = 0.4.
    const t = [[1, 0], [0, 1], [0, 1], [1, 0]];
    const p = [[0.9, 0.1], [0.9, 0.1], [0.4, 0.6], [0.6, 0.4]];
    const value = expectedCalibrationError(t, p, { nBins: 10 });
    expectTensorClose(value, [0.4], { rtol: 1e-6, atol: 1e-7 }, 'ECE');
    value.dispose();
  });

  it('puts a confidence on a bin edge in the lower bin, (lo, hi] as Guo et al.', () => {
    // nBins 2: 0.5 (a hit) goes to (0, 0.5], 0.75 (a miss) to (0.5, 1]: 0.5·0.5 + 0.5·0.75 = 0.625.
    const value = expectedCalibrationError([[1, 0], [0, 1]], [[0.5, 0.5], [0.75, 0.25]], { nBins: 2 });
    expectTensorClose(value, [0.625], { rtol: 1e-6, atol: 1e-7 }, 'edge');
    value.dispose();
  });

  it('reads logits with fromLogits and needs two classes', () => {
    const logits = tf.tensor([[2, 0.5, -1], [0.1, 0.3, 0.2]]);
    const t = tf.tensor([[1, 0, 0], [0, 0, 1]]);
    const a = expectedCalibrationError(t, logits, { fromLogits: true });
    const probs = tf.softmax(logits);
    const b = expectedCalibrationError(t, probs);
    expectTensorClose(a, b, { rtol: 1e-6, atol: 1e-7 }, 'fromLogits');
    tf.dispose([logits, t, a, probs, b]);
    expect(() => expectedCalibrationError([[1]], [[0.7]])).toThrow(/at least 2 entries/);
    expect(() => expectedCalibrationErrorMetric({ nBins: -1 })).toThrow(/expectedCalibrationErrorMetric: option 'nBins'/);
  });
});
