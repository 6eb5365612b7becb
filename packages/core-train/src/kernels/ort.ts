// Synchronous access to ONNX Runtime for TF.js kernels. onnxruntime-node's public InferenceSession.run()
// returns a Promise only because its JS wrapper defers the native call by one setImmediate; the native
// binding it wraps (onnxruntime-node/dist/binding.js) loads and runs models synchronously, which is what
// a TF.js kernel (a synchronous function) needs. This module calls that binding the same way the
// wrapper does (initOrt once, `new binding.InferenceSession()`, `loadModel(buffer, offset, length,
// options)`, `run(feeds, fetches, runOptions)`), keeps one session per graph in a bounded LRU cache and
// writes every output straight into a Float32Array that the caller owns (pre-allocated fetches).
import { attr, encodeModel, ModelProto, type OnnxModelSpec } from '../onnx/proto.js';
import type { ModuleImporter } from '../backend.js';
import { BackendError } from '../errors.js';

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
    throw new BackendError(`loadOrt: ${ORT_SPECIFIERS.binding} does not export binding.InferenceSession and initOrt (onnxruntime-node 1.30 layout expected)`);
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
  /**
   * Treat denormal floats as zero (ONNX Runtime's session.set_denormal_as_zero; the same as
   * torch.set_flush_denormal(True)). Default true: recurrent-net gradients decay into denormals,
   * on which x86 multiply-adds take ~100 cycles (measured: an LSTM's 64x64·64x256 gradient matmul
   * took 764 µs instead of 84 µs). ONNX Runtime sets the FTZ/DAZ flags on Node's main thread, so
   * the rest of the process flushes denormals too: float32 denormals (below 1.2e-38) read from or
   * written to typed arrays become 0, and so do float64 results below 2.2e-308.
   */
  flushDenormals?: boolean;
}

interface CachedSession {
  native: NativeSession;
  inputs: string[];
  outputs: string[];
  /** Whether the graph's first output is the copy-skipping sink (see {@link SINK_MIN_ELEMENTS}). */
  sink: boolean;
  /** Whether it runs on an intra-op thread pool (more than the calling thread). */
  parallel: boolean;
}

/**
 * onnxruntime-node 1.30 writes a run's outputs into the caller's pre-allocated buffers and then
 * copies every output once more into a fresh ArrayBuffer for the JS result ("TODO: optimize memory"
 * in its tensor_helper.cc), one object at a time in graph-output order. For a 2M-element ReLU that
 * copy took 2.7 ms of a 3.3 ms run, and the garbage it leaves triggers V8's external-memory GCs.
 * Graphs with outputs at least this large therefore get a first output of type bfloat16, which
 * that conversion rejects ("Tensor type (16) is not supported.") after the run has written every
 * real output; the rejection is recognised and swallowed. Below this size the ~20 µs of the thrown
 * error costs more than the copy.
 */
