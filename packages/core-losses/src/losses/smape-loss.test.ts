import * as tf from '@tensorflow/tfjs';
import { checkGradient, describeLoss, expectTensorClose } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { smapeLoss } from './smape-loss.js';
import fixtures from './smape-loss.fixtures.json' with { type: 'json' };

describeLoss('smapeLoss', smapeLoss, { fixtures, invalid: [[{ eps: -1 }, /'eps' must be > 0. Value: -1/]] });

describe('smapeLoss', () => {
  it('is 0 at y = ŷ = 0, 2 for opposite signs, and 200 with percent', () => {
    const out = smapeLoss([0, 1, -3], [0, -1, 3], { reduction: 'none' });
    expectTensorClose(out, [0, 2, 2], {}, 'bounds');
    const pct = smapeLoss([1], [3], { percent: true, reduction: 'sum' });
    expectTensorClose(pct, [100], {}, 'percent');
    expect(Array.from(out.dataSync()).every((v) => v >= 0 && v <= 2)).toBe(true);
    tf.dispose([out, pct]);
  });

  it('has the closed-form gradient for y, ŷ > 0: 4y·sign(ŷ − y)/(y + ŷ)²', () => {
    const y = [1, 2, 0.5];
    const p = [2, 1, 0.7];
    const yTrue = tf.tensor1d(y);
    checkGradient((x) => smapeLoss(yTrue, x, { reduction: 'sum' }), [p], {
      expected: () => [p.map((v, i) => (4 * y[i]! * Math.sign(v - y[i]!)) / (y[i]! + v) ** 2)],
      label: 'smapeLoss closed form',
    });
    yTrue.dispose();
  });
});
