// Gradients of dilated convolutions: central differences on cpu, cpu agreement on wasm and onnx, and
// tf.layers models with dilationRate training through model.fit and optimizer.minimize everywhere.
import * as tf from '@tensorflow/tfjs';
import { checkGradient, expectNoLeak } from '@lossworks/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { installKernelsAndGradients, type BackendName } from '../../src/index.js';
import { expectBackendsAgree, randn, useBackend } from './helpers.js';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

// TF.js's leak check (on under IS_TEST, which the test setup sets) counts wasm's Identity clones of the
// tensors a custom gradient saves as leaked data ids, so stock TF.js fails fused-conv training on wasm
// under IS_TEST. The check is switched off for these tests; expectNoLeak still counts tensors.
let isTest = true;
beforeAll(() => {
  isTest = tf.env().getBool('IS_TEST');
  tf.env().set('IS_TEST', false);
});
afterAll(async () => {
  tf.env().set('IS_TEST', isTest);
  await tf.setBackend('cpu');
});
afterEach(async () => {
  await tf.setBackend('cpu');
});

describe('dilated conv gradients pass central differences on cpu', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });
  const cases: Array<[string, boolean, number, number, number, Pad]> = [
    ['conv2d d2 same', false, 1, 2, 1, 'same'],
    ['conv2d d3 valid', false, 1, 3, 1, 'valid'],
    ['conv2d d2 explicit', false, 1, 2, 1, [[0, 0], [1, 2], [2, 0], [0, 0]]],
    ['depthwise d2 same m2', true, 2, 2, 1, 'same'],
    ['depthwise d2 valid m1', true, 1, 2, 1, 'valid'],
  ];
  for (const [label, depthwise, m, d, s, pad] of cases) {
    it(label, () => {
      installKernelsAndGradients();
      const x = randn([2, 9, 8, 2], 11);
      const f = randn(depthwise ? [3, 3, 2, m] : [3, 3, 2, 3], 12);
      // A smooth non-linear readout so that every output element gets a different weight.
      const loss = (x: tf.Tensor, f: tf.Tensor) => {
        const y = depthwise
          ? tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, s, pad, 'NHWC', d)
          : tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, s, pad, 'NHWC', d);
        return tf.sum(tf.sin(y));
      };
      // Defaults of checkGradient: h 1e-2, rtol 1e-2 (float32 central differences, see its doc).
      const report = checkGradient(loss, [x, f], { label });
      expect(report.analytic[1]!.some((v) => v !== 0)).toBe(true);
      tf.dispose([x, f]);
    });
  }

  it('the fused conv op (what tf.layers.conv2d trains with) passes too, bias included', () => {
    installKernelsAndGradients();
    const x = randn([2, 6, 6, 2], 21);
    const f = randn([3, 3, 2, 2], 22);
    const b = randn([2], 23);
    checkGradient(
      (x, f, b) => tf.sum(tf.sin(tf.fused.conv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, strides: 1, pad: 'same', dilations: 2, bias: b }))),
      [x, f, b],
      { label: 'fused conv2d d2' },
    );
    tf.dispose([x, f, b]);
  });
});

describe('dilated conv gradients on wasm and onnx agree with cpu', () => {
  const cases: Array<[string, boolean, number, number, Pad]> = [
    ['conv2d d2 same', false, 1, 2, 'same'],
    ['conv2d d3 valid', false, 1, 3, 'valid'],
    ['conv2d d2 explicit', false, 1, 2, [[0, 0], [2, 1], [0, 3], [0, 0]]],
    ['depthwise d2 same m1', true, 1, 2, 'same'],
    ['depthwise d3 valid m2', true, 2, 3, 'valid'],
  ];
  for (const [label, depthwise, m, d, pad] of cases) {
    it(label, async () => {
      await expectBackendsAgree(
        ['wasm', 'onnx'],
        () => {
          const x = randn([3, 11, 10, 16], 31);
          const f = randn(depthwise ? [3, 3, 16, m] : [3, 3, 16, 16], 32);
          const b = randn([depthwise ? 16 * m : 16], 33);
          const plain = (x: tf.Tensor, f: tf.Tensor) =>
            tf.sum(tf.sin(depthwise ? tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, pad, 'NHWC', d) : tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, pad, 'NHWC', d)));
          const fused = (x: tf.Tensor, f: tf.Tensor, b: tf.Tensor) => {
            const args = { x: x as tf.Tensor4D, filter: f as tf.Tensor4D, strides: 1, pad, dilations: d, bias: b };
            return tf.sum(tf.sin(depthwise ? tf.fused.depthwiseConv2d({ ...args, pad: pad as 'same' }) : tf.fused.conv2d(args)));
          };
          return [...tf.grads(plain)([x, f]), ...tf.grads(fused)([x, f, b])];
        },
        label,
      );
    });
  }
});

/** A small dilated model as the CMB inpainting net builds it: conv2d (linear, relu), depthwise, separable, conv1d. */
function dilatedModel(): tf.LayersModel {
  const input = tf.input({ shape: [12, 12, 2] });
  let h = tf.layers.conv2d({ filters: 4, kernelSize: 3, dilationRate: 2, padding: 'same', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(input) as tf.SymbolicTensor;
  h = tf.layers.conv2d({ filters: 4, kernelSize: 3, dilationRate: 3, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.depthwiseConv2d({ kernelSize: 3, dilationRate: 2, padding: 'same', depthwiseInitializer: tf.initializers.glorotUniform({ seed: 3 }) }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.separableConv2d({ filters: 2, kernelSize: 3, dilationRate: 2, padding: 'same', depthwiseInitializer: tf.initializers.glorotUniform({ seed: 4 }), pointwiseInitializer: tf.initializers.glorotUniform({ seed: 5 }) }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.conv2d({ filters: 1, kernelSize: 3, dilationRate: 2, padding: 'valid', kernelInitializer: tf.initializers.glorotUniform({ seed: 6 }) }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: h });
}

describe('tf.layers models with dilationRate train on every backend', () => {
  for (const backend of ['cpu', 'wasm', 'onnx'] as BackendName[]) {
    it(`${backend}: model.fit and optimizer.minimize lower the loss, leaking no tensor`, async () => {
      await useBackend(backend);
      const x = randn([8, 12, 12, 2], 41);
      const y = tf.tidy(() => tf.slice(tf.mean(x, 3, true), [0, 2, 2, 0], [8, 8, 8, 1]));
      const model = dilatedModel();
      model.compile({ optimizer: tf.train.adam(1e-2), loss: 'meanSquaredError' });
      const first = await model.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0 }); // creates Adam's 2 slots per weight
      const history = await expectNoLeak(() => model.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0 }), `${backend} fit`);
      const losses = [...(first.history.loss as number[]), ...(history.history.loss as number[])];
      expect(losses.at(-1)!).toBeLessThan(losses[0]!);
      const opt = tf.train.sgd(0.05);
      const step = () => {
        const l = opt.minimize(() => tf.losses.meanSquaredError(y, model.apply(x) as tf.Tensor) as tf.Scalar, true)!;
        const v = l.dataSync()[0]!;
        l.dispose();
        return v;
      };
      const before = await expectNoLeak(step, `${backend} minimize`);
      let last = before;
      for (let i = 0; i < 5; i++) last = step();
      expect(last).toBeLessThan(before);
      opt.dispose();
      model.dispose();
      tf.dispose([x, y]);
    });
  }
});
