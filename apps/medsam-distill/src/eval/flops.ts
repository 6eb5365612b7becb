// An analytic estimate of a model's compute per image: multiply-accumulates (MACs) of convolutions,
// transposed convolutions, dense layers and the matrix products of attention, read from each layer's
// config and its call's shapes. Elementwise ops, normalisations, softmax, resizing and the prompt
// encoder's sin/cos are not counted (they are O(activations), not O(activations × width)). FLOPs are
// reported as 2 × MACs. Open dims (the batch, the number of prompt points) count as 1 and 2 (one box).
import type * as tf from '@tensorflow/tfjs';
import { Attention, HyperMask, PromptEncoder } from '../model/layers.js';

type Dim = number | null;

interface NodeLike {
  inputTensors: { shape: Dim[] }[];
  outputTensors: { shape: Dim[] }[];
}

const prod = (s: readonly Dim[], from = 1, promptDim = 2): number => s.slice(from).reduce<number>((a, d, i) => a * (d ?? (i + from === 1 ? promptDim : 1)), 1);

function nodes(layer: tf.layers.Layer): NodeLike[] {
  return (layer as unknown as { inboundNodes: NodeLike[] }).inboundNodes;
}

function isContainer(layer: tf.layers.Layer): layer is tf.LayersModel {
  return Array.isArray((layer as unknown as { layers?: unknown }).layers);
}

/** MACs of one call of one layer (0 for layers that do no multiply-accumulates worth counting). */
export function layerMacs(layer: tf.layers.Layer, node: NodeLike): number {
  const cfg = layer.getConfig() as Record<string, unknown>;
  const ins = node.inputTensors.map((t) => t.shape);
  const outs = node.outputTensors.map((t) => t.shape);
  const out0 = outs[0] ?? [];
  const in0 = ins[0] ?? [];
  const k = (v: unknown): number => (Array.isArray(v) ? (v as number[]).reduce((a, b) => a * b, 1) : Number(v) * Number(v));
  switch (layer.getClassName()) {
    case 'Conv2D':
      return prod(out0) * k(cfg.kernelSize) * Number(in0[3]);
    case 'DepthwiseConv2D':
      return prod(out0) * k(cfg.kernelSize);
    case 'Conv2DTranspose':
      return prod(in0) * k(cfg.kernelSize) * Number(out0[3]);
    case 'Dense':
      return prod(out0) * Number(in0[in0.length - 1]);
    default:
      break;
  }
  if (layer instanceof Attention) {
    const [q, kk, v] = ins.length === 1 ? [in0, in0, in0] : ins.length === 2 ? [in0, in0, ins[1]!] : [in0, ins[1]!, ins[2]!];
    const nq = prod(q) / layer.embedDim;
    const nk = prod(kk) / layer.embedDim;
    const nv = prod(v) / layer.embedDim;
    const D = layer.embedDim;
    const I = layer.internalDim;
    return (nq + nk + nv) * D * I + 2 * nq * nk * I + nq * I * D;
  }
  if (layer instanceof PromptEncoder) {
    const points = prod(ins[1] ?? []) / 2;
    return points * (2 * (layer.embedDim / 2) + 5 * layer.embedDim);
  }
  if (layer instanceof HyperMask) return prod(in0);
  return 0;
}

/** MACs of one image through a model (nested models counted through their layers). */
export function modelMacs(model: tf.LayersModel): number {
  let total = 0;
  for (const layer of model.layers) {
    if (isContainer(layer)) {
      total += modelMacs(layer);
      continue;
    }
    // The first call is the one inside this model (layers here are called once).
    const node = nodes(layer)[0];
    if (node) total += layerMacs(layer, node);
  }
  return total;
}
