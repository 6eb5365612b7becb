// Runs an ONNX model with onnxruntime-node, an optional peer dependency loaded only when used.
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import type * as Ort from 'onnxruntime-node';
import { BackendError, DataError, ValueError } from '../errors.js';

/** Options of {@link OnnxPredictor.load}. */
export interface OnnxPredictorOptions {
  /** Threads inside one op (onnxruntime intraOpNumThreads); default onnxruntime's choice (all cores). */
  threads?: number;
  /** onnxruntime graph optimisation level; default 'all'. */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
}

/** A model input or output as the session reports it. */
export interface OnnxTensorInfo {
  name: string;
  /** Sizes; symbolic dims (the batch) are strings. */
  shape: Array<number | string>;
  /** onnxruntime's element type ('float32', 'int32', ...). */
  type: string;
}

/** Raw data for one input: a typed array with its shape (the shape may be left out for one open dim). */
export interface OnnxArray {
  data: Float32Array | Int32Array;
  shape?: readonly number[];
}

/** One input value: a TF.js tensor, a typed array, or {@link OnnxArray}. */
export type OnnxInput = tf.Tensor | Float32Array | Int32Array | OnnxArray;

/** {@link OnnxPredictor.run}'s result for one output. */
export interface OnnxOutput {
  data: Float32Array;
  shape: number[];
}

type OrtModule = typeof Ort;

let ortPromise: Promise<OrtModule> | null = null;

/** Imports onnxruntime-node once; a missing or broken install becomes a {@link BackendError}. */
async function loadOrt(): Promise<OrtModule> {
  ortPromise ??= import('onnxruntime-node')
    .then((m) => ((m as unknown as { default?: OrtModule }).default ?? m) as OrtModule)
    .catch((err: unknown) => {
      ortPromise = null;
      throw new BackendError(
        `OnnxPredictor.load: the optional peer dependency 'onnxruntime-node' could not be loaded ` +
          `(${(err as Error)?.message ?? String(err)}). Install it next to @lossworks/core-train: ` +
          `ONNXRUNTIME_NODE_INSTALL=skip npm i onnxruntime-node@^1.30 (with pnpm: allowBuilds: { onnxruntime-node: false }).`,
        { cause: err },
      );
    });
  return ortPromise;
}

function metadata(meta: readonly Ort.InferenceSession.ValueMetadata[] | undefined, names: readonly string[]): OnnxTensorInfo[] {
  return names.map((name, i) => {
    const m = meta?.[i];
    if (m && m.isTensor) return { name, shape: [...m.shape], type: m.type };
    return { name, shape: [], type: 'unknown' };
  });
}

/**
 * An ONNX model loaded into onnxruntime-node, used like a TF.js model: `predict` takes and returns
 * tf.Tensors, `run` works on plain typed arrays. onnxruntime-node is imported on first `load`, so
 * plain training code never loads the native library. Call {@link dispose} when done.
 *
 * onnxruntime's Node binding runs on the calling thread: `predict` blocks the event loop while it runs.
 */
export class OnnxPredictor {
  /** Model inputs: names, shapes (symbolic batch as a string) and element types. */
  readonly inputs: readonly OnnxTensorInfo[];
  /** Model outputs, as {@link inputs}. */
  readonly outputs: readonly OnnxTensorInfo[];
  private session: Ort.InferenceSession | null;

  private constructor(
    private readonly ort: OrtModule,
    session: Ort.InferenceSession,
  ) {
    this.session = session;
    this.inputs = metadata(session.inputMetadata, session.inputNames);
    this.outputs = metadata(session.outputMetadata, session.outputNames);
  }

