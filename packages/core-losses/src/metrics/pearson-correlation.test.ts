import * as tf from '@tensorflow/tfjs';
import { checkGradient, describeLoss, describeMetric, expectTensorClose, normals } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { createPearsonMetric, pearsonCorrelation } from './pearson-correlation.js';
import fixtures from './pearson-correlation.fixtures.json' with { type: 'json' };

describeLoss('pearsonCorrelation', pearsonCorrelation, { fixtures, reductions: false, perfect: 1, layers: false });

describeMetric('pearsonCorrelation', {
  create: createPearsonMetric,
  functional: (t, p) => pearsonCorrelation(t, p),
  sample: (shape, rng) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const yTrue = normals(n, rng);
    const noise = normals(n, rng);
    return { yTrue, yPred: yTrue.map((v, i) => 0.7 * v + noise[i]!) };
  },
  higherIsBetter: true,
});

describe('pearsonCorrelation', () => {
  it('is invariant to affine maps of yPred (a > 0) and flips sign for a < 0', () => {
    const y = [0.3, -1, 2, 0.5, 1.2];
    const p = [0.1, -0.4, 1.5, 1, 0.9];
    const base = pearsonCorrelation(y, p);
    const scaled = pearsonCorrelation(y, p.map((v) => 3 * v + 100));
    const flipped = pearsonCorrelation(y, p.map((v) => -2 * v));
    expectTensorClose(scaled, base, { rtol: 1e-5 }, 'affine');
    expectTensorClose(flipped, tf.neg(base), { rtol: 1e-5 }, 'negated');
    tf.dispose([base, scaled, flipped]);
  });

  it('is NaN for a constant input (as scipy)', () => {
    const out = pearsonCorrelation([1, 2, 3], [4, 4, 4]);
    expect(Number.isNaN(out.dataSync()[0])).toBe(true);
    out.dispose();
  });

  it('has the gradient (t̃/‖t̃‖ − r·p̃/‖p̃‖)/‖p̃‖ for centred t̃, p̃', () => {
    const y = [0, 1, 3, 2];
    const p = [1, 0.5, 2, 2.5];
    const c = (v: number[]) => {
      const m = v.reduce((a, b) => a + b) / v.length;
      return v.map((x) => x - m);
    };
    const norm = (v: number[]) => Math.sqrt(v.reduce((a, b) => a + b * b, 0));
    const [tc, pc] = [c(y), c(p)];
    const r = tc.reduce((a, v, i) => a + v * pc[i]!, 0) / (norm(tc) * norm(pc));
    const yTrue = tf.tensor1d(y);
    checkGradient((x) => pearsonCorrelation(yTrue, x), [p], {
      expected: () => [pc.map((v, i) => (tc[i]! / norm(tc) - (r * v) / norm(pc)) / norm(pc))],
      label: 'pearson closed form',
    });
    yTrue.dispose();
  });
});
