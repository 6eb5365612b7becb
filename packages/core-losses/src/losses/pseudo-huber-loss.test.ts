import * as tf from '@tensorflow/tfjs';
import { checkGradient, describeLoss, expectTensorClose } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { pseudoHuberLoss, scheduledDelta } from './pseudo-huber-loss.js';
import fixtures from './pseudo-huber-loss.fixtures.json' with { type: 'json' };

const exp = { kind: 'exponential', c: 0.1, numTimesteps: 1000 } as const;

describeLoss('pseudoHuberLoss', pseudoHuberLoss, {
  fixtures,
  invalid: [
    [{ delta: -1 }, /'delta' must be > 0. Value: -1/],
    [{ t: 5 }, /option 't' needs option 'schedule'/],
    [{ schedule: exp }, /option 'schedule' needs option 't'/],
    [{ t: -1, schedule: exp }, /'t' must hold finite numbers >= 0. Value: -1/],
    [{ t: 1.5, schedule: { kind: 'snr', c: 0.1, alphasCumprod: [0.9, 0.5] } }, /integer indices into schedule.alphasCumprod \(length 2\). Value: 1.5/],
    [{ t: 1, schedule: { kind: 'cosine' } }, /'schedule.kind' must be one of constant, exponential, snr/],
    [{ t: 1, schedule: () => 0 }, /δ\(1\) = 0; δ must be finite and > 0/],
  ],
});

describe('pseudoHuberLoss', () => {
  it('keeps e²/2 for errors far below δ (no cancellation in √(1 + x²) − 1)', () => {
    // float32 √(1 + 1e-8) − 1 is exactly 0, so the textbook form would return 0 here.
    const out = pseudoHuberLoss([0, 0], [1e-4, -3e-5], { reduction: 'none' });
    expectTensorClose(out, [5e-9, 4.5e-10], { rtol: 1e-6, atol: 0 }, 'tiny errors');
    out.dispose();
  });

  it('tends to δ·|e| − δ² for |e| ≫ δ', () => {
    const out = pseudoHuberLoss([0], [1000], { delta: 0.5, reduction: 'sum' });
    expectTensorClose(out, [0.25 * (Math.sqrt(1 + 4e6) - 1)], {}, 'large error');
    out.dispose();
  });

  it('has the closed-form gradient e/√(1 + (e/δ)²)', () => {
    const yTrue = tf.tensor1d([0, 0, 1]);
    const p = [0.5, -2, 4];
    const d = 0.7;
    checkGradient((x) => pseudoHuberLoss(yTrue, x, { delta: d, reduction: 'sum' }), [p], {
      expected: () => [p.map((v, i) => (v - [0, 0, 1][i]!) / Math.sqrt(1 + ((v - [0, 0, 1][i]!) / d) ** 2))],
      label: 'pseudoHuberLoss closed form',
    });
    yTrue.dispose();
  });

  it('applies δ(t) per sample along axis 0 (a tensor t equals per-sample scalar calls)', () => {
    const yTrue = tf.tensor2d([[0, 1], [2, 3]]);
    const yPred = tf.tensor2d([[0.5, -1], [4, 3.3]]);
    const t = tf.tensor1d([100, 800]);
    const both = pseudoHuberLoss(yTrue, yPred, { t, schedule: exp, reduction: 'none' });
    const rows = [100, 800].map((ti, i) =>
      pseudoHuberLoss(tf.slice(yTrue, [i, 0], [1, 2]), tf.slice(yPred, [i, 0], [1, 2]), { delta: scheduledDelta(ti, exp), reduction: 'none' }),
    );
    expectTensorClose(both, tf.concat(rows, 0), {}, 'per-sample δ');
    tf.dispose([yTrue, yPred, t, both, ...rows]);
  });

  it('computes the diffusers schedules: exponential from 1 to c, snr from 1 toward c', () => {
    expect(scheduledDelta(0, exp)).toBe(1);
    expect(scheduledDelta(1000, exp)).toBeCloseTo(0.1, 12);
    expect(scheduledDelta(500, exp)).toBeCloseTo(Math.sqrt(0.1), 12);
    const snr = { kind: 'snr', c: 0.2, alphasCumprod: [1, 0.25] } as const;
    expect(scheduledDelta(0, snr)).toBe(1); // σ = 0
    expect(scheduledDelta(1, snr)).toBeCloseTo(0.8 / (1 + Math.sqrt(3)) ** 2 + 0.2, 12);
    expect(scheduledDelta(3, (ti) => 1 / (1 + ti))).toBe(0.25);
  });

  it('throws ShapeError when t does not have one entry per sample', () => {
    const call = () => pseudoHuberLoss([[0, 1], [2, 3]], [[0, 1], [2, 3]], { t: [1, 2, 3], schedule: exp });
    expect(call).toThrow(/option 't' must be one number or have shape \[batch\] = \[2\]. Shape: \[3\]/);
  });
});
