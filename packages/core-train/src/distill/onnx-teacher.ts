import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type * as Ort from 'onnxruntime-node';
import type { TensorField } from '../data/collate.js';
import { BackendError, DataError, UnknownKeyError, ValueError } from '../errors.js';
import type { OutputRef } from '../fit/model.js';
import type { Teacher } from './teacher.js';

/** Options of {@link onnxTeacher}. */
export interface OnnxTeacherOptions {
  /** Threads ONNX Runtime may use inside one op. Default: its own choice. */
  intraOpNumThreads?: number;
  /** Module loader for onnxruntime-node (replaceable in tests). Default: dynamic import. */
  importer?: () => Promise<unknown>;
}

type OrtModule = typeof Ort;

/** onnxruntime-node is an optional peer: load it only when an ONNX teacher is asked for. */
async function loadOrt(importer: () => Promise<unknown>): Promise<OrtModule> {
  try {
    const mod = (await importer()) as OrtModule & { default?: OrtModule };
    return mod.InferenceSession ? mod : (mod.default as OrtModule);
  } catch (err) {
    throw new BackendError(
      `onnxTeacher: onnxruntime-node could not be loaded (it is an optional peer dependency of @lossworks/core-train; install it to use ONNX teachers): ${(err as Error).message}`,
      { cause: err },
    );
  }
}

class OnnxTeacher implements Teacher {
  readonly kind = 'onnx';
  samplesRun = 0;

  constructor(
    private readonly ort: OrtModule,
    private readonly session: Ort.InferenceSession,
    readonly hash: string,
    private readonly path: string,
  ) {}

  private async feeds(x: TensorField): Promise<Record<string, Ort.Tensor>> {
    const names = this.session.inputNames;
    let pairs: [string, tf.Tensor][];
    if (x instanceof tf.Tensor) pairs = [[names[0]!, x]];
    else if (Array.isArray(x)) pairs = x.map((t, i) => [names[i] ?? `#${i}`, t]);
    else pairs = Object.entries(x);
    if (pairs.length !== names.length) {
      throw new ValueError(`onnxTeacher('${this.path}'): the model takes ${names.length} input(s) (${names.join(', ')}) but the batch has ${pairs.length}.`);
    }
    const feeds: Record<string, Ort.Tensor> = {};
    for (const [name, t] of pairs) {
      if (!names.includes(name)) throw new UnknownKeyError('ONNX input', name, names);
      const data = await t.data();
      feeds[name] = new this.ort.Tensor(t.dtype === 'int32' ? 'int32' : 'float32', data as Float32Array | Int32Array, t.shape);
    }
    return feeds;
  }

  async run(x: TensorField, outputs: readonly OutputRef[]): Promise<tf.Tensor[]> {
    const all = this.session.outputNames;
    const names = outputs.map((o) => {
      const n = typeof o === 'number' ? all[o] : o;
      if (n === undefined || !all.includes(n)) throw new UnknownKeyError('ONNX output', String(o), all);
      return n;
    });
    const feeds = await this.feeds(x);
    const result = await this.session.run(feeds, [...new Set(names)]);
    const first = Object.values(feeds)[0];
    this.samplesRun += Number(first?.dims[0] ?? 0);
    return names.map((n) => {
      const r = result[n]!;
      const data = r.type === 'float32' ? (r.data as Float32Array) : Float32Array.from(r.data as ArrayLike<number>);
      return tf.tensor(data, r.dims.map(Number), 'float32');
    });
  }

  dispose(): void {
    void this.session.release();
  }
}

/**
 * A frozen ONNX teacher run by onnxruntime-node (imported lazily: it is an optional peer). Taps name
 * the model's outputs (by name or index); inputs are fed in the session's input order, or by name when
 * the batch's `x` is a record. The cache hash is the SHA-256 of the file's bytes.
 */
export async function onnxTeacher(path: string, options: OnnxTeacherOptions = {}): Promise<Teacher> {
  const ort = await loadOrt(options.importer ?? (() => import('onnxruntime-node')));
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new DataError(`onnxTeacher: cannot read '${path}': ${(err as Error).message}`, path, { cause: err });
  }
  let session: Ort.InferenceSession;
  try {
    const opts: Ort.InferenceSession.SessionOptions = {};
    if (options.intraOpNumThreads !== undefined) opts.intraOpNumThreads = options.intraOpNumThreads;
    session = await ort.InferenceSession.create(bytes, opts);
  } catch (err) {
    throw new DataError(`onnxTeacher: '${path}' is not a model ONNX Runtime can load: ${(err as Error).message}`, path, { cause: err });
  }
  return new OnnxTeacher(ort, session, createHash('sha256').update(bytes).digest('hex'), path);
}
