import * as tf from '@tensorflow/tfjs';
import { checkGradient, describeLoss, describeMetric, expectTensorClose, normals } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { createR2Metric, r2Score } from './r2-score.js';
import fixtures from './r2-score.fixtures.json' with { type: 'json' };

// A metric (higher is better): no reductions, 1 at a perfect prediction; the layers check is for losses.
describeLoss('r2Score', r2Score, {
  fixtures,
  reductions: false,
  perfect: 1,
  layers: false,
  invalid: [[{ multioutput: 'raw_values' }, /'multioutput' must be one of flatten, uniform_average, variance_weighted. Value: raw_values/]],
});

// Correlated pairs, so R² is away from 0 and the accumulated/one-call comparison is meaningful.
const correlated = (shape: number[], rng: () => number) => {
  const n = shape.reduce((a, b) => a * b, 1);
  const yTrue = normals(n, rng);
  const noise = normals(n, rng);
  return { yTrue, yPred: yTrue.map((v, i) => v + 0.5 * noise[i]!) };
};
for (const multioutput of ['flatten', 'uniform_average', 'variance_weighted'] as const) {
  describeMetric(`r2Score (${multioutput})`, {
    create: () => createR2Metric({ multioutput }),
    functional: (t, p) => r2Score(t, p, { multioutput }),
    sample: correlated,
    higherIsBetter: true,
  });
}

describe('r2Score', () => {
  it('is 0 for the mean prediction and negative for worse', () => {
    const y = [1, 2, 3, 6];
    const mean = r2Score(y, [3, 3, 3, 3]);
    const worse = r2Score(y, [6, 3, 2, 1]);
    expectTensorClose(mean, [0], { atol: 1e-6 }, 'mean prediction');
    expect(worse.dataSync()[0]).toBeLessThan(0);
    tf.dispose([mean, worse]);
  });

  it('scores a constant target 1 if hit exactly, else 0 (sklearn force_finite), in both forms', () => {
    const hit = r2Score([2, 2, 2], [2, 2, 2]);
    const miss = r2Score([2, 2, 2], [2, 2, 2.5]);
    expectTensorClose(hit, [1], {}, 'constant, exact');
    expectTensorClose(miss, [0], {}, 'constant, missed');
    const m = createR2Metric();
    m.update([2, 2], [2, 2.5]);
    expect(m.compute()).toBe(0);
    tf.dispose([hit, miss]);
  });

  it('has the gradient −2(ŷ − y)/SS_tot', () => {
    const y = [0, 1, 2, 5];
    const yTrue = tf.tensor1d(y);
    const mean = 2;
    const ssTot = y.reduce((a, v) => a + (v - mean) ** 2, 0);
    const p = [0.5, 1, 3, 4];
    checkGradient((x) => r2Score(yTrue, x), [p], { expected: () => [p.map((v, i) => (-2 * (v - y[i]!)) / ssTot)], label: 'r2Score closed form' });
    yTrue.dispose();
  });

  it('rejects a batch with another number of outputs', () => {
    const m = createR2Metric({ multioutput: 'uniform_average' });
    m.update([[1, 2], [3, 4]], [[1, 2], [3, 5]]);
    expect(() => m.update([[1, 2, 3]], [[1, 2, 3]])).toThrow(/batch has 3 outputs \(last axis\) but earlier batches had 2/);
  });
});
