// The onnx backend's elementwise, reduction and data-movement kernels (ONNX Runtime above
// ORT_MIN_ELEMENTS, JavaScript below) against the cpu backend's, and its output-buffer pool's safety.
import * as tf from '@tensorflow/tfjs';
import { expectNoLeak, expectTensorClose } from '@lossworks/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { ORT_MIN_ELEMENTS } from '../../src/kernels/kernels-elementwise.js';
import type { OnnxCpuBackend } from '../../src/kernels/onnx-backend.js';
import { describeKernelSets, expectBackendsAgree, randn, useBackend } from './helpers.js';

afterAll(async () => {
  await tf.setBackend('cpu');
});

const positive = (shape: number[], seed: number) => tf.add(tf.abs(randn(shape, seed)), 0.5);

describeKernelSets(() => {
  describe('binary ops with broadcasting, small (JavaScript) and large (ONNX Runtime)', () => {
    // Same shape, row and column broadcasts, middle-dim broadcast, scalars, a 4-D bias add.
    const pairs: Array<[number[], number[]]> = [
      [[64, 256], [256]],
      [[64, 256], [64, 1]],
      [[4, 5, 6], [5, 1]],
      [[2, 3, 4, 5], [2, 1, 4, 1]],
      [[300, 200], [300, 200]],
      [[4, 64, 64, 32], [32]],
      [[7], []],
      [[], [9, 3]],
      [[2, 1, 3], [1, 4, 1]],
    ];
    for (const [sa, sb] of pairs) {
      it(`[${sa}] ∘ [${sb}]`, async () => {
        await expectBackendsAgree(
          ['onnx'],
          () => {
            const a = randn(sa, 1);
            const b = randn(sb, 2);
            return [tf.add(a, b), tf.sub(a, b), tf.mul(a, b), tf.div(a, positive(sb, 2)), tf.maximum(a, b), tf.minimum(a, b), tf.squaredDifference(a, b), tf.pow(positive(sa, 1), b)];
          },
          `binary [${sa}] [${sb}]`,
        );
      });
    }
  });

  describe('unary ops', () => {
    for (const shape of [[64, 64], [3, 1000], [4, 64, 64, 16]]) {
      it(`[${shape}] (${shape.reduce((a, b) => a * b)} elements; ONNX Runtime from ${ORT_MIN_ELEMENTS})`, async () => {
        await expectBackendsAgree(
          ['onnx'],
          () => {
            const x = randn(shape, 3);
            const p = positive(shape, 3);
            return [
              tf.relu(x), tf.relu6(tf.mul(x, 4)), tf.sigmoid(x), tf.tanh(x), tf.exp(x), tf.log(p), tf.sqrt(p), tf.rsqrt(p), tf.square(x),
              tf.neg(x), tf.abs(x), tf.reciprocal(p), tf.step(x), tf.step(x, 0.3), tf.elu(x), tf.leakyRelu(x, 0.1),
            ];
          },
          `unary [${shape}]`,
        );
      });
    }

    it('the relu gradient (one-pass kernel) equals mul(dy, step(x))', async () => {
      await expectBackendsAgree(
        ['onnx'],
        () => [64 * 64, 4 * 64 * 64 * 16].map((n) => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.relu(x), randn([n], 5))))(randn([n], 4))),
        'relu gradient',
      );
    });
  });
});

