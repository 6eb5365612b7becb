import * as tf from '@tensorflow/tfjs';
import { describeLoss, expectTensorClose } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { madlLoss } from './madl-loss.js';
import fixtures from './madl-loss.fixtures.json' with { type: 'json' };

describeLoss('madlLoss', madlLoss, {
  fixtures,
  differentiable: false, // piecewise constant in ŷ (see the test below)
  perfect: false, // ŷ = y earns |y|: the loss is −mean|y|, and any ŷ with the right sign does as well
});

describe('madlLoss', () => {
  it('is −|R| for a right direction, +|R| for a wrong one, 0 for no position', () => {
    const out = madlLoss([0.02, -0.01, 0.03, 0.05], [0.5, -2, -0.1, 0], { reduction: 'none' });
    expectTensorClose(out, [-0.02, -0.01, 0.03, -0], {}, 'directional returns');
    out.dispose();
  });

  it('has a zero gradient in ŷ (why it is registered not differentiable)', () => {
    const y = tf.tensor1d([0.02, -0.01]);
    const g = tf.grad((p: tf.Tensor) => madlLoss(y, p))(tf.tensor1d([0.3, 0.1]));
    expect(Array.from(g.dataSync()).every((v) => v === 0)).toBe(true);
    tf.dispose([y, g]);
  });
});
