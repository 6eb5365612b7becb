import * as tf from '@tensorflow/tfjs';
import { describeLoss, describeMetric, expectNoLeak, expectTensorClose, mulberry32, type LossFixtures, type Sample } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { createSsimMetric, gaussianTaps, ssim, ssimLoss } from './ssim.js';
import fixtures from './ssim.fixtures.json' with { type: 'json' };

/** A random image in [0, 1] and a noisy copy (SSIM needs correlated images to be informative). */
const imageSample = (shape: number[], rng: () => number): Sample => {
  const yTrue = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng());
  return { yTrue, yPred: yTrue.map((v) => Math.min(1, Math.max(0, v + 0.3 * (rng() - 0.5)))) };
};

const imageContract = {
  sample: imageSample,
  shapes: [
    [1, 11, 11, 1],
    [2, 12, 13, 3],
  ],
  noneShape: (s: number[]) => [s[0]!],
  perfectShape: [2, 12, 12, 1],
  mismatch: [
    [1, 12, 12, 1],
    [1, 12, 13, 1],
  ] as [number[], number[]],
  invalid: [
    [{ dataRange: 0 }, /ssim.*'dataRange' must be > 0/],
    [{ sigma: -1 }, /'sigma' must be > 0/],
    [{ k1: 0 }, /'k1' must be > 0/],
    [{ k2: Number.NaN }, /'k2' must be > 0/],
  ] as Array<[Record<string, unknown>, RegExp]>,
  // Central differences on the 1x12x12x1 case (144 pixels, 288 evaluations).
  gradPoints: [{ ...fixtures.cases[2]!, yTrueShape: fixtures.cases[2]!.shape }],
  // Not the stock 2-D dense-model check (SSIM needs NHWC images); a conv model trains with ssimLoss below.
  layers: false,
};

describeLoss('ssim', ssim, { fixtures, perfect: 1, ...imageContract });

// The loss is 1 − SSIM: its references follow from the same float64 values.
const lossFixtures: LossFixtures = {
  meta: fixtures.meta,
  cases: fixtures.cases.map((c) => ({
    ...c,
    none: c.none.map((v) => 1 - v),
    mean: 1 - c.mean,
    sum: c.none.length - c.sum,
    gradOfSum: c.gradOfSum.map((g) => -g),
  })),
};
describeLoss('ssimLoss', ssimLoss, { fixtures: lossFixtures, perfect: 0, ...imageContract });

describeMetric('ssim', {
  create: () => createSsimMetric(),
  functional: (t, p) => ssim(t, p),
  sample: imageSample,
  batchShape: [2, 12, 12, 2],
  higherIsBetter: true,
});

describe('ssim details', () => {
  it('uses an 11-tap Gaussian window at σ 1.5 (scipy radius ⌊3.5σ + 0.5⌋)', () => {
    const taps = gaussianTaps(1.5);
    expect(taps).toHaveLength(11);
    expect(taps.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(taps[5]! / taps[4]!).toBeCloseTo(Math.exp(0.5 / 2.25), 12);
    expect(gaussianTaps(1)).toHaveLength(9);
  });

  it('matches the float64 gradient relative to its own scale', () => {
    // The contract compares gradients at atol 1e-4; SSIM gradients at R = 255 are ~1e-6, so this
    // check scales the tolerance by the largest reference component (float32 vs float64 measured ≤ 5e-6 of it).
    for (const c of fixtures.cases) {
      const yTrue = tf.tensor(c.yTrue, c.shape);
      const yPred = tf.tensor(c.yPred, c.shape);
      const g = tf.grad((x: tf.Tensor) => ssim(yTrue, x, { ...c.options, reduction: 'sum' }))(yPred);
      const scale = Math.max(...c.gradOfSum.map(Math.abs));
      expectTensorClose(g, c.gradOfSum, { rtol: 1e-3, atol: 1e-4 * scale }, `ssim ∂/∂yPred ${JSON.stringify(c.options)}`);
      tf.dispose([yTrue, yPred, g]);
    }
  });

  it('is symmetric and 1 only for identical images', () => {
    const s = imageSample([2, 12, 12, 1], mulberry32(4));
    const a = tf.tensor(s.yTrue, [2, 12, 12, 1]);
    const b = tf.tensor(s.yPred, [2, 12, 12, 1]);
    const ab = ssim(a, b, { reduction: 'none' });
    const ba = ssim(b, a, { reduction: 'none' });
    expectTensorClose(ab, ba, { rtol: 1e-6, atol: 1e-6 }, 'ssim(a, b) vs ssim(b, a)');
    expect(Math.max(...ab.dataSync())).toBeLessThan(0.99);
    tf.dispose([a, b, ab, ba]);
  });

  it('rejects non-NHWC inputs and images smaller than the window', () => {
    expect(() => ssim(tf.zeros([12, 12, 1]), tf.zeros([12, 12, 1]))).toThrow(/ssim: 'yPred' must have rank 4/);
    expect(() => ssim(tf.zeros([1, 10, 12, 1]), tf.zeros([1, 10, 12, 1]))).toThrow(/at least 11x11 pixels/);
    expect(() => ssimLoss(tf.zeros([1, 8, 8, 1]), tf.zeros([1, 8, 8, 1]), { sigma: 1 })).toThrow(/ssimLoss: images must be at least 9x9/);
    try {
      ssim(tf.zeros([1, 10, 12, 1]), tf.zeros([1, 10, 12, 1]));
    } catch (err) {
      expect((err as Error).name).toBe('ValueError');
    }
  });

  it('trains an image-output model as a tfjs-layers loss without leaking', async () => {
    // dense + reshape rather than conv2d: stock wasm has no Conv2DBackpropFilter (STACK.md), and this
    // test is about the loss, so it must run on every test backend.
    const rng = mulberry32(8);
    const s = imageSample([2, 12, 12, 1], rng);
    const x = tf.tensor(s.yPred, [2, 144]);
    const y = tf.tensor(s.yTrue, [2, 12, 12, 1]);
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [144], units: 144, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }), tf.layers.reshape({ targetShape: [12, 12, 1] })],
    });
    model.compile({ optimizer: tf.train.adam(0.01), loss: (t: tf.Tensor, p: tf.Tensor) => ssimLoss(t, p) });
    const l1 = (await model.trainOnBatch(x, y)) as number; // creates Adam's slots
    expect(Number.isFinite(l1)).toBe(true);
    await expectNoLeak(async () => {
      let last = l1;
      for (let i = 0; i < 4; i++) last = (await model.trainOnBatch(x, y)) as number;
      expect(last).toBeLessThan(l1);
    }, 'ssimLoss training');
    model.dispose();
    tf.dispose([x, y]);
  });
});