describeKernelSets(() => {
  describe('reductions, softmax, transpose', () => {
    const cases: Array<[number[], number | number[], boolean]> = [
      [[64, 256], 0, false],
      [[64, 256], 1, true],
      [[4, 64, 64, 32], [0, 1, 2], false],
      [[32, 64, 256], -1, true],
      [[4, 5, 6], [0, 2], false],
      [[300, 200], [0, 1], false],
      [[20, 30, 40], [1], true],
    ];
    for (const [shape, axis, keep] of cases) {
      it(`sum/mean/max/min over ${JSON.stringify(axis)} of [${shape}], keepDims ${keep}`, async () => {
        await expectBackendsAgree(
          ['onnx'],
          () => {
            const x = randn(shape, 6);
            return [tf.sum(x, axis, keep), tf.mean(x, axis, keep), tf.max(x, axis, keep), tf.min(x, axis, keep)];
          },
          `reduce [${shape}] ${JSON.stringify(axis)}`,
        );
      });
    }

    it('softmax (last axis) and transposes', async () => {
      await expectBackendsAgree(
        ['onnx'],
        () => [
          tf.softmax(randn([64, 10], 7)),
          tf.softmax(randn([8, 4, 32, 32], 8)),
          tf.transpose(randn([8, 64, 4, 16], 9), [0, 2, 1, 3]),
          tf.transpose(randn([300, 200], 10)),
          tf.transpose(randn([5, 6], 11)),
        ],
        'softmax/transpose',
      );
    });
  });
});

describe('slicing, splitting, stacking and concatenation', () => {
  it('slice, split, unstack, concat on float32 and int32', async () => {
    await expectBackendsAgree(
      ['onnx'],
      () => {
        const x = randn([64, 256], 12);
        const ints = tf.reshape(tf.range(0, 30, 1, 'int32'), [5, 6]);
        return [
          tf.slice(x, [0, 64], [64, 64]),
          tf.slice(randn([5, 6, 7], 13), [1, 0, 2], [3, 6, 4]),
          tf.slice(randn([5, 6, 7], 13), [2, 0, 0], [2, 6, 7]),
          tf.cast(tf.slice(ints, [1, 2], [2, 3]), 'float32'),
          ...tf.split(x, 4, 1),
          ...tf.split(randn([6, 10, 3], 14), [3, 7], 1),
          ...tf.unstack(randn([8, 21, 7], 15), 1),
          tf.concat([randn([64, 7], 16), randn([64, 64], 17)], 1),
          tf.concat([randn([3, 4, 5], 18), randn([3, 2, 5], 19), randn([3, 1, 5], 20)], 1),
          tf.cast(tf.concat([tf.ones([2, 3], 'int32'), ints.slice([0, 0], [2, 2])], 1), 'float32'),
        ];
      },
      'slices',
    );
  });
});

describe('tile and broadcastTo (block copies)', () => {
  it('float32, int32 and bool, any reps, size-1 axes (broadcasts) and large outputs', async () => {
    await expectBackendsAgree(
      ['onnx'],
      () => {
        const ints = tf.reshape(tf.range(0, 6, 1, 'int32'), [2, 3]);
        return [
          tf.tile(randn([2, 3], 22), [3, 2]),
          tf.tile(randn([2, 1, 3], 23), [2, 4, 1]),
          tf.tile(randn([5], 24), [7]),
          tf.broadcastTo(randn([2048, 1], 25), [2048, 256]),
          tf.broadcastTo(randn([1, 256], 26), [64, 256]),
          tf.broadcastTo(randn([4, 1, 1, 8], 27), [4, 5, 6, 8]),
          tf.cast(tf.tile(ints, [2, 2]), 'float32'),
          tf.cast(tf.tile(tf.greater(ints, 2), [1, 3]), 'float32'),
        ];
      },
      'tile',
    );
  });
});

