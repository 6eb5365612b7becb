// The replaced activation and Multiply gradients (./src/kernels/gradients.ts, ./kernels-grad.ts):
// the onnx backend's one-kernel sigmoid/tanh gradients are bit-for-bit TF.js's op chains (as the cpu
// backend runs them), softmax's agree within float32 summation order, Multiply's keep TF.js's values
// with broadcasting and int32 operands, and the kernels do run.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { describeKernelSets, expectBackendsAgree, randn, useBackend, valuesOn } from './helpers.js';

afterAll(async () => {
  await tf.setBackend('cpu');
});

// [32, 64]: the JavaScript loops; [96, 96]: ONNX Runtime graphs (≥ ORT_MIN_ELEMENTS = 8192).
const SHAPES = [[32, 64], [96, 96]];

describeKernelSets(() => {
  describe('fused activation gradients', () => {
    for (const shape of SHAPES) {
      it(`sigmoid and tanh gradients of [${shape}] equal TF.js's op chains bit for bit`, async () => {
        const f = () => {
          const x = tf.mul(randn(shape, 1), 3);
          const r = randn(shape, 2);
          return [tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.sigmoid(v), r)))(x), tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.tanh(v), r)))(x)];
        };
        const cpu = await valuesOn('cpu', f);
        const onnx = await valuesOn('onnx', f);
        // The forward sigmoid/tanh differ between backends (Math.exp vs ONNX Runtime's): compare the
        // gradient formula on the same y, computed on onnx both ways.
        expect(onnx.map((o) => o.shape)).toEqual(cpu.map((c) => c.shape));
        await useBackend('onnx');
        const [fusedS, chainS, fusedT, chainT] = tf.tidy(() => {
          const y = tf.sigmoid(randn(shape, 3));
          const t = tf.tanh(randn(shape, 3));
          const dy = randn(shape, 4);
          return [
            tf.engine().runKernel('LossworksSigmoidGrad', { dy, y }) as tf.Tensor,
            tf.mul(dy, tf.mul(y, tf.sub(tf.scalar(1), y))),
            tf.engine().runKernel('LossworksTanhGrad', { dy, y: t }) as tf.Tensor,
            tf.mul(tf.sub(tf.scalar(1), tf.square(t)), dy),
          ];
        });
        expect(fusedS!.dataSync()).toEqual(chainS!.dataSync());
        expect(fusedT!.dataSync()).toEqual(chainT!.dataSync());
        tf.dispose([fusedS!, chainS!, fusedT!, chainT!]);
      });
    }

    it('sigmoid/tanh/softmax gradients agree with the cpu backend (tolerance: their forward passes differ in the last bits)', async () => {
      await expectBackendsAgree(
        ['onnx'],
        () => {
          const out: tf.Tensor[] = [];
          for (const shape of [...SHAPES, [8, 4, 32, 64]]) {
            const x = randn(shape, 5);
            const r = randn(shape, 6);
            out.push(tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.sigmoid(v), r)))(x));
            out.push(tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.tanh(v), r)))(x));
            out.push(tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.softmax(v), r)))(x));
          }
          return out;
        },
        'activation gradients',
      );
    });

    it('softmax gradient: the kernel equals the op chain this backend would run, small (float64 row sums) and large (≥ 4·ORT_MIN_ELEMENTS: ONNX Runtime)', async () => {
      await useBackend('onnx');
      for (const shape of [[64, 10], [8, 4, 32, 64]]) {
        const [fused, chain] = tf.tidy(() => {
          const y = tf.softmax(randn(shape, 7));
          const dy = randn(shape, 8);
          const t = tf.mul(dy, y);
          return [tf.engine().runKernel('LossworksSoftmaxGrad', { dy, y }) as tf.Tensor, tf.sub(t, tf.mul(tf.sum(t, [shape.length - 1], true), y))];
        });
        expect(fused!.dataSync(), `[${shape}]`).toEqual(chain!.dataSync());
        tf.dispose([fused!, chain!]);
      }
    });

    it('Multiply gradients with broadcasting and an int32 operand keep TF.js values', async () => {
      await expectBackendsAgree(
        ['onnx', 'wasm'],
        () => {
          const a = randn([4, 5, 6], 9);
          const b = randn([5, 1], 10);
          const k = tf.tensor([[1, -2, 3, 0, 2, 1]], [1, 6], 'int32');
          const [ga, gb] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.square(tf.mul(p, q))))([a, b]);
          const gk = tf.grad((p: tf.Tensor) => tf.sum(tf.mul(tf.mul(p, k), randn([4, 5, 6], 11))))(a);
          return [ga!, gb!, gk];
        },
        'multiply gradients',
      );
    });

    it('an LSTM layer step runs the fused kernels and no cast kernels, and agrees with cpu', async () => {
      const f = () => {
        const layer = tf.layers.lstm({ units: 8, recurrentActivation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), recurrentInitializer: tf.initializers.glorotUniform({ seed: 2 }) });
        const x = randn([3, 5, 4], 12);
        tf.dispose(layer.apply(x) as tf.Tensor); // builds the weights
        const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
        const { grads } = tf.variableGrads(() => tf.sum(layer.apply(x) as tf.Tensor) as tf.Scalar, vars);
        const out = vars.map((v) => grads[v.name]!);
        layer.dispose();
        return out;
      };
      await expectBackendsAgree(['onnx'], f, 'lstm gradients');
      await useBackend('onnx');
      const info = await tf.profile(() => tf.dispose(f()));
      const names = new Set(info.kernels.map((k) => k.name));
      expect(names.has('LossworksSigmoidGrad')).toBe(true);
      expect(names.has('LossworksTanhGrad')).toBe(true);
      expect(names.has('Cast')).toBe(false);
    });
  });
});

