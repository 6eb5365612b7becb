// The SAM-style segmenter (Kirillov et al. 2023) at CPU size: an image encoder (ViT teacher or CNN
// student) producing a C × h × w embedding (NHWC here), SAM's prompt encoder, and SAM's mask decoder
// (two-way transformer, transposed-conv upscaling, hypernetwork mask head, IoU head).
import * as tf from '@tensorflow/tfjs';
import { ValueError } from '@lossworks/core-losses';
import type { ModelConfig } from '../config/schema.js';
import { Attention, HyperMask, LayerNorm, LearnedAdd, PrependTokens, PromptEncoder, TakeToken } from './layers.js';

const L = tf.layers;
type ST = tf.SymbolicTensor;

/** Which image encoder: the ViT teacher or the CNN student. */
export type EncoderKind = 'teacher' | 'student';

/** ONNX / TF.js names of the model's inputs and outputs (as SAM's ONNX decoder names them). */
export const IO = {
  image: 'image',
  embedding: 'image_embeddings',
  coords: 'point_coords',
  labels: 'point_labels',
  masks: 'masks',
  iou: 'iou_predictions',
} as const;

/** Layer normalisation over channels (SAM's LayerNorm / LayerNorm2d, ε = 1e-6). */
function layerNorm(name: string): tf.layers.Layer {
  return new LayerNorm({ epsilon: 1e-6, name });
}

function apply(layer: tf.layers.Layer, x: ST | ST[]): ST {
  return layer.apply(x) as ST;
}

/** Checks the geometry shared by every part: the encoder stride and the decoder's upsampling factor. */
export function checkGeometry(cfg: ModelConfig): { stride: number; maskUpsample: number } {
  const { imageSize, gridSize } = cfg;
  const stride = imageSize / gridSize;
  if (!Number.isInteger(stride) || stride < 2 || (stride & (stride - 1)) !== 0) {
    throw new ValueError(`buildModel: imageSize / gridSize must be a power of two ≥ 2. Value: ${imageSize} / ${gridSize}.`);
  }
  if (cfg.embedDim % 8 !== 0) throw new ValueError(`buildModel: embedDim must be a multiple of 8 (the upscaler has C/4 and C/8 channels). Value: ${cfg.embedDim}.`);
  const maskUpsample = imageSize / (4 * gridSize);
  if (!Number.isInteger(maskUpsample) || maskUpsample < 1) {
    throw new ValueError(`buildModel: imageSize must be a multiple of 4·gridSize (the decoder upscales the grid 4×). Value: ${imageSize}, gridSize ${gridSize}.`);
  }
  return { stride, maskUpsample };
}

/**
 * The ViT teacher encoder (Dosovitskiy et al. 2021, as SAM's image encoder without windowing): a
 * stride-p patch embedding, learned absolute position embedding, pre-norm transformer blocks
 * (self-attention and a GELU MLP), and SAM's neck (1×1 conv → LN → 3×3 conv → LN) to C channels.
 */
export function buildTeacherEncoder(cfg: ModelConfig): tf.LayersModel {
  const { stride } = checkGeometry(cfg);
  const { width, depth, heads, mlpRatio } = cfg.teacher;
  const g = cfg.gridSize;
  const image = tf.input({ shape: [cfg.imageSize, cfg.imageSize, 3], name: IO.image });
  let x = apply(L.conv2d({ filters: width, kernelSize: stride, strides: stride, name: 'vit.patch_embed' }), image);
  x = apply(L.reshape({ targetShape: [g * g, width], name: 'vit.tokens' }), x);
  x = apply(new LearnedAdd({ shape: [g * g, width], name: 'vit.pos_embed' }), x);
  for (let i = 0; i < depth; i++) {
    const p = `vit.block${i}`;
    const h = apply(layerNorm(`${p}.norm1`), x);
    const a = apply(new Attention({ embedDim: width, numHeads: heads, name: `${p}.attn` }), [h]);
    x = apply(L.add({ name: `${p}.add1` }), [x, a]);
    const h2 = apply(layerNorm(`${p}.norm2`), x);
    const m1 = apply(L.dense({ units: width * mlpRatio, activation: 'gelu', name: `${p}.mlp1` }), h2);
    const m2 = apply(L.dense({ units: width, name: `${p}.mlp2` }), m1);
    x = apply(L.add({ name: `${p}.add2` }), [x, m2]);
  }
  x = apply(L.reshape({ targetShape: [g, g, width], name: 'vit.grid' }), x);
  x = apply(L.conv2d({ filters: cfg.embedDim, kernelSize: 1, useBias: false, name: 'neck.conv1' }), x);
  x = apply(layerNorm('neck.norm1'), x);
  x = apply(L.conv2d({ filters: cfg.embedDim, kernelSize: 3, padding: 'same', useBias: false, name: 'neck.conv2' }), x);
  const out = apply(layerNorm(IO.embedding), x);
  return tf.model({ inputs: image, outputs: out, name: 'teacher_encoder' });
}

