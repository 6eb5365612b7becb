import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { checkGradient, expectNoLeak, expectTensorClose, mulberry32, normals, worstMismatch } from '../src/index.js';

describe('expectTensorClose', () => {
  it('passes within tolerance and names the worst element when not', () => {
    expectTensorClose(tf.tensor([1, 2, 3]), [1, 2, 3.0001], { rtol: 1e-4, atol: 0 });
    expect(() => expectTensorClose(tf.tensor([[1, 2], [3, 4]]), [[1, 2.1], [3, 4.5]], { rtol: 1e-3, atol: 0 }, 'x')).toThrow(
      /x: element \[1, 1\] is 4, expected 4\.5/,
    );
  });

  it('treats NaN vs number as a mismatch and NaN vs NaN as equal', () => {
    expect(() => expectTensorClose([Number.NaN], [1])).toThrow(/expected 1/);
    expectTensorClose([Number.NaN], [Number.NaN]);
    expect(() => expectTensorClose([Infinity], [1e30])).toThrow(/expected 1e\+30/);
  });

  it('rejects different shapes', () => {
    expect(() => expectTensorClose(tf.zeros([2, 3]), tf.zeros([3, 2]))).toThrow(/shape \[2,3\] does not match expected \[3,2\]/);
  });

  it('reports the element that uses most of its allowance', () => {
    const w = worstMismatch([1.5, 100.5], [1, 100], { rtol: 0.001, atol: 0.01 });
    // |Δ| 0.5 on both; allowance 0.011 for the first and 0.11 for the second: the first is worse.
    expect(w?.index).toBe(0);
  });
});

describe('checkGradient', () => {
  const rng = mulberry32(1);
  const x = tf.tensor(normals(6, rng), [2, 3]);

  it('accepts a correct autodiff gradient (central differences)', () => {
    const r = checkGradient((a) => tf.sum(tf.mul(tf.sin(a), tf.square(a))), [x]);
    expect(r.analytic[0]!.length).toBe(6);
  });

  it('catches a deliberately wrong gradient', () => {
    // f(x) = x², but its custom gradient claims 3x instead of 2x.
    const wrong = tf.customGrad((a: tf.Tensor, save: tf.GradSaveFunc) => {
      save([a]);
      return { value: tf.square(a), gradFunc: (dy: tf.Tensor, [s]: tf.Tensor[]) => tf.mul(dy, tf.mul(3, s!)) };
    });
    expect(() => checkGradient((a) => wrong(a) as tf.Tensor, [x], { label: 'wrong' })).toThrow(/wrong: ∂f\/∂input0\[\d\] is .* by autodiff but .* by central differences/);
  });

  it('compares with a closed form when given one, and catches a wrong closed form', () => {
    checkGradient((a) => tf.sum(tf.square(a)), [x], { expected: (a) => [tf.mul(2, a)] });
    expect(() => checkGradient((a) => tf.sum(tf.square(a)), [x], { expected: (a) => [tf.mul(2.01, a)] })).toThrow(/closed form/);
  });

  it('checks several inputs and only those in wrt', () => {
    const y = tf.tensor(normals(6, rng), [2, 3]);
    const r = checkGradient((a, b) => tf.sum(tf.mul(a, tf.exp(b))), [x, y], { wrt: [1] });
    expect(r.analytic.length).toBe(1);
    y.dispose();
  });

  it('leaks no tensors', async () => {
    await expectNoLeak(() => checkGradient((a) => tf.sum(tf.tanh(a)), [x]));
  });
});

describe('expectNoLeak', () => {
  it('passes for tidy code and fails for a leak', async () => {
    await expectNoLeak(() => tf.tidy(() => tf.add(1, tf.ones([3]))).dispose());
    let leaked: tf.Tensor | undefined;
    await expect(expectNoLeak(() => { leaked = tf.ones([3]); }, 'leaky')).rejects.toThrow(/leaky: leaked 1 tensor/);
    leaked?.dispose();
  });
});
