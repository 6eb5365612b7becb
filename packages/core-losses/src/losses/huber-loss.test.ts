import * as tf from '@tensorflow/tfjs';
import { checkGradient, describeLoss } from '@lossworks/testing';
import { describe, it } from 'vitest';
import { huberLoss } from './huber-loss.js';
import fixtures from './huber-loss.fixtures.json' with { type: 'json' };

describeLoss('huberLoss', huberLoss, {
  fixtures,
  invalid: [
    [{ delta: 0 }, /'delta' must be > 0. Value: 0/],
    [{ delta: Number.NaN }, /'delta' must be > 0/],
  ],
  // |e| stays ≥ 0.1 away from the kink |e| = δ, so a central difference with h 1e-2 never straddles it.
  gradPoints: [{ yTrue: [0, 0, 0, 0, 1], yPred: [0.3, -0.7, 2.5, -1.6, 1.05], options: { delta: 1 } }],
});

describe('huberLoss gradient', () => {
  it('is e inside δ and δ·sign(e) outside (closed form)', () => {
    const yTrue = tf.tensor1d([0, 0, 0, 0]);
    checkGradient((p) => huberLoss(yTrue, p, { delta: 0.5, reduction: 'sum' }), [[0.2, -0.4, 1.5, -3]], {
      expected: () => [[0.2, -0.4, 0.5, -0.5]],
      label: 'huberLoss closed form',
    });
    yTrue.dispose();
  });
});
