import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import type { TensorField } from '../data/collate.js';
import { adaptModel, isLayersModel, tapName, type FunctionModel, type ModelAdapter, type OutputRef } from '../fit/model.js';

/**
 * A frozen teacher: runs in inference mode and is never trained (its variables are never given to the
 * optimizer, and its outputs are computed outside the gradient tape, so no gradient can reach it).
 */
export interface Teacher {
  /** 'tfjs' or 'onnx'. */
  readonly kind: string;
  /** Hash of everything that determines its outputs (weights, or the ONNX file's bytes): keys the output cache. */
  readonly hash: string;
  /** Samples (rows) run through the teacher so far; the cache keeps this at one run per sample. */
  readonly samplesRun: number;
  /** Runs the teacher on a batch; returns one tensor per requested output/layer (the caller owns them). */
  run(x: TensorField, outputs: readonly OutputRef[]): Promise<tf.Tensor[]>;
  /** Frees what the teacher wrapper created (not the model it wraps). */
  dispose(): void;
}

/** Options of {@link tfjsTeacher}. */
export interface TfjsTeacherOptions {
  /** Use this hash instead of hashing the model (e.g. the hash of the checkpoint file it was loaded from). */
  hash?: string;
}

function omitName(config: unknown): unknown {
  if (Array.isArray(config)) return config.map(omitName);
  if (config !== null && typeof config === 'object') {
    return Object.fromEntries(
      Object.entries(config)
        .filter(([k]) => k !== 'name')
        .map(([k, v]) => [k, omitName(v)]),
    );
  }
  return config;
}

/**
 * Hash of a model's computation: each layer's class and config (without the auto-numbered names) and
 * every weight's shape and values, so two copies of the same trained model hash alike.
 */
export async function hashModel(model: tf.LayersModel | FunctionModel): Promise<string> {
  const h = createHash('sha256');
  if (isLayersModel(model)) {
    for (const layer of model.layers) h.update(`${layer.getClassName()}:${JSON.stringify(omitName(layer.getConfig()))}\n`);
    for (const w of model.weights) {
      const v = w.read();
      h.update(`${v.dtype}[${v.shape.join(',')}]`);
      const data = await v.data();
      h.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }
  } else {
    for (const [name, v] of Object.entries(model.variables).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      h.update(`${name}:${v.dtype}[${v.shape.join(',')}]`);
      const data = await v.data();
      h.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }
  }
  return h.digest('hex');
}

class TfjsTeacher implements Teacher {
  readonly kind = 'tfjs';
  samplesRun = 0;
  private readonly adapter: ModelAdapter;

  constructor(
    model: tf.LayersModel | FunctionModel,
    readonly hash: string,
  ) {
    this.adapter = adaptModel(model);
  }

  async run(x: TensorField, outputs: readonly OutputRef[]): Promise<tf.Tensor[]> {
    const first = x instanceof tf.Tensor ? x : Array.isArray(x) ? x[0] : Object.values(x)[0];
    this.samplesRun += first?.shape[0] ?? 0;
    return tf.tidy(() => {
      const r = this.adapter.forward(x, false, outputs);
      return outputs.map((o) => r.taps[tapName(o)]!);
    });
  }

  dispose(): void {}
}

/**
 * A frozen TF.js teacher (tfjs-layers or function model). Taps name its outputs (index or name) or, for
 * tfjs-layers, any layer by name (read through a multi-output sub-model over the same layers).
 */
export async function tfjsTeacher(model: tf.LayersModel | FunctionModel, options: TfjsTeacherOptions = {}): Promise<Teacher> {
  return new TfjsTeacher(model, options.hash ?? (await hashModel(model)));
}
