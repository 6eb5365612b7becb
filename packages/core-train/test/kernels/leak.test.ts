// 500 training steps on the onnx backend leak neither tensors nor native memory.
import * as tf from '@tensorflow/tfjs';
import { afterAll, expect, it } from 'vitest';
import { onnxRuntime } from '../../src/kernels/index.js';
import { randn, useBackend } from './helpers.js';

afterAll(async () => {
  await tf.setBackend('cpu');
});

it('500 conv train steps keep numTensors, ONNX sessions and RSS flat', async () => {
  await useBackend('onnx');
  // Batch 8 of 32x32x16 activations: every activation or gradient is 131,072 floats (512 KB), so
  // leaking a single one per step would grow RSS by 500 × 0.5 MB = 250 MB, and leaking one ONNX
  // Runtime output buffer per step the same.
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [32, 32, 16], filters: 16, kernelSize: 3, padding: 'same', dilationRate: 2, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
  const x = randn([8, 32, 32, 16], 3);
  const y = randn([8, 32, 32, 16], 4);
  const opt = tf.train.adam(1e-3);
  const step = () => {
    const loss = opt.minimize(() => tf.losses.meanSquaredError(y, model.apply(x) as tf.Tensor) as tf.Scalar, true)!;
    loss.dataSync();
    loss.dispose();
  };
  // Warm-up: sessions, Adam's slots, the output-buffer pool and V8's heap reach their steady state.
  for (let i = 0; i < 50; i++) step();
  const tensors = tf.memory().numTensors;
  const sessions = onnxRuntime()!.size;
  const rss0 = process.memoryUsage().rss;
  for (let i = 0; i < 500; i++) step();
  const grown = process.memoryUsage().rss - rss0;
  expect(tf.memory().numTensors).toBe(tensors);
  expect(onnxRuntime()!.size).toBe(sessions);
  // Bound 64 MB: well under the 250 MB of the smallest per-step leak this model can have, and well
  // over V8 heap and malloc arena fluctuation (a few MB between GCs).
  expect(grown).toBeLessThan(64 * 2 ** 20);
  opt.dispose();
  model.dispose();
  tf.dispose([x, y]);
});
