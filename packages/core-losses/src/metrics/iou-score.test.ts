import * as tf from '@tensorflow/tfjs';
import { describeLoss, describeMetric, expectTensorClose, sizeOf, type Sample } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { diceScore } from './dice-score.js';
import { iouScore, iouScoreMetric } from './iou-score.js';
import fixtures from './iou-score.fixtures.json' with { type: 'json' };

const maskSample = (shape: number[], rng: () => number): Sample => {
  const n = sizeOf(shape);
  return { yTrue: Array.from({ length: n }, () => (rng() < 0.4 ? 1 : 0)), yPred: Array.from({ length: n }, () => rng()) };
};

describeLoss('iouScore', iouScore, {
  fixtures,
  differentiable: false,
  perfect: 1,
  sample: maskSample,
  shapes: [[2, 3], [2, 3, 4], [3, 2, 2, 2]],
  noneShape: (shape) => [shape[0] as number],
  invalid: [[{ threshold: null }, /iouScore: option 'threshold' must be a finite number. Value: null/]],
});

describeMetric('iouScoreMetric', {
  create: () => iouScoreMetric({ threshold: 0.3 }),
  functional: (t, p) => iouScore(t, p, { threshold: 0.3 }),
  sample: maskSample,
  batchShape: [3, 4, 5],
  higherIsBetter: true,
});

describe('iouScore: definitions', () => {
  it('is |T∩P|/|T∪P| per image; empty vs empty is 1, empty vs non-empty 0', () => {
    const value = iouScore([[1, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]], [[0.9, 0.2, 0.6, 0.1], [0.1, 0.2, 0.3, 0.4], [0.5, 0, 0, 0]], { reduction: 'none' });
    expectTensorClose(value, [1 / 3, 1, 0], { rtol: 0, atol: 1e-7 }, 'per image');
    value.dispose();
  });

  it('equals D/(2 − D) of the hard Dice image by image', () => {
    const t = tf.tensor([[[1, 1, 0], [0, 1, 1]], [[1, 0, 0], [0, 0, 1]]]);
    const p = tf.tensor([[[0.8, 0.1, 0.9], [0.2, 0.7, 0.6]], [[0.3, 0.9, 0.1], [0.2, 0.6, 0.8]]]);
    const d = diceScore(t, p, { reduction: 'none' });
    const j = iouScore(t, p, { reduction: 'none' });
    const fromDice = tf.tidy(() => tf.div(d, tf.sub(2, d)));
    expectTensorClose(j, fromDice, { rtol: 1e-6, atol: 1e-7 }, 'J = D/(2 − D)');
    tf.dispose([t, p, d, j, fromDice]);
    expect(() => iouScoreMetric({ threshold: Number.NaN })).toThrow(/iouScoreMetric: option 'threshold'/);
  });
});
