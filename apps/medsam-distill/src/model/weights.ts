// Model files: one safetensors file per model, tensors keyed by the weights' stable names
// ('<layer name>/<weight name>': every layer is named by the builders), with the model config and
// encoder kind in the metadata so `predict` and `eval` can rebuild the model from the file alone.
import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '@lossworks/core-losses';
import { CheckpointError, readSafetensors, toRawTensor, withSeed, writeSafetensors, type RawTensor } from '@lossworks/core-train';
import { modelSchema, type ModelConfig } from '../config/schema.js';
import { buildDecoder, buildEncoder, joinSam, type EncoderKind, type SamModel } from './sam.js';

/** What a model file says about itself. */
export interface ModelFileMeta {
  kind: EncoderKind;
  model: ModelConfig;
  /** Which part the file holds: a whole model, or only an encoder (stage 1's output). */
  part: 'sam' | 'encoder';
  /** Free-form provenance (stage, steps, seconds). */
  info?: Record<string, unknown>;
}

/** The stable key of a weight: its layer-scoped original name. */
function keyOf(w: tf.LayerVariable): string {
  return w.originalName;
}

/** Weights of a model by stable key (duplicates would be a builder bug). */
export function weightMap(model: tf.LayersModel): Map<string, tf.LayerVariable> {
  const out = new Map<string, tf.LayerVariable>();
  for (const w of model.weights) {
    const k = keyOf(w);
    if (out.has(k)) throw new CheckpointError(`weightMap: model '${model.name}' has two weights named '${k}'.`);
    out.set(k, w);
  }
  return out;
}

/** Writes a model's weights (atomically) with its description. */
export async function saveModel(path: string, model: tf.LayersModel, meta: ModelFileMeta): Promise<void> {
  const tensors: Record<string, RawTensor> = {};
  for (const [k, w] of weightMap(model)) tensors[k] = await toRawTensor(w.read());
  await writeSafetensors(path, tensors, { format: 'medsam-distill-model', meta: JSON.stringify(meta) });
}

/** Reads a model file's description and tensors; a file of another kind throws CheckpointError naming it. */
export async function readModelFile(path: string): Promise<{ meta: ModelFileMeta; tensors: Record<string, RawTensor> }> {
  const file = await readSafetensors(path);
  if (file.metadata.format !== 'medsam-distill-model' || file.metadata.meta === undefined) {
    throw new CheckpointError(`readModelFile: '${path}' is not a medsam-distill model file (no 'medsam-distill-model' metadata).`);
  }
  let meta: ModelFileMeta;
  try {
    const raw = JSON.parse(file.metadata.meta) as ModelFileMeta;
    meta = { ...raw, model: modelSchema.parse(raw.model) };
  } catch (err) {
    throw new CheckpointError(`readModelFile: '${path}' has unreadable metadata: ${(err as Error).message}`, { cause: err });
  }
  return { meta, tensors: file.tensors };
}

/**
 * Assigns stored tensors to every weight of `model` (each must be present with the right shape);
 * tensors for other models are ignored, so an encoder loads from a whole-model file.
 */
export function assignWeights(model: tf.LayersModel, tensors: Record<string, RawTensor>, file: string): void {
  for (const [k, w] of weightMap(model)) {
    const raw = tensors[k];
    if (!raw) throw new CheckpointError(`assignWeights: '${file}' has no tensor '${k}' for model '${model.name}'.`);
    const want = w.shape as number[];
    if (raw.shape.length !== want.length || raw.shape.some((d, i) => d !== want[i])) {
      throw new CheckpointError(`assignWeights: '${file}' tensor '${k}' has shape [${raw.shape}], model '${model.name}' needs [${want}].`, {
        cause: new ShapeError('shape mismatch', raw.shape, want),
      });
    }
    const t = tf.tensor(raw.data as Float32Array, raw.shape, 'float32');
    w.write(t); // assign shares the data; the handle is released below
    t.dispose();
  }
}

/** Loads a whole SAM model file (rebuilding the model from its stored config). */
export async function loadSam(path: string): Promise<{ sam: SamModel; meta: ModelFileMeta }> {
  const { meta, tensors } = await readModelFile(path);
  if (meta.part !== 'sam') throw new CheckpointError(`loadSam: '${path}' holds only an encoder; give a whole-model file (teacher, KD student or scratch).`);
  const sam = withSeed(0, () => joinSam(meta.kind, buildEncoder(meta.model, meta.kind), buildDecoder(meta.model)));
  assignWeights(sam.model, tensors, path);
  return { sam, meta };
}

/** Loads an encoder from an encoder file or a whole-model file. */
export async function loadEncoder(path: string): Promise<{ encoder: tf.LayersModel; meta: ModelFileMeta }> {
  const { meta, tensors } = await readModelFile(path);
  const encoder = withSeed(0, () => buildEncoder(meta.model, meta.kind));
  assignWeights(encoder, tensors, path);
  return { encoder, meta };
}

/** Copies every weight of `from` into the same-named weight of `to` (same architecture). */
export function copyWeights(from: tf.LayersModel, to: tf.LayersModel): void {
  const src = weightMap(from);
  for (const [k, w] of weightMap(to)) {
    const s = src.get(k);
    if (!s) throw new CheckpointError(`copyWeights: model '${from.name}' has no weight '${k}' for '${to.name}'.`);
    w.write(s.read());
  }
}
