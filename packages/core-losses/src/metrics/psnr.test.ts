import * as tf from '@tensorflow/tfjs';
import { describeLoss, describeMetric, expectTensorClose, mulberry32, normals, type LossFixtures } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { createPsnrMetric, psnr, psnrLoss } from './psnr.js';
import fixtures from './psnr.fixtures.json' with { type: 'json' };

const perSample = {
  shapes: [
    [2, 3],
    [2, 3, 4],
    [1, 4, 4, 1],
  ],
  noneShape: (s: number[]) => [s[0]!],
  // Identical inputs give ±Infinity, not a finite optimum: checked below instead.
  perfect: false as const,
  invalid: [
    [{ dataRange: 0 }, /'dataRange' must be > 0/],
    [{ dataRange: Number.POSITIVE_INFINITY }, /'dataRange' must be > 0/],
  ] as Array<[Record<string, unknown>, RegExp]>,
};

// PSNR is a metric (higher is better): the stock layers check trains a model to lower its loss.
describeLoss('psnr', psnr, { fixtures, ...perSample, layers: false });

const lossFixtures: LossFixtures = {
  meta: fixtures.meta,
  cases: fixtures.cases.map((c) => ({ ...c, none: c.none.map((v) => -v), mean: -c.mean, sum: -c.sum, gradOfSum: c.gradOfSum.map((g) => -g) })),
};
// −PSNR works on [batch, features] outputs, so the stock dense-model layers check applies.
describeLoss('psnrLoss', psnrLoss, { fixtures: lossFixtures, ...perSample });

describeMetric('psnr', {
  create: () => createPsnrMetric({ dataRange: 2 }),
  functional: (t, p) => psnr(t, p, { dataRange: 2 }),
  sample: (shape, rng) => ({ yTrue: normals(shape[0]! * shape[1]!, rng), yPred: normals(shape[0]! * shape[1]!, rng) }),
  higherIsBetter: true,
});

describe('psnr details', () => {
  it('is 10·log10(R²/MSE): 20 dB for an MSE of R²/100, per sample', () => {
    const t = tf.tensor([[0, 0, 0, 0], [1, 1, 1, 1]]);
    const p = tf.tensor([[0.1, -0.1, 0.1, -0.1], [1.2, 0.8, 1.2, 0.8]]); // MSE 0.01 and 0.04
    expectTensorClose(psnr(t, p, { reduction: 'none' }), [20, 10 * Math.log10(25)], { rtol: 1e-5, atol: 1e-5 }, 'psnr, R = 1');
    expectTensorClose(psnr(t, p, { dataRange: 10, reduction: 'none' }), [40, 20 + 10 * Math.log10(25)], { rtol: 1e-5, atol: 1e-5 }, 'psnr, R = 10');
    tf.dispose([t, p]);
  });

  it('is +Infinity (−Infinity as a loss) for identical samples', () => {
    const x = tf.tensor(normals(8, mulberry32(1)), [2, 4]);
    expect(psnr(x, x).dataSync()[0]).toBe(Number.POSITIVE_INFINITY);
    expect(psnrLoss(x, x).dataSync()[0]).toBe(Number.NEGATIVE_INFINITY);
    x.dispose();
  });

  it('needs a batch axis', () => {
    expect(() => psnr([1, 2, 3], [1, 2, 4])).toThrow(/psnr: 'yPred' must have rank >= 2/);
  });
});
