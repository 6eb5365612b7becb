import * as tf from '@tensorflow/tfjs';
import { describeLoss, describeMetric, expectTensorClose, mulberry32, sizeOf, type Sample } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { distanceTransform, hausdorffDistance, hausdorffDistanceMetric, percentileOf, surface } from './hausdorff-distance.js';
import fixtures from './hausdorff-distance.fixtures.json' with { type: 'json' };

/**
 * [N, ...spatial] {0, 1} masks (the first pixel of every image set, so that none is empty) and prediction
 * probabilities that threshold to the mask with ~15% of the pixels flipped.
 */
const maskSample = (shape: number[], rng: () => number): Sample => {
  const n = sizeOf(shape);
  const per = n / (shape[0] as number);
  const yTrue = Array.from({ length: n }, (_, j) => (j % per === 0 || rng() < 0.45 ? 1 : 0));
  const yPred = yTrue.map((v, j) => {
    const fg = j % per === 0 ? 1 : rng() < 0.15 ? 1 - v : v;
    return fg ? 0.5 + 0.45 * rng() : 0.45 * rng();
  });
  return { yTrue, yPred };
};

describeLoss('hausdorffDistance', hausdorffDistance, {
  fixtures,
  differentiable: false,
  perfect: 0,
  sample: maskSample,
  shapes: [[2, 7], [2, 5, 6], [2, 3, 4, 5]],
  noneShape: (shape) => [shape[0] as number],
  invalid: [
    [{ percentile: 101 }, /hausdorffDistance: option 'percentile' must be in \[0, 100\]. Value: 101/],
    [{ spacing: -1 }, /'spacing' must be a positive number or an array of positive numbers. Value: -1/],
    [{ spacing: [1, 0] }, /'spacing' must be a positive number or an array of positive numbers. Value: \[1, 0\]/],
    [{ spacing: [1, 1, 1] }, /'spacing' must have one entry per spatial axis \(2 for shape \[3,12,16\]\)/],
    [{ convention: 'scipy' }, /'convention' must be one of monai, medpy. Value: scipy/],
    [{ emptyValue: 'max' }, /'emptyValue' must be a number or 'diagonal'. Value: max/],
    [{ threshold: Number.NaN }, /'threshold' must be a finite number/],
  ],
});

describeMetric('hausdorffDistanceMetric', {
  create: () => hausdorffDistanceMetric({ spacing: [1, 0.5] }),
  functional: (t, p) => hausdorffDistance(t, p, { spacing: [1, 0.5] }),
  sample: maskSample,
  batchShape: [2, 6, 7],
  higherIsBetter: false,
});

/** Nearest-feature distances by brute force (O(n·m)), the reference for the distance transform. */
function bruteForce(feature: Uint8Array, dims: number[], spacing: number[]): Float64Array {
  const coords = (j: number) => {
    const c: number[] = [];
    for (let d = dims.length - 1; d >= 0; d--) {
      c.unshift(j % (dims[d] as number));
      j = Math.floor(j / (dims[d] as number));
    }
    return c;
  };
  const features = [...feature.keys()].filter((j) => feature[j]).map(coords);
  return Float64Array.from(feature, (_, j) => {
    const c = coords(j);
    let best = Infinity;
    for (const f of features) best = Math.min(best, Math.hypot(...c.map((v, d) => (v - (f[d] as number)) * (spacing[d] as number))));
    return best;
  });
}

