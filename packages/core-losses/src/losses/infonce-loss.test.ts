import * as tf from '@tensorflow/tfjs';
import { checkGradient, describeLoss, expectTensorClose, mulberry32, normals } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { CLIP_INIT_LOGIT_SCALE, infoNceLoss } from './infonce-loss.js';
import fixtures from './infonce-loss.fixtures.json' with { type: 'json' };

describeLoss('infoNceLoss', infoNceLoss, {
  fixtures,
  // Pairs [B, D]: one loss per pair.
  shapes: [[2, 3], [4, 3], [3, 5]],
  noneShape: (shape) => [shape[0]!],
  // Even identical embeddings leave the off-diagonal similarities in the softmax: no zero-loss prediction.
  perfect: false,
  invalid: [
    // Fixture case 0 sets logitScale; clear it so the other option is the only one given.
    [{ logitScale: undefined, temperature: 0 }, /'temperature' must be > 0/],
    [{ logitScale: undefined, scale: -1 }, /'scale' must be > 0/],
    [{ logitScale: Number.POSITIVE_INFINITY }, /'logitScale' must be a finite number or a scalar tensor/],
    [{ logitScale: 1, temperature: 0.1 }, /exclude each other. Given: logitScale, temperature/],
  ],
});

const finite = (x: tf.Tensor) => Array.from(x.dataSync()).every(Number.isFinite);

describe('infoNceLoss scale', () => {
  const cases = fixtures.cases.filter((c) => 'logitScale' in c.options) as Array<(typeof fixtures.cases)[number] & { gradLogitScaleOfSum: number }>;

  it('passes the gradient to a tf.variable logitScale (float64 autograd fixtures)', () => {
    expect(cases.length).toBe(2);
    for (const c of cases) {
      const a = tf.tensor(c.yTrue, c.shape);
      const b = tf.tensor(c.yPred, c.shape);
      const v = tf.variable(tf.scalar(c.options.logitScale as number));
      const { value, grads } = tf.variableGrads(() => infoNceLoss(a, b, { logitScale: v, reduction: 'sum' }) as tf.Scalar, [v]);
      expectTensorClose(value, [c.sum], { rtol: 1e-4, atol: 1e-5 }, 'value with a variable logitScale');
      // Above ln 100 the clamp holds the scale: the fixture's gradient there is exactly 0.
      expectTensorClose(grads[v.name]!, [c.gradLogitScaleOfSum], { rtol: 1e-3, atol: 1e-5 }, `∂/∂logitScale at ${c.options.logitScale}`);
      tf.dispose([a, b, v, value, grads[v.name]!]);
    }
  });

  it('agrees with central differences in logitScale below the clamp', () => {
    const c = cases[0]!;
    const a = tf.tensor(c.yTrue, c.shape);
    const b = tf.tensor(c.yPred, c.shape);
    checkGradient((s) => infoNceLoss(a, b, { logitScale: s, reduction: 'sum' }), [tf.scalar(CLIP_INIT_LOGIT_SCALE)], { label: '∂/∂logitScale' });
    tf.dispose([a, b]);
  });

  it('learns the logitScale variable with an optimizer', () => {
    // Well-separated pairs: a larger scale sharpens the softmax towards the right pair, so SGD raises it.
    const a = tf.tensor2d([[1, 0], [0, 1]]);
    const v = tf.variable(tf.scalar(0));
    const opt = tf.train.sgd(0.5);
    for (let i = 0; i < 3; i++) opt.minimize(() => infoNceLoss(a, a, { logitScale: v }) as tf.Scalar);
    expect(v.dataSync()[0]).toBeGreaterThan(0.1);
    tf.dispose([a, v]);
    opt.dispose();
  });

  it('treats scale, temperature and logitScale as the same multiplier', () => {
    const rng = mulberry32(4);
    const a = tf.tensor2d(normals(12, rng), [4, 3]);
    const b = tf.tensor2d(normals(12, rng), [4, 3]);
    const x = infoNceLoss(a, b, { scale: 5 });
    const y = infoNceLoss(a, b, { temperature: 0.2 });
    const z = infoNceLoss(a, b, { logitScale: Math.log(5) });
    const dflt = infoNceLoss(a, b);
    const clip = infoNceLoss(a, b, { temperature: 0.07 });
    const clamped = infoNceLoss(a, b, { logitScale: 9 });
    const hundred = infoNceLoss(a, b, { scale: 100 });
    expectTensorClose(y, x, { rtol: 1e-6, atol: 1e-6 }, 'temperature 0.2 = scale 5');
    expectTensorClose(z, x, { rtol: 1e-5, atol: 1e-6 }, 'logitScale ln 5 = scale 5');
    expectTensorClose(dflt, clip, { rtol: 1e-5, atol: 1e-6 }, 'default = CLIP init (τ 0.07)');
    expectTensorClose(clamped, hundred, { rtol: 1e-5, atol: 1e-6 }, 'logitScale clamped at ln 100');
    tf.dispose([a, b, x, y, z, dflt, clip, clamped, hundred]);
  });

  it('rejects a logitScale tensor that is not a scalar', () => {
    const t = tf.tensor1d([1, 2]);
    expect(() => infoNceLoss([[1, 0]], [[0, 1]], { logitScale: t })).toThrow(/'logitScale' must be a finite number or a scalar tensor. Value: tensor of shape \[2\]/);
    t.dispose();
  });
});

describe('infoNceLoss numerics', () => {
  it('stays finite at scale 100 with nearly identical embeddings (value and gradients)', () => {
    const rng = mulberry32(8);
    const base = normals(4 * 8, rng);
    const a = tf.tensor2d(base, [4, 8]);
    const b = tf.tensor2d(base.map((x, i) => x + 1e-6 * Math.sin(i)), [4, 8]);
    const v = tf.variable(tf.scalar(Math.log(100)));
    const loss = () => infoNceLoss(a, b, { logitScale: v }) as tf.Scalar;
    const value = loss();
    const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => infoNceLoss(x, y, { scale: 100 }))([a, b]) as [tf.Tensor, tf.Tensor];
    const { grads } = tf.variableGrads(loss, [v]);
    expect(finite(value) && finite(ga) && finite(gb) && finite(grads[v.name]!)).toBe(true);
    // With the diagonal at 100 and the rest far below, the loss is tiny and non-negative.
    const x = value.dataSync()[0]!;
    expect(x).toBeGreaterThanOrEqual(0);
    expect(x).toBeLessThan(1);
    tf.dispose([a, b, v, value, ga, gb, grads[v.name]!]);
  });

  it('stays finite for identical rows and an all-zero embedding at scale 100', () => {
    const a = tf.tensor2d([[1, 2, 3], [1, 2, 3], [0, 0, 0]]);
    const value = infoNceLoss(a, a, { scale: 100, reduction: 'none' });
    const g = tf.grad((x: tf.Tensor) => infoNceLoss(a, x, { scale: 100 }))(a);
    // Rows 0 and 1 tie (logits 100, 100, 0): each is −log(e^100/(2e^100 + 1)) ≈ ln 2 both ways.
    expectTensorClose(value.slice([0], [2]), [Math.log(2), Math.log(2)], { rtol: 1e-5, atol: 1e-6 }, 'tied pairs');
    expect(finite(value) && finite(g)).toBe(true);
    tf.dispose([a, value, g]);
  });
});