export const SINK_MIN_ELEMENTS = 32768;
const SINK_ERROR = 'Tensor type (16) is not supported.';
const SINK_NAME = 'sink_bf16';

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
  /** See {@link OrtRuntimeOptions.flushDenormals}. */
  readonly flushDenormals: boolean;
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
    this.flushDenormals = options.flushDenormals ?? true;
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

  /**
   * Session options. Every session owns its intra-op thread pool, so small graphs run on the calling
   * thread only (`parallel` false: no pool, no hand-off); parallel ones get the configured count and
   * workers that block instead of spinning after a run, so that they leave the cores to JavaScript
   * and to the next session's pool.
   */
  private sessionOptions(parallel: boolean): Record<string, unknown> {
    const opts: Record<string, unknown> = {
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      interOpNumThreads: 1,
      intraOpNumThreads: parallel ? this.threads : 1,
      extra: {
        session: {
          intra_op: { allow_spinning: '0' },
          inter_op: { allow_spinning: '0' },
          ...(this.flushDenormals ? { set_denormal_as_zero: '1' } : {}),
        },
      },
    };
    return opts;
  }

  private create(spec0: OnnxModelSpec, domains: readonly string[], parallel: boolean): CachedSession {
    const outElements = spec0.outputs.reduce((a, o) => a + o.dims.reduce<number>((p, d) => p * (typeof d === 'number' ? d : 1), 1), 0);
    const sink = this.sinkEnabled && outElements >= SINK_MIN_ELEMENTS;
    const spec: OnnxModelSpec = sink
      ? {
          ...spec0,
          nodes: [...spec0.nodes, { op: 'Constant', inputs: [], outputs: [SINK_NAME], attrs: { value: attr.tensor({ dims: [], data: new Uint8Array(2), dataType: 16 as 1 }) } }],
          outputs: [{ name: SINK_NAME, dims: [], elemType: 16 as 1 }, ...spec0.outputs],
        }
      : spec0;
    const main = encodeModel(spec);
    const extra = opsetImportBytes(domains);
    const bytes = new Uint8Array(main.length + extra.length);
    bytes.set(main, 0);
    bytes.set(extra, main.length);
    const native = new this.ort.binding.InferenceSession();
    native.loadModel(bytes.buffer, bytes.byteOffset, bytes.byteLength, this.sessionOptions(parallel));
    this.created++;
    return { native, inputs: spec0.inputs.map((v) => v.name), outputs: spec0.outputs.map((v) => v.name), sink, parallel };
  }

  /**
   * The session for `key`, built from `build()` on a miss (most recently used moves last). `work` is
   * the graph's size (multiply-adds or elements touched): below {@link PARALLEL_MIN_WORK} it runs
   * single-threaded.
   */
  session(key: string, build: () => { spec: OnnxModelSpec; domains?: readonly string[] }, work = Infinity): CachedSession {
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const { spec, domains = [] } = build();
    const s = this.create(spec, domains, work >= PARALLEL_MIN_WORK && this.threads !== 1);
    this.cache.set(key, s);
    while (this.cache.size > this.maxSessions) {
      const oldest = this.cache.keys().next().value as string;
      this.cache.get(oldest)!.native.dispose();
      this.cache.delete(oldest);
    }
    return s;
  }

  /**
   * A feed or fetch as the native binding reads it (location, type, data, dims). A plain object:
   * onnxruntime-common's Tensor exposes the same fields through getters, which the binding's
   * property reads go through — measured 13.9 µs per small run with Tensors, 7.6 µs with plain objects.
   */
  private tensor(v: OrtValue): unknown {
    const type = v.data instanceof Float32Array ? 'float32' : v.data instanceof Int32Array ? 'int32' : 'int64';
    return { location: 'cpu', type, data: v.data, dims: v.dims };
  }

  /** Runs a cached graph synchronously: inputs bind to i0…, and each output is written into `outputs[k].data`. */
  run(session: CachedSession, inputs: readonly OrtValue[], outputs: readonly OrtValue[]): void {
    const feeds: Record<string, unknown> = {};
    inputs.forEach((v, k) => (feeds[session.inputs[k]!] = this.tensor(v)));
    const fetches: Record<string, unknown> = {};
    if (session.sink) fetches[SINK_NAME] = null;
    outputs.forEach((v, k) => (fetches[session.outputs[k]!] = this.tensor(v)));
    if (!session.sink) {
      session.native.run(feeds, fetches, {});
      return;
    }
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0; // the expected error needs no stack
    try {
      session.native.run(feeds, fetches, {});
    } catch (err) {
      if (!(err instanceof Error) || err.message !== SINK_ERROR) throw err;
    } finally {
      Error.stackTraceLimit = limit;
    }
  }

  /** Whether graphs with large outputs get the copy-skipping sink output (verified by {@link OrtRuntime.selfTest}). */
  sinkEnabled = true;

  /**
   * Checks that a graph with the sink output still writes its real output (and disables the sink
   * otherwise, e.g. under a binding that handles outputs differently). Returns whether it is on.
   */
  selfTest(): boolean {
    const n = SINK_MIN_ELEMENTS;
    const build = () => ({
      spec: { nodes: [{ op: 'Neg', inputs: ['i0'], outputs: ['o0'] }], inputs: [{ name: 'i0', dims: [n] }], outputs: [{ name: 'o0', dims: [n] }] },
    });
    const x = new Float32Array(n).map((_, i) => i - n / 2);
    const y = new Float32Array(n);
    try {
      this.run(this.session('probe:sink', build, 1), [{ data: x, dims: [n] }], [{ data: y, dims: [n] }]);
      this.sinkEnabled = y.every((v, i) => v === -x[i]!);
    } catch {
      this.sinkEnabled = false;
    }
    if (!this.sinkEnabled) this.clear();
    return this.sinkEnabled;
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

/**
 * Graphs with less work than this (multiply-adds) run on one thread. Every session owns its thread
 * pool (the Node binding has no shared one), so a parallel run wakes a worker that sleeps between
 * runs; on the 2-core target that hand-off, and the worker competing with the JavaScript thread and
 * other processes, cost more than it saved on memory-bound ops of a few million elements and on the
 * filter-gradient Gemms (measured: the conv-net train step took 211–243 ms with every op of ≥ 256K
 * work parallel, 150–157 ms single-threaded). Convolutions and large matrix products stay parallel.
 */
export const PARALLEL_MIN_WORK = 1 << 24;

/** ONNX Runtime's domain of NCHWc-blocked CPU kernels (ReorderInput, Conv, ReorderOutput). */
export const NCHWC = 'com.microsoft.nchwc';