describe('hausdorffDistance: surfaces, distances, conventions', () => {
  it('has an exact Euclidean distance transform (vs brute force, 3-D, anisotropic spacing)', () => {
    const rng = mulberry32(4);
    const dims = [5, 6, 7];
    const feature = Uint8Array.from({ length: sizeOf(dims) }, () => (rng() < 0.05 ? 1 : 0));
    const spacing = [0.7, 1.3, 2.1];
    expectTensorClose(distanceTransform(feature, dims, spacing), bruteForce(feature, dims, spacing), { rtol: 1e-12, atol: 1e-12 }, 'EDT');
    expect(distanceTransform(new Uint8Array(6), [2, 3], [1, 1]).every((v) => v === Infinity)).toBe(true);
  });

  it('takes as surface the pixels with a background or out-of-image neighbour (cross structure)', () => {
    // A 3×4 block in a 4×4 image, touching the top and side borders: only (1, 1) and (1, 2) are interior.
    const mask = Uint8Array.from([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0]);
    expect(Array.from(surface(mask, [4, 4]))).toEqual([1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0]);
  });

  it('is the classical Hausdorff distance at percentile 100 (vs brute force)', () => {
    const rng = mulberry32(8);
    const { yTrue, yPred } = maskSample([3, 9, 11], rng);
    const value = hausdorffDistance(tf.tensor(yTrue, [3, 9, 11]), tf.tensor(yPred, [3, 9, 11]), { percentile: 100, spacing: [1.5, 0.5], reduction: 'none' });
    const expected = [0, 1, 2].map((i) => {
      const a = Uint8Array.from(yTrue.slice(i * 99, (i + 1) * 99), (v) => (v >= 0.5 ? 1 : 0));
      const b = Uint8Array.from(yPred.slice(i * 99, (i + 1) * 99), (v) => (v >= 0.5 ? 1 : 0));
      const [ea, eb] = [surface(a, [9, 11]), surface(b, [9, 11])];
      const dA = bruteForce(eb, [9, 11], [1.5, 0.5]).filter((_, j) => ea[j]);
      const dB = bruteForce(ea, [9, 11], [1.5, 0.5]).filter((_, j) => eb[j]);
      return Math.max(...dA, ...dB);
    });
    expectTensorClose(value, expected, { rtol: 1e-6, atol: 1e-6 }, 'HD100');
    value.dispose();
  });

  it('takes the max of directed percentiles (MONAI) or the pooled percentile (medpy)', () => {
    // 1-D: T = {2, 3, 4}, P = {6, 7, 8}; surfaces {2, 4} and {6, 8}; distances P→T [2, 4], T→P [4, 2].
    const t = [[0, 0, 1, 1, 1, 0, 0, 0, 0, 0]];
    const p = [[0, 0, 0, 0, 0, 0, 1, 1, 1, 0]];
    const monai = hausdorffDistance(t, p);
    const medpy = hausdorffDistance(t, p, { convention: 'medpy' });
    const scaled = hausdorffDistance(t, p, { spacing: 0.5 });
    expectTensorClose(monai, [2 + 0.95 * 2], { rtol: 1e-6, atol: 1e-6 }, 'MONAI: P95 of [2, 4] = 3.9');
    expectTensorClose(medpy, [4], { rtol: 1e-6, atol: 1e-6 }, 'medpy: P95 of [2, 2, 4, 4] = 4');
    expectTensorClose(scaled, [0.5 * 3.9], { rtol: 1e-6, atol: 1e-6 }, 'spacing 0.5');
    tf.dispose([monai, medpy, scaled]);
    expect(percentileOf(Float64Array.from([4, 1, 3, 2]), 50)).toBe(2.5); // numpy.percentile([1, 2, 3, 4], 50)
  });

  it('gives 0 for two empty masks and emptyValue (NaN by default) for one', () => {
    const t = [[[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]], [[0, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0]]];
    const p = [[[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]], [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]];
    const dflt = hausdorffDistance(t, p, { reduction: 'none' }).arraySync() as number[];
    expect(dflt[0]).toBe(0);
    expect(Number.isNaN(dflt[1])).toBe(true);
    const fixed = hausdorffDistance(t, p, { reduction: 'none', emptyValue: 7 });
    const diagonal = hausdorffDistance(t, p, { reduction: 'none', emptyValue: 'diagonal', spacing: [2, 1] });
    expectTensorClose(fixed, [0, 7], { rtol: 0, atol: 0 }, 'emptyValue 7');
    expectTensorClose(diagonal, [0, Math.hypot(3 * 2, 4 * 1)], { rtol: 1e-6, atol: 0 }, 'diagonal √((3·2)² + (4·1)²)');
    tf.dispose([fixed, diagonal]);
    expect(() => hausdorffDistanceMetric({ percentile: -5 })).toThrow(/hausdorffDistanceMetric: option 'percentile'/);
  });
});
