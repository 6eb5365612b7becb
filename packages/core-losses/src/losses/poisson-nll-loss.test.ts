import * as tf from '@tensorflow/tfjs';
import { checkGradient, describeLoss, expectTensorClose } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { poissonNllLoss } from './poisson-nll-loss.js';
import fixtures from './poisson-nll-loss.fixtures.json' with { type: 'json' };

describeLoss('poissonNllLoss', poissonNllLoss, {
  fixtures,
  perfect: false, // exp(y) − y·y is no minimum: the NLL is minimal at ŷ = log y, not at ŷ = y
  invalid: [[{ eps: 0 }, /'eps' must be > 0. Value: 0/]],
});

describe('poissonNllLoss', () => {
  it('has the gradient exp(ŷ) − y (log input) and 1 − y/(ŷ + ε) (rate input)', () => {
    const y = [0, 2, 5];
    const yTrue = tf.tensor1d(y);
    const p = [0.3, -1, 1.5];
    checkGradient((x) => poissonNllLoss(yTrue, x, { reduction: 'sum' }), [p], {
      expected: () => [p.map((v, i) => Math.exp(v) - y[i]!)],
      label: 'log input',
    });
    const r = [0.5, 2, 4];
    checkGradient((x) => poissonNllLoss(yTrue, x, { logInput: false, reduction: 'sum' }), [r], {
      expected: () => [r.map((v, i) => 1 - y[i]! / (v + 1e-8))],
      label: 'rate input',
    });
    yTrue.dispose();
  });

  it('is minimal at ŷ = log y for log input (the Poisson MLE)', () => {
    const y = 4;
    const at = (v: number) => {
      const l = poissonNllLoss([y], [v], { reduction: 'sum' });
      const out = l.dataSync()[0]!;
      l.dispose();
      return out;
    };
    expect(at(Math.log(y))).toBeLessThan(at(Math.log(y) + 0.05));
    expect(at(Math.log(y))).toBeLessThan(at(Math.log(y) - 0.05));
  });

  it('adds the Stirling term only for counts above 1', () => {
    const t = [0, 1, 3];
    const p = [0.2, 0.2, 0.2];
    const plain = poissonNllLoss(t, p, { reduction: 'none' });
    const full = poissonNllLoss(t, p, { reduction: 'none', full: true });
    const stirling = 3 * Math.log(3) - 3 + 0.5 * Math.log(2 * Math.PI * 3);
    expectTensorClose(tf.sub(full, plain), [0, 0, stirling], {}, 'Stirling term');
    tf.dispose([plain, full]);
  });
});
