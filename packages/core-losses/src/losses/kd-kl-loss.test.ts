import * as tf from '@tensorflow/tfjs';
import { describeLoss, expectTensorClose } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { kdKlLoss } from './kd-kl-loss.js';
import fixtures from './kd-kl-loss.fixtures.json' with { type: 'json' };

describeLoss('kdKlLoss', kdKlLoss, {
  fixtures,
  // One KL per row: the class axis is summed.
  noneShape: (shape) => shape.slice(0, -1),
  invalid: [
    [{ temperature: 0 }, /'temperature' must be > 0/],
    [{ temperature: Number.NaN }, /'temperature' must be > 0/],
    [{ inputs: 'logprobs' }, /'inputs' must be one of logits, probabilities/],
  ],
});

/** Asserts every element of every tensor is finite. */
function expectFinite(xs: tf.Tensor[], label: string): void {
  for (const x of xs) expect(Array.from(x.dataSync()).every(Number.isFinite), `${label}: ${x.toString()}`).toBe(true);
}

describe('kdKlLoss reductions', () => {
  it("'mean' is torch's kl_div batchmean · τ² for [B, C]; for [B, T, C] batchmean is 'sum' / B", () => {
    // (A rank-1 input is one row here, while torch would take its classes as the batch.)
    const cases = fixtures.cases.filter((c) => c.shape.length >= 2);
    expect(cases.length).toBeGreaterThanOrEqual(4);
    for (const c of cases) {
      const t = tf.tensor(c.yTrue, c.shape);
      const s = tf.tensor(c.yPred, c.shape);
      const opts = c.options as Record<string, unknown>;
      const ours = c.shape.length === 2 ? kdKlLoss(t, s, opts) : tf.div(kdKlLoss(t, s, { ...opts, reduction: 'sum' }), c.shape[0]!);
      expectTensorClose(ours, [c.torchBatchmean], { rtol: 1e-4, atol: 1e-5 }, `batchmean, shape [${c.shape}]`);
      tf.dispose([t, s, ours]);
    }
  });
});

describe('kdKlLoss numerics', () => {
  it('stays exact and finite for logits of ±1e4 at temperatures 0.5 to 20', () => {
    // Teacher certain of class 0, student certain of class 1: p = (1, 0), log q = (−2e4/τ, 0), so
    // KL = 2e4/τ and the loss is τ²·2e4/τ = 2e4·τ; ∂/∂s = τ(q − p) = τ·(−1, 1) (exactly, once softmax saturates).
    const t = tf.tensor2d([[1e4, -1e4]]);
    const s = tf.tensor2d([[-1e4, 1e4]]);
    for (const temperature of [0.5, 1, 4, 20]) {
      const value = kdKlLoss(t, s, { temperature });
      const [gt, gs] = tf.grads((a: tf.Tensor, b: tf.Tensor) => kdKlLoss(a, b, { temperature }))([t, s]) as [tf.Tensor, tf.Tensor];
      expectFinite([value, gs, gt], `τ ${temperature}`);
      expectTensorClose(value, [2e4 * temperature], { rtol: 1e-6, atol: 0 }, `KD(±1e4) at τ ${temperature}`);
      expectTensorClose(gs, [[-temperature, temperature]], { rtol: 1e-6, atol: 1e-6 }, `∂/∂student at τ ${temperature}`);
      tf.dispose([value, gs, gt]);
    }
    tf.dispose([t, s]);
  });

  it('is 0 with zero gradient when student and teacher logits agree at ±1e4', () => {
    const t = tf.tensor2d([[1e4, -1e4, 0]]);
    for (const temperature of [0.5, 20]) {
      const value = kdKlLoss(t, t, { temperature });
      const g = tf.grad((s: tf.Tensor) => kdKlLoss(t, s, { temperature }))(t);
      expectTensorClose(value, [0], { rtol: 0, atol: 1e-6 }, `KD(t, t) τ ${temperature}`);
      expectTensorClose(g, [[0, 0, 0]], { rtol: 0, atol: 1e-6 }, `∂ KD(t, t) τ ${temperature}`);
      tf.dispose([value, g]);
    }
    t.dispose();
  });

  it('stays finite for probabilities down to 1e-30 and for exact zeros', () => {
    // Closed form at τ = 1: KL(p ‖ q) = Σ p log(p/q).
    const p = [1 - 2e-30, 1e-30, 1e-30];
    const q = [0.5, 0.5 - 1e-30, 1e-30];
    const expected = p.reduce((acc, pi, i) => acc + pi * Math.log(pi / q[i]!), 0);
    const value = kdKlLoss([p], [q], { inputs: 'probabilities' });
    expectTensorClose(value, [expected], { rtol: 1e-5, atol: 1e-6 }, 'KL with 1e-30 probabilities');
    for (const temperature of [0.5, 2, 20]) {
      const t = tf.tensor2d([p, [1, 0, 0]]);
      const s = tf.tensor2d([q, [0.25, 0.75, 0]]);
      const v = kdKlLoss(t, s, { inputs: 'probabilities', temperature, reduction: 'none' });
      const [gt, gs] = tf.grads((a: tf.Tensor, b: tf.Tensor) => kdKlLoss(a, b, { inputs: 'probabilities', temperature }))([t, s]) as [tf.Tensor, tf.Tensor];
      expectFinite([v, gt, gs], `probabilities τ ${temperature}`);
      // Row 2: the exact zeros keep zero mass at every τ, so KL = −log q̃_0 with q̃ ∝ q^{1/τ} over the two nonzero entries.
      const q0 = 0.25 ** (1 / temperature) / (0.25 ** (1 / temperature) + 0.75 ** (1 / temperature));
      expectTensorClose(v.slice([1], [1]), [-Math.log(q0) * temperature ** 2], { rtol: 1e-5, atol: 1e-6 }, `exact zeros τ ${temperature}`);
      tf.dispose([t, s, v, gt, gs]);
    }
    value.dispose();
  });

  it('matches the logits path when given softmax probabilities', () => {
    const logitsT = tf.tensor2d([[0.3, -1.2, 2.0, 0.1]]);
    const logitsS = tf.tensor2d([[1.1, 0.4, -0.5, 0.9]]);
    const a = kdKlLoss(logitsT, logitsS, { temperature: 3 });
    const b = kdKlLoss(tf.softmax(logitsT), tf.softmax(logitsS), { temperature: 3, inputs: 'probabilities' });
    expectTensorClose(b, a, { rtol: 1e-5, atol: 1e-6 }, 'probabilities vs logits');
    tf.dispose([logitsT, logitsS, a, b]);
  });
});
