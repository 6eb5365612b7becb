// Synchronous access to ONNX Runtime for TF.js kernels. onnxruntime-node's public InferenceSession.run()
// returns a Promise only because its JS wrapper defers the native call by one setImmediate; the native
// binding it wraps (onnxruntime-node/dist/binding.js) loads and runs models synchronously, which is what
// a TF.js kernel (a synchronous function) needs. This module calls that binding the same way the
// wrapper does (initOrt once, `new binding.InferenceSession()`, `loadModel(buffer, offset, length,
// options)`, `run(feeds, fetches, runOptions)`), keeps one session per graph in a bounded LRU cache and
// writes every output straight into a Float32Array that the caller owns (pre-allocated fetches).
import { attr, encodeModel, ModelProto, type OnnxModelSpec } from '../onnx/proto.js';
import type { ModuleImporter } from '../backend.js';

/** The subset of onnxruntime-common's Tensor constructor used here. */
type OrtTensorCtor = new (type: 'float32' | 'int32' | 'int64', data: Float32Array | Int32Array | BigInt64Array, dims: readonly number[]) => unknown;

interface NativeSession {
  loadModel(buffer: ArrayBufferLike, byteOffset: number, byteLength: number, options: Record<string, unknown>): void;
  run(feeds: Record<string, unknown>, fetches: Record<string, unknown>, options: Record<string, unknown>): Record<string, unknown>;
  dispose(): void;
}

interface NativeBinding {
  InferenceSession: new () => NativeSession;
}

/** What {@link loadOrt} found: the native binding and the Tensor class it expects. */
export interface OrtModules {
  binding: NativeBinding;
  Tensor: OrtTensorCtor;
  initOrt: () => void;
}

/** The module specifiers {@link loadOrt} imports (tests replace the importer to make them fail). */
export const ORT_SPECIFIERS = { main: 'onnxruntime-node', binding: 'onnxruntime-node/dist/binding.js' } as const;

function unwrap(mod: unknown): Record<string, unknown> {
  const m = mod as Record<string, unknown> | null;
  if (m && typeof m === 'object' && 'default' in m && m.default && typeof m.default === 'object') {
    return { ...(m.default as Record<string, unknown>), ...m };
  }
  return m ?? {};
}

/**
 * Imports onnxruntime-node and its native binding through `importer`. Throws (with the importer's
 * message) when the package or its native library cannot be loaded.
 */
export async function loadOrt(importer: ModuleImporter): Promise<OrtModules> {
  const main = unwrap(await importer(ORT_SPECIFIERS.main));
  const native = unwrap(await importer(ORT_SPECIFIERS.binding));
  const binding = native.binding as NativeBinding | undefined;
  const initOrt = native.initOrt as (() => void) | undefined;
  const Tensor = main.Tensor as OrtTensorCtor | undefined;
  if (!binding || typeof binding.InferenceSession !== 'function' || typeof initOrt !== 'function' || typeof Tensor !== 'function') {
    throw new Error(`${ORT_SPECIFIERS.binding} does not export binding.InferenceSession and initOrt (onnxruntime-node 1.30 layout expected)`);
  }
  initOrt();
  return { binding, Tensor, initOrt };
}

/** An input or output of a graph run: the flat data and its dims. */
export interface OrtValue {
  data: Float32Array | Int32Array | BigInt64Array;
  dims: readonly number[];
}

/** Options of {@link OrtRuntime}. */
export interface OrtRuntimeOptions {
  /** Intra-op threads of every session (0 or undefined: ONNX Runtime's default, one per core). */
  threads?: number;
  /** Most sessions kept; the least recently used one is released beyond it. Default 256. */
  maxSessions?: number;
}

interface CachedSession {
  native: NativeSession;
  inputs: string[];
  outputs: string[];
}

/** Extra operator-set imports (custom-domain ops such as com.microsoft.nchwc), as ModelProto bytes. */
function opsetImportBytes(domains: readonly string[]): Uint8Array {
  if (domains.length === 0) return new Uint8Array(0);
  // A serialized protobuf message may be followed by more fields of the same message: appending a
  // ModelProto that holds only opset_import entries adds them to the repeated field.
  return ModelProto.encode(ModelProto.fromObject({ opsetImport: domains.map((domain) => ({ domain, version: 1 })) })).finish();
}

/**
 * Sessions for small ONNX graphs, built on first use and cached by key. Inputs are named i0, i1, …
 * and outputs o0, o1, … by convention; {@link OrtRuntime.run} binds them in that order.
 */
