import * as tf from '@tensorflow/tfjs';
import { describeLoss, expectTensorClose, sizeOf, type Sample } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { binaryCrossEntropy } from './binary-cross-entropy.js';
import fixtures from './binary-cross-entropy.fixtures.json' with { type: 'json' };

/** {0, 1} targets and probabilities in (0.05, 0.95). */
const binarySample = (shape: number[], rng: () => number): Sample => {
  const n = sizeOf(shape);
  return { yTrue: Array.from({ length: n }, () => (rng() < 0.5 ? 1 : 0)), yPred: Array.from({ length: n }, () => 0.05 + 0.9 * rng()) };
};

describeLoss('binaryCrossEntropy', binaryCrossEntropy, {
  fixtures,
  sample: binarySample,
  layers: { activation: 'sigmoid' },
  invalid: [
    [{ labelSmoothing: 1.5 }, /'labelSmoothing' must be in \[0, 1\]. Value: 1.5/],
    [{ eps: 1e-9 }, /'eps' must be in \[1e-7, 0.5\)/],
    [{ fromLogits: 'yes' }, /'fromLogits' must be a boolean. Value: yes/],
  ],
  // Away from the clip edges (probabilities) and with moderate logits, where the loss is smooth.
  gradPoints: [
    { yTrue: [0, 1, 0.3], yPred: [0.2, 0.6, 0.45] },
    { yTrue: [1, 0, 0.5, 0.2], yPred: [-2, 0.7, 3, -0.4], options: { fromLogits: true, labelSmoothing: 0.1 } },
  ],
});

describe('binaryCrossEntropy: numerics and closed forms', () => {
  const grad = (yTrue: tf.Tensor, yPred: tf.Tensor, options: object) => tf.grad((x: tf.Tensor) => binaryCrossEntropy(yTrue, x, { ...options, reduction: 'sum' }))(yPred);

  it('stays finite for logits of ±1e4, with value and gradient σ(x) − z as in closed form', () => {
    const x = tf.tensor([1e4, -1e4, 1e4, -1e4, 0]);
    const z = tf.tensor([1, 0, 0, 1, 0.3]);
    const value = binaryCrossEntropy(z, x, { fromLogits: true, reduction: 'none' });
    // log(1 + e^{−1e4}) underflows to 0 in float32, so the values are exactly 0, 0, 1e4, 1e4 and log 2.
    expectTensorClose(value, [0, 0, 1e4, 1e4, Math.LN2], { rtol: 1e-6, atol: 1e-6 }, 'values');
    const g = grad(z, x, { fromLogits: true });
    // σ(x) − z; at x = 0 exactly this is 0.5 − z (the kink of |x| where plain autodiff picks a subgradient).
    expectTensorClose(g, [0, 0, 1, -1, 0.2], { rtol: 1e-6, atol: 1e-6 }, 'gradient');
    const gz = tf.grad((t: tf.Tensor) => binaryCrossEntropy(t, x, { fromLogits: true, reduction: 'sum' }))(z);
    expectTensorClose(gz, [-1e4, 1e4, -1e4, 1e4, 0], { rtol: 1e-6, atol: 1e-6 }, '∂/∂z = −x');
    tf.dispose([x, z, value, g, gz]);
  });

  it('stays finite for probabilities 1e-30, 1 − 1e-8 (= 1 in float32), 0 and 1', () => {
    const p = tf.tensor([1e-30, 1 - 1e-8, 0, 1, 0.5]);
    const z = tf.tensor([1, 0, 1, 0, 0]);
    const value = binaryCrossEntropy(z, p, { reduction: 'none' });
    const lo = -Math.log(1e-7); // −log ε at the lower clip
    const hi = -Math.log(1 - Math.fround(1 - 1e-7)); // −log(1 − (1 − ε)) with 1 − ε rounded to float32
    expectTensorClose(value, [lo, hi, lo, hi, Math.LN2], { rtol: 1e-5, atol: 1e-6 }, 'clipped values');
    const g = grad(z, p, {});
    const gv = Array.from(g.dataSync());
    expect(gv.every(Number.isFinite), `gradient ${gv}`).toBe(true);
    // Clipped entries get no gradient (Keras' convention); the last one is inside [ε, 1 − ε]: 1/(1 − p) = 2.
    expectTensorClose(g, [0, 0, 0, 0, 2], { rtol: 1e-5, atol: 1e-6 }, 'gradient');
    tf.dispose([p, z, value, g]);
  });

  it('smooths labels as z(1 − s) + s/2 and agrees between the logit and probability paths', () => {
    const s = 0.2;
    const zs = 1 * (1 - s) + s / 2;
    const expected = -(zs * Math.log(0.8) + (1 - zs) * Math.log(0.2));
    const viaProb = binaryCrossEntropy([1], [0.8], { labelSmoothing: s });
    const viaLogit = binaryCrossEntropy([1], [Math.log(0.8 / 0.2)], { labelSmoothing: s, fromLogits: true });
    expectTensorClose(viaProb, [expected], { rtol: 1e-6, atol: 1e-7 }, 'probabilities');
    expectTensorClose(viaLogit, [expected], { rtol: 1e-6, atol: 1e-7 }, 'logits');
    tf.dispose([viaProb, viaLogit]);
  });
});
