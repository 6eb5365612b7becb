// Shared helpers of the kernel tests: run the same computation on several TF.js backends and compare.
import * as tf from '@tensorflow/tfjs';
import { expectTensorClose, mulberry32, normals } from '@lossworks/testing';
import { afterAll, beforeAll, describe } from 'vitest';
import { selectBackend, type BackendName } from '../../src/index.js';
import type { NativeKernels } from '../../src/kernels/native.js';
import type { OnnxCpuBackend } from '../../src/kernels/onnx-backend.js';

/** A seeded normal tensor (same values on every backend and run). */
export function randn(shape: number[], seed: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(normals(n, mulberry32(seed)), shape, 'float32');
}

/** Activates `name` through selectBackend (so installKernelsAndGradients runs); onnx with one thread. */
export async function useBackend(name: BackendName): Promise<void> {
  await selectBackend({ force: name, threads: 1, env: {} });
}

/**
 * Runs `f` on `backend` and returns every output's values (read outside tidy, see STACK.md) and shape.
 * Inputs must be created inside `f` so that each backend computes from its own copy.
 */
export async function valuesOn(backend: BackendName, f: () => tf.Tensor | tf.Tensor[]): Promise<Array<{ values: Float32Array; shape: number[] }>> {
  await useBackend(backend);
  const outs = tf.tidy(() => {
    const r = f();
    return Array.isArray(r) ? r : [r];
  });
  const res = outs.map((t) => ({ values: Float32Array.from(t.dataSync()), shape: t.shape }));
  tf.dispose(outs);
  return res;
}

/**
 * Float32 agreement of two implementations of the same sums: |a − e| ≤ 1e-4·|e| + 1e-5·max|e|. The
 * relative part is the 1e-4; the absolute part covers elements that cancel to near zero,
 * where float32 sums of ≤ 300 products in a different order differ by ~300·6e-8 ≈ 2e-5 of the
 * magnitudes summed.
 */
export function expectAgree(actual: { values: Float32Array; shape: number[] }, expected: { values: Float32Array; shape: number[] }, label: string): void {
  let scale = 0;
  for (const v of expected.values) scale = Math.max(scale, Math.abs(v));
  if (actual.shape.join() !== expected.shape.join()) throw new Error(`${label}: shape [${actual.shape}] vs expected [${expected.shape}]`);
  expectTensorClose(actual.values, expected.values, { rtol: 1e-4, atol: 1e-5 * Math.max(scale, 1e-6) }, label);
}

/** Runs `f` on cpu (the reference) and on each backend of `others`, asserting agreement of every output. */
export async function expectBackendsAgree(others: BackendName[], f: () => tf.Tensor | tf.Tensor[], label: string): Promise<void> {
  const ref = await valuesOn('cpu', f);
  for (const b of others) {
    const got = await valuesOn(b, f);
    got.forEach((g, i) => expectAgree(g, ref[i]!, `${label} [${b}, output ${i}]`));
  }
}

let savedNative: NativeKernels | null | undefined;

/**
 * Switches the onnx backend's native kernels (native/kernels.cc) off, or back on: with them off the
 * kernels they replace (ONNX Runtime graphs, JavaScript loops) run, so each path keeps its tests.
 */
export async function setNative(on: boolean): Promise<void> {
  await useBackend('onnx');
  const be = tf.findBackend('onnx') as OnnxCpuBackend;
  if (savedNative === undefined) savedNative = be.native;
  be.native = on ? savedNative : null;
}

/** The two kernel sets a test runs under, as describe.each rows. */
export const NATIVE_MODES = [
  { native: true, label: 'native kernels' },
  { native: false, label: 'native kernels off (ONNX Runtime and JavaScript)' },
] as const;

/** Declares `body`'s tests twice: with the native kernels, and with them off (see {@link setNative}). */
export function describeKernelSets(body: () => void): void {
  describe.each(NATIVE_MODES)('$label', ({ native }) => {
    beforeAll(async () => {
      await setNative(native);
    });
    afterAll(async () => {
      await setNative(true);
    });
    body();
  });
}