describe('the output-buffer pool never recycles memory that can still be seen', () => {
  it('recycles the buffers of disposed outputs, and not those read out or viewed', async () => {
    await useBackend('onnx');
    const backend = tf.backend() as OnnxCpuBackend;
    const n = 1 << 16;
    const x = randn([n], 21);
    await expectNoLeak(() => {
      // An output that was read with dataSync keeps its values after dispose and later ops.
      const y = tf.relu(x);
      const seen = y.dataSync();
      const copy = Float32Array.from(seen);
      y.dispose();
      const before = backend.poolBytes;
      for (let i = 0; i < 3; i++) tf.neg(x).dispose();
      expect(Array.from(seen.subarray(0, 16))).toEqual(Array.from(copy.subarray(0, 16)));
      expect(seen).toEqual(copy);
      // A disposed, never-read output goes back to the pool and is reused.
      tf.neg(x).dispose();
      expect(backend.poolBytes).toBeGreaterThanOrEqual(before);
      const z = tf.neg(x);
      const w = tf.sigmoid(z); // a second output of the same size while z is alive
      expect(backend.f32(w)).not.toBe(backend.f32(z));
      tf.dispose([z, w]);
      // Another tensor on the same data (reshape) and a view made by a cpu kernel (StridedSlice's
      // contiguous case returns a subarray of its input) both keep the parent's buffer out of the pool.
      const big = tf.exp(x);
      const same = tf.reshape(big, [n / 2, 2]);
      const view = tf.stridedSlice(big, [0], [n / 2], [1]);
      expect((backend.f32(view) as Float32Array).buffer).toBe(backend.f32(big).buffer);
      big.dispose();
      const expectedSame = Float32Array.from(backend.f32(same));
      const expectedView = Float32Array.from(backend.f32(view));
      for (let i = 0; i < 3; i++) tf.neg(x).dispose();
      expect(backend.f32(same)).toEqual(expectedSame);
      same.dispose();
      for (let i = 0; i < 3; i++) tf.neg(x).dispose();
      expect(backend.f32(view)).toEqual(expectedView);
      view.dispose();
    }, 'pool');
    x.dispose();
  });
});

describe('Sum and Mean gradients (broadcast instead of TF.js ones(x.shape)·dy)', () => {
  for (const backend of ['cpu', 'wasm', 'onnx'] as const) {
    it(`${backend}: d/dx Σ c·sum(x, axes) = c broadcast, and mean's is c/n`, async () => {
      await useBackend(backend);
      await expectNoLeak(() => {
        for (const [shape, axes, keep] of [
          [[64, 256], [0], false],
          [[4, 8, 16, 32], [1, 2], true],
          [[2, 3, 4], [0, 1, 2], false],
        ] as Array<[number[], number[], boolean]>) {
          const x = randn(shape, 30);
          const kept = shape.map((d, i) => (axes.includes(i) ? 1 : d));
          const c = randn(keep ? kept : shape.filter((_, i) => !axes.includes(i)), 31);
          const n = axes.reduce((p, a) => p * shape[a]!, 1);
          const [gs, gm] = tf.tidy(() => [
            tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.sum(v, axes, keep), c)))(x),
            tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.mean(v, axes, keep), c)))(x),
          ]);
          const expected = tf.tidy(() => tf.broadcastTo(tf.reshape(c, kept), shape));
          const e = expected.dataSync();
          expect(Array.from(gs!.dataSync())).toEqual(Array.from(e));
          const expectedMean = tf.div(expected, n);
          // dy/n either way (TF.js: dy·1/n): float32 division, identical up to one rounding.
          expectTensorClose(gm!, expectedMean, { rtol: 1e-6, atol: 0 }, `${backend} mean gradient`);
          tf.dispose([x, c, gs!, gm!, expected, expectedMean]);
        }
      }, `${backend} reduce gradients`);
    });
  }
});

describe('float32 tensors whose values are not a Float32Array', () => {
  // TF.js's cpu Cast turns bool/int32 into float32 by sharing the source's Uint8Array/Int32Array;
  // ONNX Runtime refuses such a buffer as a float tensor. The onnx backend must read it as float32.
  it('a cast mask times a large tensor runs in ONNX Runtime and matches the cpu backend', async () => {
    const shape = [4, 64, 64, 4]; // 65,536 elements ≥ ORT_MIN_ELEMENTS
    expect(shape.reduce((a, b) => a * b)).toBeGreaterThanOrEqual(ORT_MIN_ELEMENTS);
    await expectBackendsAgree(
      ['onnx'],
      () =>
        tf.tidy(() => {
          const x = randn(shape, 21);
          const hard = tf.cast(tf.greater(x, 0), 'float32');
          const counts = tf.cast(tf.range(0, 65536, 1, 'int32').reshape(shape), 'float32');
          return [tf.mul(hard, randn(shape, 22)), tf.add(counts, x), tf.sum(tf.mul(hard, counts))];
        }),
      'cast mask',
    );
  });
});
