// The onnx backend's convolution and matmul kernels against the cpu backend's, outputs and gradients,
// over a grid of shapes, strides, dilations, paddings, batch sizes and depthwise multipliers.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { onnxRuntime } from '../../src/kernels/index.js';
import { convPath, filterGradMethod, geometryOf } from '../../src/kernels/conv-graphs.js';
import { describeKernelSets, expectBackendsAgree, randn, useBackend } from './helpers.js';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
const explicit: Pad = [[0, 0], [1, 2], [2, 0], [0, 0]];

afterAll(async () => {
  await tf.setBackend('cpu');
});

/** [batch, h, w, in, out, k, stride, dilation, pad]: covers the NCHWc paths (16 | in, in < 16), plain Conv (5→7), the narrow-output Gemm path (→1, →2, →3). */
const CONV_GRID: Array<[number, number, number, number, number, number, number, number, Pad]> = [
  [1, 9, 9, 16, 16, 3, 1, 1, 'same'],
  [3, 9, 8, 16, 32, 3, 2, 1, 'same'],
  [3, 9, 9, 16, 16, 3, 1, 2, 'same'],
  [1, 11, 10, 3, 16, 3, 1, 3, 'valid'],
  [3, 7, 9, 5, 7, 3, 2, 1, 'valid'],
  [1, 9, 9, 16, 16, 3, 1, 2, explicit],
  [3, 10, 9, 32, 16, 5, 2, 1, explicit],
  [3, 8, 8, 16, 1, 3, 1, 1, 'same'],
  [3, 9, 8, 32, 2, 3, 1, 2, explicit],
  [1, 10, 9, 16, 3, 3, 1, 1, 'valid'],
  [1, 8, 7, 1, 16, 3, 1, 2, 'same'],
  [1, 6, 6, 16, 16, 3, 1, 1, [[0, 0], [4, 1], [0, 5], [0, 0]]],
];

describeKernelSets(() => {
  describe('onnx conv2d kernels agree with cpu', () => {
    for (const [n, h, w, ci, co, k, s, d, pad] of CONV_GRID) {
      const label = `conv2d n${n} ${h}x${w} ${ci}→${co} k${k} s${s} d${d} ${JSON.stringify(pad)}`;
      it(label, async () => {
        // Forward, gradients (through the replaced Conv2D gradient) and the fused op with bias + relu.
        await expectBackendsAgree(
          ['onnx'],
          () => {
            const x = randn([n, h, w, ci], 1) as tf.Tensor4D;
            const f = randn([k, k, ci, co], 2) as tf.Tensor4D;
            const b = randn([co], 3);
            const loss = (x: tf.Tensor, f: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, s, pad, 'NHWC', d), randn([n, ...(tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, s, pad, 'NHWC', d).shape.slice(1))], 4)));
            const [gx, gf] = tf.grads(loss)([x, f]);
            const fused = tf.fused.conv2d({ x, filter: f, strides: s, pad, dilations: d, bias: b, activation: 'relu' });
            return [tf.conv2d(x, f, s, pad, 'NHWC', d), gx!, gf!, fused];
          },
          label,
        );
      });
    }

    it('takes the NCHWc paths where the channel counts allow', async () => {
      await useBackend('onnx');
      const block = onnxRuntime()!.blockSize();
      const geo = (ci: number, co: number, depthwise = false) =>
        geometryOf(tf.backend_util.computeConv2DInfo([1, 8, 8, ci], [3, 3, ci, depthwise ? 1 : co], 1, 1, 'same', undefined, depthwise) as never, depthwise);
      expect([4, 8, 16]).toContain(block);
      expect(convPath(geo(block, 2 * block), block)).toBe('nchwc');
      expect(convPath(geo(1, block), block)).toBe('nchwc-nchw-input');
      expect(convPath(geo(block, 1), block)).toBe('narrow-gemm');
      expect(convPath(geo(5, 7), block)).toBe('onnx-conv');
      expect(convPath(geo(2 * block, 0, true), block)).toBe('nchwc-depthwise');
      expect(convPath(geo(block + 1, block), block)).toBe('onnx-conv');
      // filter gradients: batched MatMuls for ordinary convolutions (the grid above runs them)
      expect(filterGradMethod(geo(16, 16))).toBe('batched');
      expect(filterGradMethod(geo(5, 7))).toBe('batched');
      expect(filterGradMethod(geo(16, 1))).toBe('shifted-dy');
      expect(filterGradMethod(geo(3, 16))).toBe('stacked-taps');
      expect(filterGradMethod(geo(8, 0, true))).toBe('depthwise');
    });
  });
});

