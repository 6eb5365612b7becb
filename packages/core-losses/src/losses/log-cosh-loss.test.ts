import * as tf from '@tensorflow/tfjs';
import { checkGradient, describeLoss, expectTensorClose } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { logCoshLoss } from './log-cosh-loss.js';
import fixtures from './log-cosh-loss.fixtures.json' with { type: 'json' };

describeLoss('logCoshLoss', logCoshLoss, { fixtures });

describe('logCoshLoss stability', () => {
  const big = [1e4, -1e4, 100, -95, 3e38];

  it('stays finite where cosh overflows float32 (|e| > 89), equal to |e| − log 2', () => {
    const naive = tf.tidy(() => tf.log(tf.cosh(tf.tensor1d(big))));
    expect(Array.from(naive.dataSync()).every((v) => v === Infinity)).toBe(true); // the textbook form fails here
    const out = logCoshLoss(new Array<number>(big.length).fill(0), big, { reduction: 'none' });
    expectTensorClose(out, big.map((e) => Math.abs(e) - Math.LN2), { rtol: 1e-6, atol: 0 }, 'log cosh of large errors');
    tf.dispose([naive, out]);
  });

  it('has the gradient tanh(e): ±1 for large errors, finite everywhere, 0 at e = 0', () => {
    const yTrue = tf.zeros([big.length + 3]);
    const e = [...big, 0.5, -2, 0];
    checkGradient((p) => logCoshLoss(yTrue, p, { reduction: 'sum' }), [e], { expected: () => [e.map(Math.tanh)], label: 'logCoshLoss ∂' });
    yTrue.dispose();
  });
});
