// The onnx backend's MaxPool/AvgPool kernels and their gradients against the cpu backend's, over a
// grid of shapes, filter sizes, strides (overlapping and not), paddings and rounding modes, plus ties,
// NaN and -Infinity (where the first maximum, in raster order, takes the gradient).
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { expectBackendsAgree, randn, useBackend } from './helpers.js';

afterAll(async () => {
  await tf.setBackend('cpu');
});

type Pad = 'same' | 'valid' | number;
/** [batch, h, w, channels, filter, stride, pad, dimRoundingMode]; the first three take the 2x2/2 loops. */
const GRID: Array<[number, number, number, number, number | [number, number], number | [number, number], Pad, 'floor' | 'round' | 'ceil' | undefined]> = [
  [2, 8, 8, 16, 2, 2, 'valid', undefined],
  [1, 7, 9, 3, 2, 2, 'valid', undefined],
  [2, 6, 6, 4, 2, 2, 'same', undefined],
  [1, 5, 5, 4, 2, 2, 'same', undefined],
  [3, 9, 7, 5, 3, 2, 'same', undefined],
  [2, 9, 9, 4, 3, 1, 'same', undefined],
  [1, 10, 9, 3, [3, 2], [2, 1], 'valid', undefined],
  [2, 7, 8, 6, 3, 2, 1, 'ceil'],
  [1, 11, 11, 2, 5, 3, 2, 'floor'],
  [2, 6, 6, 33, 2, 3, 'same', undefined],
];

describe('onnx pooling kernels agree with cpu', () => {
  for (const [n, h, w, c, f, s, pad, rounding] of GRID) {
    const label = `pool n${n} ${h}x${w}x${c} f${JSON.stringify(f)} s${JSON.stringify(s)} ${pad} ${rounding ?? ''}`;
    it(label, async () => {
      await expectBackendsAgree(
        ['onnx'],
        () => {
          const x = randn([n, h, w, c], 1) as tf.Tensor4D;
          const maxP = (t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, f, s, pad, rounding);
          const avgP = (t: tf.Tensor) => tf.avgPool(t as tf.Tensor4D, f, s, pad, rounding);
          const r = randn(maxP(x).shape, 2);
          const gMax = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(maxP(t), r)))(x);
          const gAvg = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(avgP(t), r)))(x);
          return [maxP(x), avgP(x), gMax, gAvg];
        },
        label,
      );
    });
  }

  it('ties, NaN and -Infinity: the first maximum in raster order takes the gradient', async () => {
    await expectBackendsAgree(
      ['onnx'],
      () => {
        // Small integers: many windows hold their maximum twice or more.
        const v = Array.from(randn([2, 8, 8, 3], 5).dataSync(), (t) => Math.round(t));
        v[0] = Number.NaN;
        v[3] = Number.NEGATIVE_INFINITY;
        for (let i = 24; i < 48; i++) v[i] = Number.NaN; // a whole row of NaN windows' inputs
        const x = tf.tensor4d(v, [2, 8, 8, 3]);
        const y = tf.maxPool(x, 3, 1, 'same');
        const r = randn(y.shape, 6);
        const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, 3, 1, 'same'), r)))(x);
        const g2 = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid'), randn([2, 4, 4, 3], 7))))(x);
        return [tf.where(tf.isNaN(y), tf.fill(y.shape, 123), y), g, g2];
      },
      'max pool ties',
    );
  });

  it('a pooling conv net trains alike on both backends', async () => {
    const lossesOn = async (backend: 'cpu' | 'onnx'): Promise<number[]> => {
      await useBackend(backend);
      const model = tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [12, 12, 2], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same' }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
        ],
      });
      const x = randn([4, 12, 12, 2], 8);
      const y = randn([4, 3], 9);
      const opt = tf.train.sgd(0.002);
      const losses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const l = opt.minimize(() => tf.losses.meanSquaredError(y, model.apply(x) as tf.Tensor) as tf.Scalar, true)!;
        losses.push(l.dataSync()[0]!);
        l.dispose();
      }
      opt.dispose();
      model.dispose();
      tf.dispose([x, y]);
      return losses;
    };
    const cpu = await lossesOn('cpu');
    const onnx = await lossesOn('onnx');
    // Same math in a different summation order (ONNX Runtime convolutions): float32 agreement.
    onnx.forEach((l, i) => expect(l).toBeCloseTo(cpu[i]!, 4));
    expect(onnx[2]).toBeLessThan(onnx[0]!);
  });

  it('replaces the cpu kernels on the onnx backend', async () => {
    await useBackend('onnx');
    for (const name of ['MaxPool', 'AvgPool', 'MaxPoolGrad', 'AvgPoolGrad']) {
      expect(tf.getKernel(name, 'onnx')!.kernelFunc, name).not.toBe(tf.getKernel(name, 'cpu')!.kernelFunc);
    }
  });
});
