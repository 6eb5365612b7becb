// The 'onnx' TF.js backend: TF.js's cpu backend (same tensor storage, every cpu kernel) whose heavy
// kernels run ONNX graphs synchronously in ONNX Runtime.
import * as tf from '@tensorflow/tfjs';
import os from 'node:os';
import type { NativeKernels } from './native.js';
import type { OrtRuntime } from './ort.js';
import { BackendError } from '../errors.js';

/** Name under which the accelerated backend registers in TF.js. */
export const ONNX_BACKEND = 'onnx';

/** A kernel implementation as TF.js calls it. */
export type KernelFn = (args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown }) => tf.TensorInfo | tf.TensorInfo[];

/**
 * Float32 arrays of at least this many elements are recycled by {@link OnnxCpuBackend}: allocating a
 * zero-filled 16 KB Float32Array costs ~4.6 µs, as much as multiplying two 64x64 matrices element by
 * element in JavaScript.
 */
export const POOL_MIN_ELEMENTS = 1024;

/**
 * The cpu backend's storage, plus the ONNX Runtime that the kernels call, plus a pool of output
 * buffers. A fresh multi-megabyte Float32Array costs a page fault per 4 KB on first write (profiled:
 * 1–5 ms for an 8 MB conv-net activation, as much as the op itself), so outputs the kernels allocate
 * with {@link OnnxCpuBackend.alloc} return to a pool when their tensor is disposed, like PyTorch's
 * caching allocator. An array is recycled only if nothing else can still see it: never after
 * readSync/read handed it out (dataSync(), data(), array(), moves to other backends), never while
 * another tensor holds it or a view (subarray) of its buffer.
 */
export class OnnxCpuBackend extends tf.MathBackendCPU {
  private readonly pool = new Map<number, Float32Array[]>();
  private pooledBytes = 0;
  /** Arrays allocated by alloc(), by buffer: how views are traced back to their owner. */
  private readonly owned = new WeakMap<ArrayBufferLike, Float32Array>();
  /** Number of tensor records holding each owned array. */
  private readonly holders = new WeakMap<Float32Array, number>();
  /** Owned arrays that escaped (read out, or viewed): never recycled. */
  private readonly escaped = new WeakSet<Float32Array>();

  constructor(
    readonly runtime: OrtRuntime,
    /** core-train's native kernels (native/kernels.cc), or null where they could not be built. */
    public native: NativeKernels | null = null,
    /** Most bytes kept in the pool. */
    readonly maxPoolBytes = 256 * 2 ** 20,
  ) {
    super();
    // The cpu backend prints an "install tfjs-node" banner on first use in Node; this backend is the
    // answer to that banner.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  /**
   * Float32 values of a tensor held by this backend (shared, not copied). TF.js's cpu Cast makes a
   * float32 tensor of a bool or int32 one by sharing the source's Uint8Array / Int32Array; such values
   * are converted once to a Float32Array, which then replaces them (ONNX Runtime reads a buffer's
   * element type from the typed array).
   */
  f32(t: tf.TensorInfo): Float32Array {
    const d = this.data.get(t.dataId);
    const v = d.values;
    if (v instanceof Float32Array) return v;
    const f = Float32Array.from(v as ArrayLike<number>);
    d.values = f;
    return f;
  }

  /** Threads the native kernels split large work over: ONNX Runtime's intra-op count (0: one per core). */
  nativeThreads(): number {
    return this.runtime.threadCount || os.availableParallelism();
  }

  /** A Float32Array of `n` elements for a kernel output, recycled when possible (contents undefined). */
  alloc(n: number): Float32Array {
    if (n < POOL_MIN_ELEMENTS) return new Float32Array(n);
    const free = this.pool.get(n);
    const reused = free?.pop();
    if (reused) {
      this.pooledBytes -= reused.byteLength;
      return reused;
    }
    const a = new Float32Array(n);
    this.owned.set(a.buffer, a);
    return a;
  }

  /** Registers `values` as a new float32 tensor of `shape` (no copy). */
  out(shape: readonly number[], values: Float32Array): tf.TensorInfo {
    return this.makeTensorInfo([...shape], 'float32', values);
  }

  /** Bytes currently held in the pool (tests read it). */
  get poolBytes(): number {
    return this.pooledBytes;
  }

  private ownerOf(values: unknown): Float32Array | undefined {
    if (!(values instanceof Float32Array)) return undefined;
    return this.owned.get(values.buffer);
  }

  private track(values: unknown): void {
    const owner = this.ownerOf(values);
    if (!owner) return;
    if (owner !== values) this.escaped.add(owner);
    else this.holders.set(owner, (this.holders.get(owner) ?? 0) + 1);
  }

  private release(values: unknown): void {
    const owner = this.ownerOf(values);
    if (!owner || owner !== values) return;
    const left = (this.holders.get(owner) ?? 1) - 1;
    this.holders.set(owner, left);
    if (left > 0 || this.escaped.has(owner) || this.pooledBytes + owner.byteLength > this.maxPoolBytes) return;
    const list = this.pool.get(owner.length) ?? [];
    list.push(owner);
    this.pool.set(owner.length, list);
    this.pooledBytes += owner.byteLength;
  }

  override write(values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType): tf.DataId {
    this.track(values);
    return super.write(values, shape, dtype);
  }

  override move(dataId: tf.DataId, values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType, refCount: number): void {
    this.track(values);
    super.move(dataId, values, shape, dtype, refCount);
  }

  override readSync(dataId: tf.DataId): tf.backend_util.BackendValues {
    const owner = this.ownerOf(this.data.get(dataId)?.values);
    if (owner) this.escaped.add(owner);
    return super.readSync(dataId);
  }

  override disposeData(dataId: tf.DataId, force = false): boolean {
    const values = this.data.get(dataId)?.values;
    const done = super.disposeData(dataId, force);
    if (values && !this.data.has(dataId)) this.release(values);
    return done;
  }

  override dispose(): void {
    this.pool.clear();
    this.pooledBytes = 0;
    super.dispose();
  }
}

/** The original cpu kernel of `name` (the fallback of every accelerated kernel). */
export function cpuKernel(name: string): KernelFn {
  const k = tf.getKernel(name, 'cpu');
  if (!k) throw new BackendError(`onnx backend: the cpu backend has no kernel '${name}' to fall back to.`);
  return k.kernelFunc as unknown as KernelFn;
}

/**
 * Registers the 'onnx' backend in TF.js (once): a fresh cpu backend instance with every cpu kernel,
 * `overrides` replacing the ones that run in ONNX Runtime. Priority 0: TF.js never picks it on its
 * own; selectBackend() (or tf.setBackend('onnx')) does.
 */
export function registerOnnxBackend(runtime: OrtRuntime, overrides: Record<string, KernelFn>, native: NativeKernels | null = null): void {
  if (tf.findBackendFactory(ONNX_BACKEND)) return;
  tf.registerBackend(ONNX_BACKEND, () => new OnnxCpuBackend(runtime, native), 0);
  for (const k of tf.getKernelsForBackend('cpu')) {
    const override = overrides[k.kernelName];
    tf.registerKernel({ ...k, backendName: ONNX_BACKEND, ...(override ? { kernelFunc: override as unknown as tf.KernelFunc } : {}) });
  }
  for (const [name, fn] of Object.entries(overrides)) {
    if (!tf.getKernel(name, ONNX_BACKEND)) tf.registerKernel({ kernelName: name, backendName: ONNX_BACKEND, kernelFunc: fn as unknown as tf.KernelFunc });
  }
}
