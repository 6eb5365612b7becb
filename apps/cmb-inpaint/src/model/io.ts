// A trained network on disk: one safetensors file holding the weights, with the architecture and the
// normalisation in its metadata (`cmb-inpaint` key, JSON), so `inpaint` needs nothing else.
import * as tf from '@tensorflow/tfjs';
import { CheckpointError, DataError, fromRawTensor, readSafetensors, toRawTensor, writeSafetensors, type RawTensor } from '@lossworks/core-train';
import { uniqueVariableName, wrapNet, type NetConfig, type SkyReconNet } from './skyreconnet.js';

/** What is stored beside the weights. */
export interface ModelMeta {
  net: NetConfig;
  /** Sky rms (μK) the inputs were divided by. */
  scale: number;
  /** Loss weight α it was trained with. */
  alpha: number;
  /** Training steps done. */
  steps: number;
  /** Spectrum source of the training skies. */
  spectrum: string;
}

/** Writes the network's weights and metadata to a safetensors file (atomically). */
export async function saveNet(net: SkyReconNet, meta: Omit<ModelMeta, 'net'>, path: string): Promise<void> {
  const tensors: Record<string, RawTensor> = {};
  for (const [name, v] of Object.entries(net.variables)) tensors[name] = await toRawTensor(v);
  const full: ModelMeta = { net: net.config, ...meta };
  await writeSafetensors(path, tensors, { 'cmb-inpaint': JSON.stringify(full) });
}

/** Loads a network written by {@link saveNet}; a missing or foreign file throws DataError naming it. */
export async function loadNet(path: string): Promise<{ net: SkyReconNet; meta: ModelMeta }> {
  let file;
  try {
    file = await readSafetensors(path);
  } catch (err) {
    if (err instanceof CheckpointError) throw new DataError(`loadNet: ${err.message} (train a model with 'cmb-inpaint train' first)`, path, { cause: err });
    throw err;
  }
  const raw = file.metadata['cmb-inpaint'];
  if (!raw) throw new DataError(`loadNet: ${path} has no 'cmb-inpaint' metadata; it is not a model written by cmb-inpaint train.`, path);
  let meta: ModelMeta;
  try {
    meta = JSON.parse(raw) as ModelMeta;
  } catch (err) {
    throw new DataError(`loadNet: ${path}: its 'cmb-inpaint' metadata is not valid JSON.`, path, { cause: err });
  }
  const variables: Record<string, tf.Variable> = {};
  try {
    for (const [name, t] of Object.entries(file.tensors)) {
      const value = fromRawTensor(t, name);
      variables[name] = tf.variable(value, true, uniqueVariableName(name));
      value.dispose();
    }
    return { net: wrapNet(meta.net, variables), meta };
  } catch (err) {
    for (const v of Object.values(variables)) v.dispose();
    throw new DataError(`loadNet: ${path}: ${(err as Error).message}`, path, { cause: err });
  }
}
