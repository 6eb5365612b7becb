// The 'onnx' TF.js backend: TF.js's cpu backend (same tensor storage, every cpu kernel) whose heavy
// kernels run ONNX graphs synchronously in ONNX Runtime.
import * as tf from '@tensorflow/tfjs';
import type { OrtRuntime } from './ort.js';

/** Name under which the accelerated backend registers in TF.js. */
export const ONNX_BACKEND = 'onnx';

/** A kernel implementation as TF.js calls it. */
export type KernelFn = (args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown }) => tf.TensorInfo | tf.TensorInfo[];

/** The cpu backend's storage, plus the ONNX Runtime that the kernels call. */
export class OnnxCpuBackend extends tf.MathBackendCPU {
  constructor(readonly runtime: OrtRuntime) {
    super();
    // The cpu backend prints an "install tfjs-node" banner on first use in Node; this backend is the
    // answer to that banner.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  /** Float32 values of a tensor held by this backend (shared, not copied). */
  f32(t: tf.TensorInfo): Float32Array {
    return this.data.get(t.dataId).values as Float32Array;
  }

  /** Registers `values` as a new float32 tensor of `shape` (no copy). */
  out(shape: readonly number[], values: Float32Array): tf.TensorInfo {
    return this.makeTensorInfo([...shape], 'float32', values);
  }

  override dispose(): void {
    super.dispose();
  }
}

/** The original cpu kernel of `name` (the fallback of every accelerated kernel). */
export function cpuKernel(name: string): KernelFn {
  const k = tf.getKernel(name, 'cpu');
  if (!k) throw new Error(`onnx backend: the cpu backend has no kernel '${name}'`);
  return k.kernelFunc as unknown as KernelFn;
}

/**
 * Registers the 'onnx' backend in TF.js (once): a fresh cpu backend instance with every cpu kernel,
 * `overrides` replacing the ones that run in ONNX Runtime. Priority 0: TF.js never picks it on its
 * own; selectBackend() (or tf.setBackend('onnx')) does.
 */
export function registerOnnxBackend(runtime: OrtRuntime, overrides: Record<string, KernelFn>): void {
  if (tf.findBackendFactory(ONNX_BACKEND)) return;
  tf.registerBackend(ONNX_BACKEND, () => new OnnxCpuBackend(runtime), 0);
  for (const k of tf.getKernelsForBackend('cpu')) {
    const override = overrides[k.kernelName];
    tf.registerKernel({ ...k, backendName: ONNX_BACKEND, ...(override ? { kernelFunc: override as unknown as tf.KernelFunc } : {}) });
  }
  for (const [name, fn] of Object.entries(overrides)) {
    if (!tf.getKernel(name, ONNX_BACKEND)) tf.registerKernel({ kernelName: name, backendName: ONNX_BACKEND, kernelFunc: fn as unknown as tf.KernelFunc });
  }
}
