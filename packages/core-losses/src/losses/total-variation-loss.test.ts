import * as tf from '@tensorflow/tfjs';
import { describeLoss, expectNoLeak, expectTensorClose, type Sample } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { totalVariation, totalVariationLoss } from './total-variation-loss.js';
import fixtures from './total-variation-loss.fixtures.json' with { type: 'json' };

const imageSample = (shape: number[], rng: () => number): Sample => {
  const n = shape.reduce((a, b) => a * b, 1);
  return { yTrue: Array.from({ length: n }, () => rng()), yPred: Array.from({ length: n }, () => rng()) };
};

/** An image whose neighbour differences are all ≥ 0.1 in size: far from the |·| kink for h = 1e-2. */
function staircase([n, h, w, c]: number[]): number[] {
  const out: number[] = [];
  for (let b = 0; b < n!; b++)
    for (let i = 0; i < h!; i++) for (let j = 0; j < w!; j++) for (let k = 0; k < c!; k++) out.push(0.1 * (i * w! + j) + 0.3 * ((i + j) % 2) + 0.05 * k + b);
  return out;
}
const stairShape = [1, 3, 4, 2];

describeLoss('totalVariationLoss', totalVariationLoss, {
  fixtures,
  sample: imageSample,
  shapes: [
    [1, 2, 3, 1],
    [2, 4, 5, 3],
  ],
  noneShape: (s) => [s[0]!],
  // A regulariser of yPred alone: TV(x) is not 0 at yTrue = yPred, and yTrue's shape is never read.
  perfect: false,
  mismatch: false,
  invalid: [
    [{ kind: 'l2' }, /totalVariationLoss: option 'kind' must be one of anisotropic, isotropic/],
    [{ eps: -1 }, /'eps' must be >= 0/],
  ],
  gradPoints: [
    { yTrue: staircase(stairShape), yPred: staircase(stairShape), shape: stairShape },
    { yTrue: staircase(stairShape), yPred: staircase(stairShape), shape: stairShape, options: { kind: 'isotropic', average: true } },
  ],
  // A penalty on images, not a fit to targets: it is added to a data loss, so no stand-alone layers check.
  layers: false,
});

describe('totalVariation details', () => {
  const img = () => tf.tensor([0, 1, 3, 5], [1, 2, 2, 1]);

  it('matches hand-computed values (anisotropic 10, isotropic √10 + 6)', () => {
    const x = img();
    expectTensorClose(totalVariation(x), [10], { rtol: 1e-6, atol: 1e-6 }, 'anisotropic');
    expectTensorClose(totalVariation(x, { kind: 'isotropic' }), [Math.sqrt(10) + 6], { rtol: 1e-6, atol: 1e-6 }, 'isotropic');
    expectTensorClose(totalVariation(x, { average: true }), [2.5], { rtol: 1e-6, atol: 1e-6 }, 'average over H·W·C');
    x.dispose();
  });

  it('is 0 with a zero, finite gradient for a constant image', () => {
    const x = tf.fill([2, 3, 3, 2], 0.7);
    for (const kind of ['anisotropic', 'isotropic'] as const) {
      expect(totalVariation(x, { kind }).dataSync()[0]).toBeCloseTo(0, 6);
      const g = tf.grad((v: tf.Tensor) => totalVariation(v, { kind }))(x);
      expect(Array.from(g.dataSync()).every((v) => v === 0)).toBe(true);
      g.dispose();
    }
    x.dispose();
  });

  it('ignores yTrue in the loss form (any value, even null)', async () => {
    const x = img();
    const a = totalVariationLoss(null, x, { reduction: 'none' });
    const b = totalVariation(x, { reduction: 'none' });
    expectTensorClose(a, b, { rtol: 0, atol: 0 }, 'loss form vs totalVariation');
    await expectNoLeak(() => totalVariation(x, { kind: 'isotropic' }).dispose(), 'totalVariation');
    tf.dispose([x, a, b]);
  });

  it('handles single-row and single-column images', () => {
    const x = tf.tensor(staircase([1, 1, 4, 1]), [1, 1, 4, 1]);
    // values 0, 0.4, 0.2, 0.6: |0.4| + |−0.2| + |0.4|, no vertical differences
    expectTensorClose(totalVariation(x), [1.0], { rtol: 1e-5, atol: 1e-6 }, '1x4 image');
    x.dispose();
  });

  it('rejects non-NHWC input, naming the argument', () => {
    expect(() => totalVariation(tf.zeros([3, 3]))).toThrow(/totalVariation: 'image' must have rank 4/);
    expect(() => totalVariationLoss(null, tf.zeros([3, 3]))).toThrow(/totalVariationLoss: 'yPred' must have rank 4/);
  });
});
