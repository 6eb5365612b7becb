// core-train's fast kernels: the 'onnx' TF.js backend (the cpu backend with its heavy kernels run by
// ONNX Runtime), loaded lazily by selectBackend() so that importing core-train never loads
// onnxruntime-node.
import type { ModuleImporter } from '../backend.js';
import { convKernels } from './kernels-conv.js';
import { elementwiseKernels } from './kernels-elementwise.js';
import { gradKernels } from './kernels-grad.js';
import { matMulKernels } from './kernels-matmul.js';
import { optimizerKernels } from './kernels-optim-ort.js';
import { poolKernels } from './kernels-pool.js';
import { ONNX_BACKEND, registerOnnxBackend, type KernelFn } from './onnx-backend.js';
import { loadNativeKernels, type NativeStatus } from './native.js';
import { loadOrt, OrtRuntime } from './ort.js';

export { ONNX_BACKEND, OnnxCpuBackend } from './onnx-backend.js';
export { OrtRuntime, loadOrt, ORT_SPECIFIERS, type OrtRuntimeOptions } from './ort.js';
export { loadNativeKernels, NATIVE_ABI, type NativeKernels, type NativeStatus, type LoadNativeOptions } from './native.js';
export { convPath, geometryOf, type ConvGeometry, type ConvPath } from './conv-graphs.js';

let runtime: OrtRuntime | undefined;
let nativeStatus: NativeStatus | undefined;

/** Whether the 'onnx' backend runs core-train's native kernels, and why not (undefined before it loaded). */
export function onnxNativeStatus(): NativeStatus | undefined {
  return nativeStatus;
}

/** Every kernel the 'onnx' backend runs in ONNX Runtime, by TF.js kernel name. */
export function onnxKernels(): Record<string, KernelFn> {
  return { ...elementwiseKernels(), ...convKernels(), ...matMulKernels(), ...poolKernels(), ...optimizerKernels(), ...gradKernels() };
}

/** The ONNX Runtime of the 'onnx' backend, or undefined before {@link loadOnnxBackend} succeeded. */
export function onnxRuntime(): OrtRuntime | undefined {
  return runtime;
}

/** Options of {@link loadOnnxBackend}. */
export interface LoadOnnxBackendOptions {
  /** Loads onnxruntime-node (default: dynamic import); tests pass one that fails. */
  importer?: ModuleImporter;
  /** ONNX Runtime intra-op threads (default: one per core). */
  threads?: number;
  /** Most cached ONNX sessions (default 256). */
  maxSessions?: number;
  /**
   * Flush denormal floats to zero (default true, or LOSSWORKS_ONNX_FLUSH_DENORMALS=0 to keep them);
   * see OrtRuntimeOptions.flushDenormals for what that changes in the whole process.
   */
  flushDenormals?: boolean;
  /**
   * Use core-train's native kernels (native/kernels.cc, compiled once per machine with the system's
   * C++ compiler) where they are faster than ONNX Runtime: filter gradients, narrow convolutions,
   * batched small matrix products, reductions, Adam and the elementwise ops (see the README).
   * Default true unless LOSSWORKS_NATIVE=0; without a compiler the backend runs without them.
   */
  native?: boolean;
  /** Environment to read LOSSWORKS_ONNX_FLUSH_DENORMALS and LOSSWORKS_NATIVE from. Default `process.env`. */
  env?: Record<string, string | undefined>;
}

/**
 * Loads onnxruntime-node's native binding and registers the 'onnx' TF.js backend (it does not make it
 * the active backend: selectBackend() or tf.setBackend('onnx') does). Throws the import error when
 * onnxruntime-node cannot load. Returns the TF.js backend name.
 */
export async function loadOnnxBackend(options: LoadOnnxBackendOptions = {}): Promise<string> {
  const importer = options.importer ?? ((s: string) => import(s));
  const ort = await loadOrt(importer);
  if (!runtime) {
    const flag = (options.env ?? process.env).LOSSWORKS_ONNX_FLUSH_DENORMALS;
    const flushDenormals = options.flushDenormals ?? !(flag !== undefined && ['0', 'false', 'no'].includes(flag.trim().toLowerCase()));
    const rt = new OrtRuntime(ort, { threads: options.threads, maxSessions: options.maxSessions, flushDenormals });
    rt.blockSize(); // runs a first graph: fails here, not inside a kernel, if the native library is broken
    rt.selfTest();
    runtime = rt;
    nativeStatus = options.native === false ? { kernels: null, compiled: false, reason: 'disabled (native: false)' } : loadNativeKernels(options.env ? { env: options.env } : {});
    registerOnnxBackend(rt, onnxKernels(), nativeStatus.kernels);
  } else {
    runtime.setThreads(options.threads);
  }
  return ONNX_BACKEND;
}
