import * as tf from '@tensorflow/tfjs';
import { describeLoss, describeMetric, expectTensorClose, mulberry32, normals, type Sample } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { umseLoss } from '../losses/umse-loss.js';
import { createUpsnrMetric, upsnr } from './upsnr.js';
import fixtures from './upsnr.fixtures.json' with { type: 'json' };

/** A clean signal x, an estimate x + 0.1·e and three references x + 0.05·e_k stacked on a last axis. */
const refSample = (shape: number[], rng: () => number): Sample => {
  const n = shape.reduce((a, b) => a * b, 1);
  const clean = Array.from({ length: n }, () => rng());
  const est = normals(n, rng).map((e, i) => clean[i]! + 0.1 * e);
  const refs = [0, 1, 2].map(() => normals(n, rng).map((e, i) => clean[i]! + 0.05 * e));
  return { yTrue: clean.flatMap((_, i) => refs.map((r) => r[i]!)), yPred: est };
};

describeLoss('upsnr', upsnr, {
  fixtures,
  // One value over all data (a consistent estimate needs many pixels), so no per-element reductions.
  reductions: false,
  sample: refSample,
  yTrueShape: (s) => [...s, 3],
  perfect: false, // yTrue carries the references on an extra axis; fn(y, y) has no meaning
  invalid: [[{ dataRange: 0 }, /upsnr: option 'dataRange' must be > 0/]],
  layers: false, // a metric (higher is better), and targets carry an extra axis
});

describeMetric('upsnr', {
  create: () => createUpsnrMetric({ dataRange: 2 }),
  functional: (t, p) => upsnr(t, p, { dataRange: 2 }),
  sample: refSample,
  yTrueShape: (s) => [...s, 3],
  batchShape: [4, 8],
  higherIsBetter: true,
});

describe('upsnr details', () => {
  it('is 10·log10(M² / uMSE)', () => {
    const s = refSample([3, 5], mulberry32(3));
    const t = tf.tensor(s.yTrue, [3, 5, 3]);
    const p = tf.tensor(s.yPred, [3, 5]);
    const uT = umseLoss(t, p);
    const u = uT.dataSync()[0]!;
    expect(u).toBeGreaterThan(0);
    const v = upsnr(t, p, { dataRange: 255 });
    expectTensorClose(v, [10 * Math.log10((255 * 255) / u)], { rtol: 1e-5, atol: 1e-4 }, 'upsnr');
    tf.dispose([t, p, uT, v]);
  });

  it('is NaN when uMSE < 0 (the estimate equals a noisy reference), in both forms', () => {
    const f = tf.tensor([0.1, 0.5, 0.9, 0.3]);
    const refs = tf.stack([f, tf.add(f, 0.1), tf.sub(f, 0.1)], -1); // a = f: uMSE = −0.02
    const v = upsnr(refs, f);
    expect(Number.isNaN(v.dataSync()[0])).toBe(true);
    v.dispose();
    const m = createUpsnrMetric();
    m.update(refs, f);
    expect(Number.isNaN(m.compute())).toBe(true);
    m.dispose();
    tf.dispose([f, refs]);
  });
});
