import * as tf from '@tensorflow/tfjs';
import { describeLoss, describeMetric, expectTensorClose, mulberry32, type LossFixtureCase, type LossFixtures, type Sample } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { createMsSsimMetric, msSsim, msSsimLoss, msSsimMinSide } from './ms-ssim.js';
import { ssim } from './ssim.js';
import raw from './ms-ssim.fixtures.json' with { type: 'json' };

/** The 176x176 case stores 4-bit codes packed two per byte (high nibble first); pixel = code·17. */
function unpackU4(b64: string): number[] {
  const out: number[] = [];
  for (const byte of Buffer.from(b64, 'base64')) out.push((byte >> 4) * 17, (byte & 15) * 17);
  return out;
}

interface RawCase {
  shape: number[];
  options: Record<string, unknown>;
  yTrue?: number[];
  yPred?: number[];
  yTrueB64?: string;
  yPredB64?: string;
  none: number[];
  noneShape: number[];
  mean: number;
  sum: number;
  gradOfSum?: number[];
  gradAt?: { index: number[]; value: number[] };
}
const rawCases = raw.cases as RawCase[];
const cases: Array<LossFixtureCase & { gradAt?: RawCase['gradAt'] }> = rawCases.map((c) => ({
  ...c,
  yTrue: c.yTrue ?? unpackU4(c.yTrueB64!),
  yPred: c.yPred ?? unpackU4(c.yPredB64!),
}));
const fixtures: LossFixtures = { meta: raw.meta, cases };

const imageSample = (shape: number[], rng: () => number): Sample => {
  const yTrue = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng());
  return { yTrue, yPred: yTrue.map((v) => Math.min(1, Math.max(0, v + 0.2 * (rng() - 0.5)))) };
};

// Drawn-input checks use two scales (min side 22) so they stay fast; the fixtures cover five.
const twoScales = { weights: [0.4, 0.6] };
const contract = {
  sample: imageSample,
  callOptions: twoScales,
  shapes: [
    [1, 22, 22, 1],
    [2, 23, 24, 2],
  ],
  noneShape: (s: number[]) => [s[0]!],
  perfectShape: [1, 22, 22, 1],
  mismatch: [
    [1, 24, 24, 1],
    [1, 24, 25, 1],
  ] as [number[], number[]],
  invalid: [
    [{ dataRange: -1 }, /'dataRange' must be > 0/],
    [{ weights: [] }, /'weights' must be a non-empty array/],
    [{ weights: [0.5, -0.1] }, /'weights' must be a non-empty array of finite numbers >= 0/],
    [{ sigma: 0 }, /'sigma' must be > 0/],
  ] as Array<[Record<string, unknown>, RegExp]>,
  // Central differences on the two-scale 1x24x24x1 case (576 pixels).
  gradPoints: [{ ...cases[0]!, yTrueShape: cases[0]!.shape }],
  // NHWC images, not the stock dense-model check; ssimLoss's test trains an image model.
  layers: false,
};

describeLoss('msSsim', msSsim, { fixtures, perfect: 1, ...contract });
describeLoss(
  'msSsimLoss',
  msSsimLoss,
  {
    fixtures: {
      meta: fixtures.meta,
      cases: cases.map((c) => ({ ...c, none: c.none!.map((v) => 1 - v), mean: 1 - c.mean!, sum: c.none!.length - c.sum!, gradOfSum: c.gradOfSum?.map((g) => -g) })),
    },
    perfect: 0,
    ...contract,
  },
);

describeMetric('msSsim', {
  create: () => createMsSsimMetric(twoScales),
  functional: (t, p) => msSsim(t, p, twoScales),
  sample: imageSample,
  batchShape: [2, 22, 22, 1],
  higherIsBetter: true,
});

describe('msSsim details', () => {
  it('has the standard five weights and a minimum side of 176 = 11·2⁴', () => {
    expect(msSsimMinSide()).toBe(176);
    expect(msSsimMinSide({ weights: [0.5, 0.5] })).toBe(22);
    expect(msSsimMinSide({ sigma: 0.5, weights: [1, 1, 1] })).toBe(20);
  });

  it('throws ValueError below the minimum size, naming it', () => {
    const small = tf.zeros([1, 175, 200, 1]);
    expect(() => msSsim(small, small)).toThrow(/msSsim: images must be at least 176x176 pixels \(a 11x11 window after 4 halvings\)/);
    try {
      msSsim(small, small);
    } catch (err) {
      expect((err as Error).name).toBe('ValueError');
    }
    small.dispose();
  });

  it('matches the float64 gradient at sampled pixels of the standard 176x176 case, and elsewhere relative to scale', () => {
    for (const c of cases) {
      const yTrue = tf.tensor(c.yTrue, c.shape);
      const yPred = tf.tensor(c.yPred, c.shape);
      const g = tf.grad((x: tf.Tensor) => msSsim(yTrue, x, { ...c.options, reduction: 'sum' }))(yPred);
      const values = g.dataSync();
      const ref = c.gradAt ? c.gradAt.value : c.gradOfSum!;
      const actual = c.gradAt ? c.gradAt.index.map((i) => values[i]!) : Array.from(values);
      // Scaled tolerance: gradients at R = 255 are ~1e-6, below the contract's atol (float32 vs float64 measured ≤ 1.1e-5 of scale).
      const scale = Math.max(...ref.map(Math.abs));
      expectTensorClose(actual, ref, { rtol: 1e-3, atol: 1e-4 * scale }, `msSsim ∂/∂yPred ${JSON.stringify(c.options)}`);
      tf.dispose([yTrue, yPred, g]);
    }
  });

  it('with one scale is SSIM (clamped at 0)', () => {
    const s = imageSample([2, 16, 16, 1], mulberry32(2));
    const a = tf.tensor(s.yTrue, [2, 16, 16, 1]);
    const b = tf.tensor(s.yPred, [2, 16, 16, 1]);
    const one = msSsim(a, b, { weights: [1], reduction: 'none' });
    const plain = ssim(a, b, { reduction: 'none' });
    expectTensorClose(one, plain, { rtol: 1e-6, atol: 1e-6 }, 'msSsim one scale vs ssim');
    tf.dispose([a, b, one, plain]);
  });

  it('gives a zero, finite gradient where a scale is anti-correlated (relu clamp)', () => {
    // yPred = 1 − yTrue: negative contrast-structure at every scale, so MS-SSIM is 0 and flat.
    const s = imageSample([1, 22, 22, 1], mulberry32(5));
    const a = tf.tensor(s.yTrue, [1, 22, 22, 1]);
    const b = tf.sub(1, a);
    const v = msSsim(a, b, twoScales);
    const g = tf.grad((x: tf.Tensor) => msSsim(a, x, twoScales))(b);
    expect(v.dataSync()[0]).toBe(0);
    expect(Array.from(g.dataSync()).every((x) => x === 0)).toBe(true);
    tf.dispose([a, b, v, g]);
  });
});