  /** Loads a model from a file path or from ONNX bytes. */
  static async load(source: string | Uint8Array, options: OnnxPredictorOptions = {}): Promise<OnnxPredictor> {
    const { threads, graphOptimizationLevel = 'all' } = options;
    if (threads !== undefined && !(Number.isInteger(threads) && threads > 0)) {
      throw new ValueError(`OnnxPredictor.load: option 'threads' must be a positive integer. Value: ${threads}.`);
    }
    let bytes: Uint8Array;
    if (typeof source === 'string') {
      try {
        bytes = await readFile(source);
      } catch (err) {
        throw new DataError(`OnnxPredictor.load: cannot read ONNX file '${source}': ${(err as Error).message}`, source, { cause: err });
      }
    } else if (source instanceof Uint8Array) {
      bytes = source;
    } else {
      throw new ValueError(`OnnxPredictor.load: argument 'source' must be a path or a Uint8Array. Value: ${String(source)}.`);
    }
    const ort = await loadOrt();
    let session: Ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, {
        graphOptimizationLevel,
        ...(threads !== undefined ? { intraOpNumThreads: threads, interOpNumThreads: 1 } : {}),
      });
    } catch (err) {
      const what = typeof source === 'string' ? `'${source}'` : `${bytes.length} bytes`;
      throw new DataError(
        `OnnxPredictor.load: onnxruntime rejected the model (${what}): ${(err as Error).message}`,
        typeof source === 'string' ? source : undefined,
        { cause: err },
      );
    }
    return new OnnxPredictor(ort, session);
  }

  /** Input names, in model order. */
  get inputNames(): string[] {
    return this.inputs.map((i) => i.name);
  }

  /** Output names, in model order. */
  get outputNames(): string[] {
    return this.outputs.map((o) => o.name);
  }

  private live(fn: string): Ort.InferenceSession {
    if (!this.session) throw new ValueError(`OnnxPredictor.${fn}: the predictor was disposed.`);
    return this.session;
  }

  private toOrt(info: OnnxTensorInfo, x: OnnxInput, fn: string): Ort.Tensor {
    let data: Float32Array | Int32Array;
    let shape: number[];
    if (x instanceof tf.Tensor) {
      data = x.dtype === 'int32' ? Int32Array.from(x.dataSync()) : Float32Array.from(x.dataSync());
      shape = x.shape.slice();
    } else if (x instanceof Float32Array || x instanceof Int32Array) {
      data = x;
      shape = this.inferShape(info, x.length, fn);
    } else if (x && (x.data instanceof Float32Array || x.data instanceof Int32Array)) {
      data = x.data;
      shape = x.shape ? [...x.shape] : this.inferShape(info, x.data.length, fn);
    } else {
      throw new ValueError(`OnnxPredictor.${fn}: input '${info.name}' must be a tf.Tensor, a Float32Array/Int32Array or {data, shape}.`);
    }
    const want = info.type === 'int32' ? 'int32' : 'float32';
    if (want === 'int32' && !(data instanceof Int32Array)) data = Int32Array.from(data, (v) => Math.trunc(v));
    if (want === 'float32' && !(data instanceof Float32Array)) data = Float32Array.from(data);
    if (info.shape.length && shape.length !== info.shape.length) {
      throw new ValueError(`OnnxPredictor.${fn}: input '${info.name}' has shape [${shape}], the model expects [${info.shape}].`);
    }
    info.shape.forEach((d, i) => {
      if (typeof d === 'number' && shape[i] !== d) {
        throw new ValueError(`OnnxPredictor.${fn}: input '${info.name}' has shape [${shape}], the model expects [${info.shape}].`);
      }
    });
    return new this.ort.Tensor(want, data, shape);
  }

  private inferShape(info: OnnxTensorInfo, length: number, fn: string): number[] {
    const open = info.shape.filter((d) => typeof d !== 'number').length;
    const known = info.shape.reduce<number>((a, d) => (typeof d === 'number' ? a * d : a), 1);
    if (open > 1 || info.shape.length === 0 || length % known !== 0) {
      throw new ValueError(
        `OnnxPredictor.${fn}: cannot infer the shape of input '${info.name}' [${info.shape}] from ${length} values; pass {data, shape}.`,
      );
    }
    return info.shape.map((d) => (typeof d === 'number' ? d : length / known));
  }

  private feeds(inputs: OnnxInput | OnnxInput[] | Record<string, OnnxInput>, fn: string): Record<string, Ort.Tensor> {
    const feeds: Record<string, Ort.Tensor> = {};
    const isSingle = inputs instanceof tf.Tensor || inputs instanceof Float32Array || inputs instanceof Int32Array || ('data' in (inputs as object) && !Array.isArray(inputs) && ArrayBuffer.isView((inputs as OnnxArray).data));
    if (isSingle) {
      if (this.inputs.length !== 1) {
        throw new ValueError(`OnnxPredictor.${fn}: the model has ${this.inputs.length} inputs (${this.inputNames.join(', ')}); pass an array or a record.`);
      }
      feeds[(this.inputs[0] as OnnxTensorInfo).name] = this.toOrt(this.inputs[0] as OnnxTensorInfo, inputs as OnnxInput, fn);
      return feeds;
    }
    if (Array.isArray(inputs)) {
      if (inputs.length !== this.inputs.length) {
        throw new ValueError(`OnnxPredictor.${fn}: got ${inputs.length} inputs, the model has ${this.inputs.length} (${this.inputNames.join(', ')}).`);
      }
      this.inputs.forEach((info, i) => (feeds[info.name] = this.toOrt(info, inputs[i] as OnnxInput, fn)));
      return feeds;
    }
    const record = inputs as Record<string, OnnxInput>;
    for (const info of this.inputs) {
      const x = record[info.name];
      if (x === undefined) throw new ValueError(`OnnxPredictor.${fn}: input '${info.name}' is missing. Inputs: ${this.inputNames.join(', ')}.`);
      feeds[info.name] = this.toOrt(info, x, fn);
    }
    const unknown = Object.keys(record).filter((k) => !this.inputNames.includes(k));
    if (unknown.length) throw new ValueError(`OnnxPredictor.${fn}: unknown input(s) ${unknown.join(', ')}. Inputs: ${this.inputNames.join(', ')}.`);
    return feeds;
  }

  /**
   * Runs the model on typed arrays (or tensors) and returns every output as a Float32Array with its
   * shape, keyed by output name. A single input may be passed bare; several as an array (model order)
   * or a record keyed by input name.
   */
  async run(inputs: OnnxInput | OnnxInput[] | Record<string, OnnxInput>): Promise<Record<string, OnnxOutput>> {
    const session = this.live('run');
    const results = await session.run(this.feeds(inputs, 'run'));
    const outs: Record<string, OnnxOutput> = {};
    for (const name of session.outputNames) {
      const t = results[name] as Ort.Tensor;
      const data = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number>, Number);
      outs[name] = { data, shape: t.dims.map(Number) };
      t.dispose();
    }
    return outs;
  }

  /**
   * Like `model.predict`: tensors in, tensors out (one tensor for a one-output model, else an array in
   * output order). The caller owns and disposes the returned tensors.
   */
  async predict(inputs: tf.Tensor | tf.Tensor[] | Record<string, tf.Tensor>): Promise<tf.Tensor | tf.Tensor[]> {
    const outs = await this.run(inputs);
    const tensors = this.outputNames.map((n) => tf.tensor((outs[n] as OnnxOutput).data, (outs[n] as OnnxOutput).shape, 'float32'));
    return tensors.length === 1 ? (tensors[0] as tf.Tensor) : tensors;
  }

  /** Releases the onnxruntime session; the predictor cannot be used afterwards. */
  async dispose(): Promise<void> {
    const s = this.session;
    this.session = null;
    if (s) await s.release();
  }
}