export class OrtRuntime {
  private readonly cache = new Map<string, CachedSession>();
  private threads: number;
  readonly maxSessions: number;
  /** NCHWc block size of this CPU (MLAS: 16 with AVX-512, 8 with AVX2), measured once. */
  private block: number | undefined;
  /** Sessions created so far (tests and the benchmark read it). */
  created = 0;

  constructor(
    readonly ort: OrtModules,
    options: OrtRuntimeOptions = {},
  ) {
    this.threads = options.threads ?? 0;
    this.maxSessions = options.maxSessions ?? 256;
  }

  /** Current intra-op thread count (0: ONNX Runtime's default). */
  get threadCount(): number {
    return this.threads;
  }

  /** Changes the intra-op thread count; cached sessions are released and rebuilt on next use. */
  setThreads(threads: number | undefined): void {
    const t = threads ?? 0;
    if (t === this.threads) return;
    this.threads = t;
    this.clear();
  }

  /** Number of cached sessions. */
  get size(): number {
    return this.cache.size;
  }

  /** Releases every cached session. */
  clear(): void {
    for (const s of this.cache.values()) s.native.dispose();
    this.cache.clear();
  }

  private sessionOptions(): Record<string, unknown> {
    const opts: Record<string, unknown> = {
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      interOpNumThreads: 1,
    };
    if (this.threads > 0) opts.intraOpNumThreads = this.threads;
    return opts;
  }

  private create(spec: OnnxModelSpec, domains: readonly string[]): CachedSession {
    const main = encodeModel(spec);
    const extra = opsetImportBytes(domains);
    const bytes = new Uint8Array(main.length + extra.length);
    bytes.set(main, 0);
    bytes.set(extra, main.length);
    const native = new this.ort.binding.InferenceSession();
    native.loadModel(bytes.buffer, bytes.byteOffset, bytes.byteLength, this.sessionOptions());
    this.created++;
    return { native, inputs: spec.inputs.map((v) => v.name), outputs: spec.outputs.map((v) => v.name) };
  }

  /** The session for `key`, built from `build()` on a miss (most recently used moves last). */
  session(key: string, build: () => { spec: OnnxModelSpec; domains?: readonly string[] }): CachedSession {
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const { spec, domains = [] } = build();
    const s = this.create(spec, domains);
    this.cache.set(key, s);
    while (this.cache.size > this.maxSessions) {
      const oldest = this.cache.keys().next().value as string;
      this.cache.get(oldest)!.native.dispose();
      this.cache.delete(oldest);
    }
    return s;
  }

  private tensor(v: OrtValue): unknown {
    const type = v.data instanceof Float32Array ? 'float32' : v.data instanceof Int32Array ? 'int32' : 'int64';
    return new this.ort.Tensor(type, v.data, v.dims);
  }

  /** Runs a cached graph synchronously: inputs bind to i0…, and each output is written into `outputs[k].data`. */
  run(session: CachedSession, inputs: readonly OrtValue[], outputs: readonly OrtValue[]): void {
    const feeds: Record<string, unknown> = {};
    inputs.forEach((v, k) => (feeds[session.inputs[k]!] = this.tensor(v)));
    const fetches: Record<string, unknown> = {};
    outputs.forEach((v, k) => (fetches[session.outputs[k]!] = this.tensor(v)));
    session.native.run(feeds, fetches, {});
  }

  /**
   * The NCHWc block size MLAS uses on this CPU: a ReorderInput of one channel pads it to one block
   * (16 with AVX-512, 8 with AVX2, 4 elsewhere). Measured once, then cached.
   */
  blockSize(): number {
    if (this.block === undefined) {
      const s = this.session('probe:nchwc-block', () => ({
        spec: {
          nodes: [{ op: 'ReorderInput', domain: NCHWC, inputs: ['i0'], outputs: ['r'], attrs: { channels_last: attr.int(0) } }, { op: 'Shape', inputs: ['r'], outputs: ['o0'] }],
          inputs: [{ name: 'i0', dims: [1, 1, 1, 1] }],
          outputs: [{ name: 'o0', dims: [4], elemType: 7 }],
        },
        domains: [NCHWC],
      }));
      const shape = new BigInt64Array(4);
      this.run(s, [{ data: new Float32Array(1), dims: [1, 1, 1, 1] }], [{ data: shape, dims: [4] }]);
      this.block = Number(shape[1]);
    }
    return this.block;
  }
}

/** ONNX Runtime's domain of NCHWc-blocked CPU kernels (ReorderInput, Conv, ReorderOutput). */
export const NCHWC = 'com.microsoft.nchwc';
