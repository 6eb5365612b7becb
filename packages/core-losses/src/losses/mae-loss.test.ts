import * as tf from '@tensorflow/tfjs';
import { checkGradient, describeLoss } from '@lossworks/testing';
import { describe, it } from 'vitest';
import { maeLoss } from './mae-loss.js';
import fixtures from './mae-loss.fixtures.json' with { type: 'json' };

describeLoss('maeLoss', maeLoss, { fixtures });

describe('maeLoss gradient', () => {
  it('is sign(ŷ − y), and 0 where ŷ = y (torch.abs convention; tf.abs would give −1)', () => {
    const yTrue = tf.tensor1d([1, -2, 0.5, 3]);
    checkGradient((p) => maeLoss(yTrue, p, { reduction: 'sum' }), [[2, -2, 0, 3]], {
      expected: () => [[1, 0, -1, 0]],
      label: 'maeLoss closed form',
    });
    yTrue.dispose();
  });
});