/** [batch, h, w, channels, multiplier, k, stride, dilation, pad]. */
const DEPTHWISE_GRID: Array<[number, number, number, number, number, number, number, number, Pad]> = [
  [3, 9, 9, 16, 1, 3, 1, 1, 'same'],
  [1, 9, 9, 16, 1, 3, 1, 2, 'same'],
  [3, 9, 9, 5, 2, 3, 2, 1, 'valid'],
  [1, 8, 8, 32, 1, 3, 2, 1, 'same'],
  [3, 7, 9, 3, 2, 3, 1, 3, explicit],
];

describe('onnx depthwise kernels agree with cpu', () => {
  for (const [n, h, w, c, m, k, s, d, pad] of DEPTHWISE_GRID) {
    const label = `depthwise n${n} ${h}x${w} c${c} m${m} k${k} s${s} d${d} ${JSON.stringify(pad)}`;
    it(label, async () => {
      await expectBackendsAgree(
        ['onnx'],
        () => {
          const x = randn([n, h, w, c], 1) as tf.Tensor4D;
          const f = randn([k, k, c, m], 2) as tf.Tensor4D;
          const y0 = tf.depthwiseConv2d(x, f, s, pad, 'NHWC', d);
          const r = randn(y0.shape, 4);
          const [gx, gf] = tf.grads((x: tf.Tensor, f: tf.Tensor) => tf.sum(tf.mul(tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, s, pad, 'NHWC', d), r)))([x, f]);
          // TF.js types omit explicit pads for the fused depthwise op; its kernels accept them.
          const fused = tf.fused.depthwiseConv2d({ x, filter: f, strides: s, pad: pad as 'same', dilations: d, bias: randn([c * m], 3), activation: 'relu' });
          return [y0, gx!, gf!, fused];
        },
        label,
      );
    });
  }
});

describeKernelSets(() => {
  describe('onnx matmul kernels agree with cpu', () => {
    it('broadcasts batch dims (forward; TF.js has no gradient for broadcast batch matmul)', async () => {
      await expectBackendsAgree(['onnx'], () => tf.matMul(randn([2, 3, 30, 20], 1), randn([40, 30], 2), true, true), 'broadcast matMul');
    });

    const GRID: Array<[number[], number[], boolean, boolean]> = [
      [[64, 32], [32, 48], false, false],
      [[32, 64], [32, 48], true, false],
      [[64, 32], [48, 32], false, true],
      [[3, 20, 30], [3, 30, 40], false, false],
      [[2, 3, 30, 20], [2, 3, 40, 30], true, true],
      [[4, 5], [5, 6], false, false], // below MATMUL_MIN_MACS: the cpu kernel
    ];
    for (const [a, b, ta, tb] of GRID) {
      const label = `matMul [${a}]${ta ? 'ᵀ' : ''} · [${b}]${tb ? 'ᵀ' : ''}`;
      it(label, async () => {
        await expectBackendsAgree(
          ['onnx'],
          () => {
            const A = randn(a, 1);
            const B = randn(b, 2);
            const n = tb ? b[b.length - 2]! : b[b.length - 1]!;
            const [gA, gB] = tf.grads((A: tf.Tensor, B: tf.Tensor) => tf.sum(tf.square(tf.matMul(A, B, ta, tb))))([A, B]);
            const fused = tf.fused.matMul({ a: A, b: B, transposeA: ta, transposeB: tb, bias: randn([n], 3), activation: 'relu' });
            return [tf.matMul(A, B, ta, tb), gA!, gB!, fused];
          },
          label,
        );
      });
    }
  });
});
