import * as tf from '@tensorflow/tfjs';
import { checkGradient, describeLoss, expectTensorClose, mulberry32, normals } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { sinkhornDivergence } from './sinkhorn-divergence.js';
import fixtures from './sinkhorn-divergence.fixtures.json' with { type: 'json' };

describeLoss('sinkhornDivergence', sinkhornDivergence, {
  fixtures,
  // One number for a pair of samples [N, D] and [M, D]: there are no per-element values to reduce.
  reductions: false,
  invalid: [
    [{ epsilon: 0 }, /'epsilon' must be > 0/],
    [{ iterations: 0 }, /'iterations' must be an integer >= 1/],
    [{ iterations: 2.5 }, /'iterations' must be an integer >= 1/],
    [{ scaling: 0 }, /'scaling' must be in \(0, 1\]/],
    [{ scaling: 1.5 }, /'scaling' must be in \(0, 1\]/],
    [{ gradient: 'implicit' }, /'gradient' must be one of envelope, unrolled/],
  ],
});

describe('sinkhornDivergence gradient modes', () => {
  it('unrolled autodiff matches the float64 envelope gradient of the converged fixtures too', () => {
    for (const c of [fixtures.cases[0]!, fixtures.cases[2]!]) {
      const x = tf.tensor(c.yTrue, c.yTrueShape);
      const y = tf.tensor(c.yPred, c.shape);
      const opts = { ...c.options, gradient: 'unrolled' as const };
      const value = sinkhornDivergence(x, y, opts);
      const [gx, gy] = tf.grads((a: tf.Tensor, b: tf.Tensor) => sinkhornDivergence(a, b, opts))([x, y]) as [tf.Tensor, tf.Tensor];
      expectTensorClose(value, [c.value], { rtol: 1e-4, atol: 1e-5 }, 'unrolled value');
      expectTensorClose(gy, c.gradOfSum, { rtol: 1e-3, atol: 1e-4 }, 'unrolled ∂/∂y');
      expectTensorClose(gx, c.gradYTrueOfSum, { rtol: 1e-3, atol: 1e-4 }, 'unrolled ∂/∂x');
      tf.dispose([x, y, value, gx, gy]);
    }
  });

  it('unrolled agrees with central differences before convergence, where the envelope gradient does not have to', () => {
    const rng = mulberry32(5);
    const x = tf.tensor2d(normals(6, rng), [3, 2]);
    const y = tf.tensor2d(normals(6, rng), [3, 2]);
    checkGradient((b) => sinkhornDivergence(x, b, { epsilon: 0.05, iterations: 5, scaling: 1, gradient: 'unrolled' }), [y], { label: 'unrolled, 5 updates' });
    tf.dispose([x, y]);
  });
});

const finite = (x: tf.Tensor) => Array.from(x.dataSync()).every(Number.isFinite);

describe('sinkhornDivergence numerics', () => {
  it('stays finite for ε = 1e-3 with costs of 1e4 and tends to W₂² with the matching gradient', () => {
    // Three well-separated pairs: the optimal plan is the identity matching, so as ε → 0 S_ε → W₂² = mean of the
    // matched costs (10 + 20 + 10)/3, and the envelope gradient is ∂/∂y_j = (2/3)(y_j − x_j) (the y–y term has
    // zero cost on its diagonal plan). Off-pair costs are ~1e4, i.e. C/ε ~ 1e7.
    const x = tf.tensor2d([[0, 0], [100, 0], [0, 100]]);
    const y = tf.tensor2d([[3, 1], [104, -2], [-1, 97]]);
    const opts = { epsilon: 1e-3 };
    const value = sinkhornDivergence(x, y, opts);
    const [gx, gy] = tf.grads((a: tf.Tensor, b: tf.Tensor) => sinkhornDivergence(a, b, opts))([x, y]) as [tf.Tensor, tf.Tensor];
    expect(finite(value) && finite(gx) && finite(gy)).toBe(true);
    // ε·log terms are O(1e-3); float32 potentials of size 1e4 carry ~1e-3 absolute error.
    expectTensorClose(value, [40 / 3], { rtol: 0, atol: 5e-3 }, 'S_ε → W₂²');
    expectTensorClose(gy, [[2, 2 / 3], [8 / 3, -4 / 3], [-2 / 3, -2]], { rtol: 0, atol: 5e-3 }, 'envelope gradient in y');
    expectTensorClose(gx, tf.neg(gy), { rtol: 0, atol: 5e-3 }, 'gradient in x is the opposite');
    tf.dispose([x, y, value, gx, gy]);
  });

  it('stays finite without ε-scaling at ε = 1e-3 (not converged in 100 updates, but finite)', () => {
    const x = tf.tensor2d([[0, 0], [100, 0], [0, 100]]);
    const y = tf.tensor2d([[3, 1], [104, -2], [-1, 97], [50, 50]]);
    const opts = { epsilon: 1e-3, scaling: 1 };
    const value = sinkhornDivergence(x, y, opts);
    const g = tf.grad((b: tf.Tensor) => sinkhornDivergence(x, b, opts))(y);
    expect(finite(value) && finite(g)).toBe(true);
    tf.dispose([x, y, value, g]);
  });

  it('gives W₂² for two 1-D point pairs and is symmetric in its arguments', () => {
    const a = [0, 1];
    const b = [10, 11];
    const ab = sinkhornDivergence(a, b, { epsilon: 1e-3 });
    const ba = sinkhornDivergence(b, a, { epsilon: 1e-3 });
    expectTensorClose(ab, [100], { rtol: 1e-5, atol: 0 }, 'W₂² of a unit-spaced pair shifted by 10');
    expectTensorClose(ba, ab, { rtol: 0, atol: 0 }, 'S(y, x) = S(x, y)');
    tf.dispose([ab, ba]);
  });

  it('is symmetric and 0 on identical samples, up to the convergence error', () => {
    const rng = mulberry32(21);
    const x = tf.tensor2d(normals(10, rng), [5, 2]);
    const y = tf.tensor2d(normals(8, rng), [4, 2]);
    const opts = { epsilon: 0.05 };
    const xy = sinkhornDivergence(x, y, opts);
    const yx = sinkhornDivergence(y, x, opts);
    const xx = sinkhornDivergence(x, x, opts);
    expectTensorClose(yx, xy, { rtol: 1e-4, atol: 1e-5 }, 'symmetric');
    expectTensorClose(xx, [0], { rtol: 0, atol: 1e-5 }, 'S(x, x)');
    tf.dispose([x, y, xy, yx, xx]);
  });

  it('agrees with or without ε-scaling once converged (fixture case 0, ε = 1)', () => {
    const c = fixtures.cases[0]!;
    const v = sinkhornDivergence(tf.tensor(c.yTrue, c.yTrueShape), tf.tensor(c.yPred, c.shape), { ...c.options, scaling: 1 });
    expectTensorClose(v, [c.value], { rtol: 1e-4, atol: 1e-5 }, 'no ε-scaling');
    v.dispose();
  });
});
