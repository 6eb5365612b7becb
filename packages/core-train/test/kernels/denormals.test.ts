// ONNX Runtime's denormal flush (on by default; see OrtRuntimeOptions.flushDenormals) is optional,
// and selectBackend's `threads` reaches the runtime.
import * as tf from '@tensorflow/tfjs';
import { afterAll, expect, it } from 'vitest';
import { selectBackend } from '../../src/index.js';
import { loadOnnxBackend, onnxRuntime } from '../../src/kernels/index.js';

afterAll(async () => {
  await tf.setBackend('cpu');
});

it('LOSSWORKS_ONNX_FLUSH_DENORMALS=0 keeps denormals, in ONNX Runtime and in JavaScript', async () => {
  // The first load in this process decides (the runtime is created once).
  await loadOnnxBackend({ env: { LOSSWORKS_ONNX_FLUSH_DENORMALS: '0' }, threads: 1 });
  expect(onnxRuntime()!.flushDenormals).toBe(false);
  await selectBackend({ force: 'onnx', env: {}, threads: 1 });
  // Loading a float32 denormal into JavaScript (0 when the thread has DAZ set).
  expect(new Float32Array([1e-39])[0]).toBeGreaterThan(0);
  // A 64x64 product (ONNX Runtime: above MATMUL_MIN_MACS) of denormal-scaled inputs stays denormal.
  const y = tf.tidy(() => tf.matMul(tf.fill([64, 64], 1e-20), tf.fill([64, 64], 1e-20)).dataSync());
  expect(y[0]).toBeGreaterThan(0);
  // Denormals carry fewer mantissa bits: 1e-4 relative (the flushed result would be 0).
  expect(Math.abs(y[0]! / 6.4e-39 - 1)).toBeLessThan(1e-4);
});

it("selectBackend's threads option sets ONNX Runtime's intra-op threads", async () => {
  await selectBackend({ force: 'onnx', env: {}, threads: 2 });
  expect(onnxRuntime()!.threadCount).toBe(2);
  await selectBackend({ force: 'onnx', env: {}, threads: 1 });
  expect(onnxRuntime()!.threadCount).toBe(1);
  expect(onnxRuntime()!.size).toBeGreaterThanOrEqual(0);
});
