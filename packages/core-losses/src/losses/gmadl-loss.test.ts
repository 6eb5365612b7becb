import * as tf from '@tensorflow/tfjs';
import { checkGradient, describeLoss, expectTensorClose } from '@lossworks/testing';
import { describe, it } from 'vitest';
import { gmadlLoss } from './gmadl-loss.js';
import { madlLoss } from './madl-loss.js';
import fixtures from './gmadl-loss.fixtures.json' with { type: 'json' };

describeLoss('gmadlLoss', gmadlLoss, {
  fixtures,
  perfect: false, // not minimal at ŷ = y: it keeps falling as |ŷ| grows in the right direction
  invalid: [
    [{ a: 0 }, /'a' must be > 0. Value: 0/],
    [{ b: -1 }, /'b' must be >= 0. Value: -1/],
  ],
});

describe('gmadlLoss', () => {
  const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

  it('tends to MADL/2 for a large slope a (b = 1)', () => {
    const t = [0.02, -0.01, 0.03, -0.04];
    const p = [0.5, -2, -0.1, 0.3];
    const g = gmadlLoss(t, p, { a: 1e6 });
    const m = madlLoss(t, p);
    expectTensorClose(g, tf.mul(m, 0.5), { rtol: 1e-4, atol: 1e-7 }, 'a → ∞');
    tf.dispose([g, m]);
  });

  it('has the closed-form gradient −a·R·|R|^b·σ(z)(1 − σ(z)), z = a·R·R̂', () => {
    const y = [0.5, -1.5, 2];
    const p = [1, 0.2, -0.3];
    const [a, b] = [2, 1.5];
    const yTrue = tf.tensor1d(y);
    checkGradient((x) => gmadlLoss(yTrue, x, { a, b, reduction: 'sum' }), [p], {
      expected: () => [
        p.map((v, i) => {
          const s = sigmoid(a * y[i]! * v);
          return -a * y[i]! * Math.abs(y[i]!) ** b * s * (1 - s);
        }),
      ],
      label: 'gmadlLoss closed form',
    });
    yTrue.dispose();
  });
});