/**
 * The CNN student encoder (MobileNet-style): a stride-2 3×3 stem, one depthwise-separable stride-2
 * stage per further halving, residual inverted-bottleneck blocks (depthwise k×k, 1×1 expand ×2,
 * 1×1 project) at the grid resolution, and a 1×1 neck to C channels with LayerNorm — the same
 * C × h × w embedding as the teacher.
 */
export function buildStudentEncoder(cfg: ModelConfig): tf.LayersModel {
  const { stride } = checkGeometry(cfg);
  const { widths, blocks, kernel } = cfg.student;
  const stages = Math.log2(stride);
  if (widths.length !== stages) {
    throw new ValueError(`buildStudentEncoder: student.widths needs one width per stride-2 stage (${stages} for imageSize/gridSize = ${stride}). Value: [${widths.join(', ')}].`);
  }
  const image = tf.input({ shape: [cfg.imageSize, cfg.imageSize, 3], name: IO.image });
  let x = apply(L.conv2d({ filters: widths[0]!, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'cnn.stem' }), image);
  for (let s = 1; s < stages; s++) {
    x = apply(L.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', name: `cnn.stage${s}.dw` }), x);
    x = apply(L.conv2d({ filters: widths[s]!, kernelSize: 1, activation: 'relu', name: `cnn.stage${s}.pw` }), x);
  }
  const w = widths[stages - 1]!;
  for (let b = 0; b < blocks; b++) {
    const p = `cnn.block${b}`;
    let h = apply(L.depthwiseConv2d({ kernelSize: kernel, padding: 'same', name: `${p}.dw` }), x);
    h = apply(L.conv2d({ filters: 2 * w, kernelSize: 1, activation: 'relu', name: `${p}.expand` }), h);
    h = apply(L.conv2d({ filters: w, kernelSize: 1, name: `${p}.project` }), h);
    x = apply(L.add({ name: `${p}.add` }), [x, h]);
  }
  x = apply(L.conv2d({ filters: cfg.embedDim, kernelSize: 1, name: 'neck.conv' }), x);
  const out = apply(layerNorm(IO.embedding), x);
  return tf.model({ inputs: image, outputs: out, name: 'student_encoder' });
}

/** The encoder of either kind. */
export function buildEncoder(cfg: ModelConfig, kind: EncoderKind): tf.LayersModel {
  return kind === 'teacher' ? buildTeacherEncoder(cfg) : buildStudentEncoder(cfg);
}

/** SAM's MLP: Dense+ReLU layers then a linear Dense. */
function mlp(x: ST, units: number[], name: string): ST {
  units.forEach((u, i) => {
    const last = i === units.length - 1;
    x = apply(L.dense({ units: u, activation: last ? 'linear' : 'relu', name: `${name}.${i}` }), x);
  });
  return x;
}

/**
 * Prompt encoder + mask decoder as one model: inputs [image_embeddings [B, h, w, C], point_coords
 * [B, P, 2], point_labels [B, P]] (boxes as two corner points with labels 2 and 3), outputs
 * [masks [B, S, S, 1] (logits, bilinearly upsampled from 4h × 4w), iou_predictions [B, 1]].
 * SAM's two-way transformer: each block runs token self-attention, token→image cross-attention,
 * an MLP on the tokens and image→token cross-attention, with positional encodings added to queries
 * and keys; a final token→image attention follows. One mask token (box prompts are unambiguous).
 */
export function buildDecoder(cfg: ModelConfig): tf.LayersModel {
  const { maskUpsample } = checkGeometry(cfg);
  const C = cfg.embedDim;
  const g = cfg.gridSize;
  const { depth, heads, mlpDim, downsampleRate, iouHidden } = cfg.decoder;
  const embedding = tf.input({ shape: [g, g, C], name: IO.embedding });
  const coords = tf.input({ shape: [null, 2], name: IO.coords });
  const labels = tf.input({ shape: [null], name: IO.labels });
  const pe = new PromptEncoder({ embedDim: C, imageSize: cfg.imageSize, gridSize: g, name: 'prompt_encoder' }).apply([embedding, coords, labels]) as ST[];
  const [sparse, keyPe] = pe as [ST, ST];
  // Tokens: [iou token, mask token, prompt tokens]; the tokens are their own positional encoding.
  const queryPe = apply(new PrependTokens({ count: 2, embedDim: C, name: 'dec.output_tokens' }), sparse);
  const dense = apply(new LearnedAdd({ shape: [C], name: 'dec.no_mask_embed' }), embedding);
  let keys = apply(L.reshape({ targetShape: [g * g, C], name: 'dec.flatten' }), dense);
  let queries = queryPe;
  const add = (a: ST, b: ST, name: string) => apply(L.add({ name }), [a, b]);
  for (let i = 0; i < depth; i++) {
    const p = `dec.block${i}`;
    const self = new Attention({ embedDim: C, numHeads: heads, name: `${p}.self_attn` });
    if (i === 0) queries = apply(self, [queries]); // SAM: skip_first_layer_pe, no residual
    else {
      const q = add(queries, queryPe, `${p}.q_pe0`);
      queries = add(queries, apply(self, [q, queries]), `${p}.res0`);
    }
    queries = apply(layerNorm(`${p}.norm1`), queries);
    let q = add(queries, queryPe, `${p}.q_pe1`);
    let k = add(keys, keyPe, `${p}.k_pe1`);
    const t2i = apply(new Attention({ embedDim: C, numHeads: heads, downsampleRate, name: `${p}.t2i` }), [q, k, keys]);
    queries = apply(layerNorm(`${p}.norm2`), add(queries, t2i, `${p}.res1`));
    const m = mlp(queries, [mlpDim, C], `${p}.mlp`);
    queries = apply(layerNorm(`${p}.norm3`), add(queries, m, `${p}.res2`));
    q = add(queries, queryPe, `${p}.q_pe2`);
    k = add(keys, keyPe, `${p}.k_pe2`);
    const i2t = apply(new Attention({ embedDim: C, numHeads: heads, downsampleRate, name: `${p}.i2t` }), [k, q, queries]);
    keys = apply(layerNorm(`${p}.norm4`), add(keys, i2t, `${p}.res3`));
  }
  const qf = add(queries, queryPe, 'dec.final.q_pe');
  const kf = add(keys, keyPe, 'dec.final.k_pe');
  const fin = apply(new Attention({ embedDim: C, numHeads: heads, downsampleRate, name: 'dec.final.t2i' }), [qf, kf, keys]);
  queries = apply(layerNorm('dec.final.norm'), add(queries, fin, 'dec.final.res'));
  // Upscaling: two stride-2 transposed convs (C → C/4 → C/8), LayerNorm2d and GELU as SAM.
  let up = apply(L.reshape({ targetShape: [g, g, C], name: 'dec.grid' }), keys);
  up = apply(L.conv2dTranspose({ filters: C / 4, kernelSize: 2, strides: 2, name: 'dec.up1' }), up);
  up = apply(L.activation({ activation: 'gelu', name: 'dec.up1_act' }), apply(layerNorm('dec.up1_norm'), up));
  up = apply(L.conv2dTranspose({ filters: C / 8, kernelSize: 2, strides: 2, activation: 'gelu', name: 'dec.up2' }), up);
  const hyper = mlp(apply(new TakeToken({ index: 1, name: 'dec.mask_token' }), queries), [C, C, C / 8], 'dec.hyper');
  let masks = apply(new HyperMask({ name: 'dec.hyper_mask' }), [up, hyper]);
  if (maskUpsample > 1) masks = apply(L.upSampling2d({ size: [maskUpsample, maskUpsample], interpolation: 'bilinear', name: 'dec.upsample' }), masks);
  masks = apply(L.activation({ activation: 'linear', name: IO.masks }), masks);
  const iou = mlp(apply(new TakeToken({ index: 0, name: 'dec.iou_token' }), queries), [iouHidden, iouHidden, 1], 'dec.iou_head');
  const iouOut = apply(L.activation({ activation: 'linear', name: IO.iou }), iou);
  return tf.model({ inputs: [embedding, coords, labels], outputs: [masks, iouOut], name: 'mask_decoder' });
}

/**
 * The perceptual feature extractor φ of stage 1: the mask decoder's upscaling layers (transposed conv
 * → LN → GELU, transposed conv → GELU) applied to an embedding, returning both activations. Same layer
 * names as the decoder, so {@link copyWeights} fills it from the frozen teacher decoder.
 */
export function buildUpscaler(cfg: ModelConfig): tf.LayersModel {
  checkGeometry(cfg);
  const C = cfg.embedDim;
  const g = cfg.gridSize;
  const embedding = tf.input({ shape: [g, g, C], name: IO.embedding });
  let up = apply(L.conv2dTranspose({ filters: C / 4, kernelSize: 2, strides: 2, name: 'dec.up1' }), embedding);
  const f1 = apply(L.activation({ activation: 'gelu', name: 'dec.up1_act' }), apply(layerNorm('dec.up1_norm'), up));
  up = apply(L.conv2dTranspose({ filters: C / 8, kernelSize: 2, strides: 2, activation: 'gelu', name: 'dec.up2' }), f1);
  return tf.model({ inputs: embedding, outputs: [f1, up], name: 'teacher_upscaler' });
}

/** A whole SAM-style model: encoder and decoder (nested models) plus the model joining them. */
export interface SamModel {
  kind: EncoderKind;
  encoder: tf.LayersModel;
  decoder: tf.LayersModel;
  /** image, point_coords, point_labels → masks, iou_predictions. */
  model: tf.LayersModel;
}

/** Joins an encoder and a decoder into one model with inputs [image, point_coords, point_labels]. */
export function joinSam(kind: EncoderKind, encoder: tf.LayersModel, decoder: tf.LayersModel): SamModel {
  const image = tf.input({ shape: encoder.inputs[0]!.shape.slice(1) as number[], name: IO.image });
  const coords = tf.input({ shape: [null, 2], name: IO.coords });
  const labels = tf.input({ shape: [null], name: IO.labels });
  const emb = apply(encoder, image);
  const outs = decoder.apply([emb, coords, labels]) as ST[];
  const model = tf.model({ inputs: [image, coords, labels], outputs: outs, name: `sam_${kind}` });
  return { kind, encoder, decoder, model };
}

/** Builds a fresh SAM-style model with the given encoder kind (seed it with core-train's `withSeed`). */
export function buildSam(cfg: ModelConfig, kind: EncoderKind): SamModel {
  return joinSam(kind, buildEncoder(cfg, kind), buildDecoder(cfg));
}

/** Trainable + fixed parameter count of a model. */
export function countParams(model: tf.LayersModel): number {
  return model.weights.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
}

/** Disposes every variable of a SAM model (the joined model shares them). */
export function disposeSam(sam: SamModel): void {
  sam.model.dispose();
}

/** ONNX input and output names of each exported part (SAM's ONNX naming). */
export const ONNX_NAMES = {
  sam: { inputNames: [IO.image, IO.coords, IO.labels], outputNames: [IO.masks, IO.iou] },
  decoder: { inputNames: [IO.embedding, IO.coords, IO.labels], outputNames: [IO.masks, IO.iou] },
  encoder: { inputNames: [IO.image], outputNames: [IO.embedding] },
} as const;
