import * as tf from '@tensorflow/tfjs';
import { checkGradient, describeLoss, expectTensorClose } from '@lossworks/testing';
import { describe, it } from 'vitest';
import { maeLoss } from './mae-loss.js';
import { quantileLoss } from './quantile-loss.js';
import fixtures from './quantile-loss.fixtures.json' with { type: 'json' };

describeLoss('quantileLoss', quantileLoss, {
  fixtures,
  invalid: [
    [{ tau: 0 }, /'tau' must be in \(0, 1\). Value: 0/],
    [{ tau: 1 }, /'tau' must be in \(0, 1\). Value: 1/],
  ],
});

describe('quantileLoss', () => {
  it('is half the MAE at τ = 0.5', () => {
    const t = [0.3, -1, 2, 5];
    const p = [1, -1.5, 2.2, 0];
    const q = quantileLoss(t, p);
    const m = maeLoss(t, p);
    expectTensorClose(q, tf.mul(m, 0.5), {}, 'τ = 0.5');
    tf.dispose([q, m]);
  });

  it('has the gradient −τ under the target and 1 − τ over it', () => {
    const yTrue = tf.tensor1d([0, 0, 1, 1]);
    checkGradient((p) => quantileLoss(yTrue, p, { tau: 0.9, reduction: 'sum' }), [[-0.5, 0.5, 0.2, 3]], {
      expected: () => [[-0.9, 0.1, -0.9, 0.1]],
      label: 'quantileLoss closed form',
    });
    yTrue.dispose();
  });
});
