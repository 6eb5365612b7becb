import * as tf from '@tensorflow/tfjs';
import { describeLoss, expectTensorClose, normals, sizeOf, type Sample } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { ntlMseLoss } from './ntl-mse-loss.js';
import fixtures from './ntl-mse-loss.fixtures.json' with { type: 'json' };

/** Target ids [...] in [0, V) (all number tokens under the default ordinal tokenValues) beside normal logits [..., V]. */
const sample = (shape: number[], rng: () => number): Sample => ({
  yTrue: Array.from({ length: sizeOf(shape.slice(0, -1)) }, () => Math.floor(rng() * shape[shape.length - 1]!)),
  yPred: normals(sizeOf(shape), rng),
});

describeLoss('ntlMseLoss', ntlMseLoss, {
  fixtures,
  sample,
  yTrueShape: (shape) => shape.slice(0, -1),
  noneShape: (shape) => shape.slice(0, -1),
  shapes: [[2, 3, 4], [3, 5], [2, 2, 2, 3]],
  mismatch: [[2, 3, 8], [2, 4, 8]],
  // E[v] = y is reachable with finite logits only for some targets; the contract's x-as-both-arguments check does not apply.
  perfect: false,
  invalid: [
    [{ p: 0.5 }, /'p' must be a finite number >= 1/],
    [{ p: Number.POSITIVE_INFINITY }, /'p' must be a finite number >= 1/],
    [{ targets: 'numbers' }, /'targets' must be one of ids, values/],
    [{ tokenValues: { '-1': 1 } }, /'tokenValues' keys must be token ids/],
  ],
  // Case 1 (p = 1) is kept away from ŷ = y by the fixture; case 2 covers p = 3.
  gradPoints: [0, 1, 2].map((k) => ({ ...fixtures.cases[k]! })),
});

describe('ntlMseLoss', () => {
  it('regresses the expected token value: (Σ p_k v_k − y)^2', () => {
    // Mass ¾ on value 2, ¼ on value 6: E[v] = 3; target 5 gives 4 (p = 2), 2 (p = 1), 8 (p = 3).
    const logits = tf.tensor2d([[Math.log(3), 0, -1e4]]);
    const tokenValues = { '0': 2, '1': 6, '2': 100 };
    for (const [p, expected] of [[2, 4], [1, 2], [3, 8]] as const) {
      const v = ntlMseLoss([5], logits, { tokenValues, targets: 'values', p });
      expectTensorClose(v, [expected], { rtol: 1e-5, atol: 0 }, `p ${p}`);
      v.dispose();
    }
    logits.dispose();
  });

  it('has a finite zero gradient at ŷ = y for p = 1 and stays finite for logits of ±1e4', () => {
    const logits = tf.tensor2d([[0, 0], [1e4, -1e4]]);
    const g1 = tf.grad((x: tf.Tensor) => ntlMseLoss([0.5, 0], x, { targets: 'values', p: 1 }))(logits);
    expectTensorClose(g1, [[0, 0], [0, 0]], { rtol: 0, atol: 1e-7 }, 'gradient at the kink and in saturation');
    const v = ntlMseLoss([1, 0], logits);
    const g2 = tf.grad((x: tf.Tensor) => ntlMseLoss([1, 0], x))(logits);
    expectTensorClose(v, [0.125], { rtol: 1e-6, atol: 0 }, '(½ − 1)²/2 + 0');
    expect(Array.from(g2.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([logits, g1, v, g2]);
  });
});
