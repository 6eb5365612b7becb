// The kernels wasm lacks for training (Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropInput/Filter,
// UnsortedSegmentSum), polyfilled by installKernelsAndGradients(): they agree with the cpu kernels and
// embedding, conv2d and depthwise models train on wasm.
import * as tf from '@tensorflow/tfjs';
import { expectNoLeak } from '@lossworks/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectBackendsAgree, randn, useBackend } from './helpers.js';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

// See gradients.test.ts: TF.js's IS_TEST leak check misreads wasm's clones in fused-conv gradients.
let isTest = true;
beforeAll(() => {
  isTest = tf.env().getBool('IS_TEST');
  tf.env().set('IS_TEST', false);
});
afterAll(async () => {
  tf.env().set('IS_TEST', isTest);
  await tf.setBackend('cpu');
});

describe('wasm polyfills agree with the cpu kernels', () => {
  const grid: Array<[number, number, number, Pad]> = [
    [1, 1, 1, 'same'],
    [3, 2, 1, 'valid'],
    [3, 2, 2, 'same'],
    [1, 1, 2, [[0, 0], [1, 2], [0, 1], [0, 0]]],
  ];
  for (const [n, s, m, pad] of grid) {
    it(`conv2d / depthwise backprops: batch ${n}, stride ${s}, multiplier ${m}, pad ${JSON.stringify(pad)}`, async () => {
      await useBackend('wasm');
      expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
      await expectBackendsAgree(
        ['wasm'],
        () => {
          const x = randn([n, 9, 8, 5], 1) as tf.Tensor4D;
          const f = randn([3, 3, 5, 4], 2) as tf.Tensor4D;
          const fd = randn([3, 3, 5, m], 3) as tf.Tensor4D;
          const y = tf.conv2d(x, f, s, pad);
          const yd = tf.depthwiseConv2d(x, fd, s, pad);
          const e = tf.engine();
          return [
            e.runKernel('Conv2DBackpropFilter', { x, dy: randn(y.shape, 4) }, { strides: s, pad, dataFormat: 'NHWC', filterShape: f.shape }) as tf.Tensor,
            e.runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy: randn(yd.shape, 5) }, { strides: s, pad, dilations: 1, filterShape: fd.shape }) as tf.Tensor,
            e.runKernel('DepthwiseConv2dNativeBackpropInput', { dy: randn(yd.shape, 6), filter: fd }, { strides: s, pad, dilations: 1, inputShape: x.shape }) as tf.Tensor,
          ];
        },
        'wasm polyfill',
      );
    });
  }

  it('UnsortedSegmentSum (the gather / embedding gradient), float32 and int32, ids out of range dropped', async () => {
    await expectBackendsAgree(
      ['wasm'],
      () => [
        tf.unsortedSegmentSum(randn([6, 3, 2], 7), tf.tensor1d([2, 0, 2, 4, 1, 0], 'int32'), 5),
        tf.cast(tf.unsortedSegmentSum(tf.tensor2d([[1, 2], [3, 4], [5, 6]], [3, 2], 'int32'), tf.tensor1d([1, 1, 7], 'int32'), 3), 'float32'),
      ],
      'unsortedSegmentSum',
    );
  });
});

describe('models that stock wasm cannot train now train on wasm', () => {
  it('an embedding model (gather gradient)', async () => {
    await useBackend('wasm');
    const model = tf.sequential({
      layers: [
        tf.layers.embedding({ inputDim: 20, outputDim: 4, inputLength: 5, embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: 1 }) }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.05), loss: 'meanSquaredError' });
    const x = tf.tensor2d([[1, 2, 3, 4, 5], [5, 6, 7, 8, 9], [10, 11, 12, 13, 14], [15, 16, 17, 18, 19]], [4, 5], 'int32');
    const y = tf.tensor2d([[1], [-1], [0.5], [2]]);
    await model.fit(x, y, { epochs: 2, verbose: 0 });
    const h = await expectNoLeak(() => model.fit(x, y, { epochs: 20, verbose: 0 }), 'embedding fit');
    const losses = h.history.loss as number[];
    expect(losses.at(-1)!).toBeLessThan(0.5 * losses[0]!);
    model.dispose();
    tf.dispose([x, y]);
  });

  it('conv2d (strides 1 and 2) and depthwise conv layers', async () => {
    await useBackend('wasm');
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [10, 10, 3], filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
        tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'valid', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
        tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', depthwiseInitializer: tf.initializers.glorotUniform({ seed: 5 }) }),
        tf.layers.globalAveragePooling2d({}),
        tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 6 }) }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
    const x = randn([8, 10, 10, 3], 8);
    const y = tf.tidy(() => tf.reshape(tf.mean(x, [1, 2, 3]), [8, 1]));
    await model.fit(x, y, { epochs: 2, verbose: 0 });
    const h = await expectNoLeak(() => model.fit(x, y, { epochs: 15, verbose: 0 }), 'conv fit');
    const losses = h.history.loss as number[];
    expect(losses.at(-1)!).toBeLessThan(losses[0]!);
    model.dispose();
    tf.dispose([x, y]);
  });
});
