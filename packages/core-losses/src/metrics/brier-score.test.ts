import * as tf from '@tensorflow/tfjs';
import { describeLoss, describeMetric, expectTensorClose, normals, sizeOf, type Sample } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { brierScore, brierScoreMetric } from './brier-score.js';
import fixtures from './brier-score.fixtures.json' with { type: 'json' };

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

describeLoss('brierScore', brierScore, {
  fixtures,
  reductions: false,
  sample: categoricalSample,
  layers: { activation: 'softmax' },
  invalid: [[{ classReduction: 'median' }, /'classReduction' must be one of sum, mean. Value: median/]],
});

describeMetric('brierScoreMetric', {
  create: () => brierScoreMetric(),
  functional: (t, p) => brierScore(t, p),
  sample: categoricalSample,
  batchShape: [5, 3],
  higherIsBetter: false,
});

describe('brierScore', () => {
  it('is the sample mean of Σ_c (p_c − z_c)² (sklearn, multi-class)', () => {
    const value = brierScore([[1, 0, 0], [0, 1, 0]], [[0.7, 0.2, 0.1], [1, 0, 0]]);
    expectTensorClose(value, [(0.14 + 2) / 2], { rtol: 1e-6, atol: 1e-7 }, 'mean of per-sample sums');
    value.dispose();
    expect(() => brierScoreMetric({ fromLogits: 'yes' as unknown as boolean })).toThrow(/brierScoreMetric: option 'fromLogits'/);
    const m = brierScoreMetric({ classReduction: 'mean' });
    m.update([[1, 0]], [[0.5, 0.5]]);
    m.update(tf.tensor([[0, 1]]), tf.tensor([[0, 1]]));
    expect(m.compute()).toBeCloseTo((0.25 + 0) / 2, 7);
    m.dispose();
  });
});
