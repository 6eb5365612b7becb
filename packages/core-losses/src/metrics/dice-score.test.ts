import * as tf from '@tensorflow/tfjs';
import { describeLoss, describeMetric, expectTensorClose, sizeOf, type Sample } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { diceScore, diceScoreMetric } from './dice-score.js';
import fixtures from './dice-score.fixtures.json' with { type: 'json' };

/** {0, 1} masks and prediction probabilities in (0, 1). */
const maskSample = (shape: number[], rng: () => number): Sample => {
  const n = sizeOf(shape);
  return { yTrue: Array.from({ length: n }, () => (rng() < 0.4 ? 1 : 0)), yPred: Array.from({ length: n }, () => rng()) };
};

describeLoss('diceScore', diceScore, {
  fixtures,
  differentiable: false,
  perfect: 1,
  sample: maskSample,
  shapes: [[2, 3], [2, 3, 4], [3, 2, 2, 2]],
  noneShape: (shape) => [shape[0] as number],
  invalid: [
    [{ threshold: Number.NaN }, /diceScore: option 'threshold' must be a finite number. Value: NaN/],
    [{ threshold: '0.5' }, /'threshold' must be a finite number/],
  ],
});

describeMetric('diceScoreMetric', {
  create: () => diceScoreMetric(),
  functional: (t, p) => diceScore(t, p),
  sample: maskSample,
  batchShape: [3, 4, 5],
  higherIsBetter: true,
});

describe('diceScore: definitions', () => {
  it('is 2|T∩P|/(|T| + |P|) per image; empty vs empty is 1, empty vs non-empty 0', () => {
    const t = [[1, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]];
    const p = [[0.9, 0.2, 0.6, 0.1], [0.1, 0.2, 0.3, 0.4], [0.5, 0, 0, 0]];
    const value = diceScore(t, p, { reduction: 'none' });
    expectTensorClose(value, [0.5, 1, 0], { rtol: 0, atol: 1e-7 }, 'per image');
    value.dispose();
  });

  it('counts yPred ≥ threshold as foreground (threshold 0 for logits)', () => {
    const atHalf = diceScore([[1, 0]], [[0.5, 0.49]]);
    const logits = diceScore([[1, 0]], [[0, -0.1]], { threshold: 0 });
    expectTensorClose(atHalf, [1], { rtol: 0, atol: 0 }, '0.5 is foreground');
    expectTensorClose(logits, [1], { rtol: 0, atol: 0 }, 'logit 0 is foreground');
    tf.dispose([atHalf, logits]);
  });

  it('validates options when the metric is created', () => {
    expect(() => diceScoreMetric({ threshold: Number.POSITIVE_INFINITY })).toThrow(/diceScoreMetric: option 'threshold'/);
  });
});
