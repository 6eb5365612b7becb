// Custom tfjs-layers layers of the SAM-style model (tfjs-layers has no attention or prompt encoder).
// Each layer computes with TF.js ops in `call` and lowers itself to the same ONNX ops in `toOnnx`
// (core-train's exportOnnx custom-layer hook), so the models export whole and run in ONNX Runtime.
import * as tf from '@tensorflow/tfjs';
import { attr, type OnnxLoweringContext } from '@lossworks/core-train/onnx';
import { ShapeError, ValueError } from '@lossworks/core-losses';

type Shape = (number | null)[];

function shapes(inputShape: tf.Shape | tf.Shape[]): Shape[] {
  return (Array.isArray(inputShape[0]) ? inputShape : [inputShape]) as Shape[];
}

function list(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
  return Array.isArray(inputs) ? inputs : [inputs];
}

function dim(d: number | null | undefined, what: string, layer: string): number {
  if (typeof d !== 'number') throw new ShapeError(`${layer}: ${what} must be known when the layer is built. Value: ${String(d)}.`, [], []);
  return d;
}

/** [x] → [x, x, x]; [qk, v] → [qk, qk, v]; [q, k, v] as given. */
function qkv<T>(xs: T[]): [T, T, T] {
  if (xs.length === 1) return [xs[0]!, xs[0]!, xs[0]!];
  if (xs.length === 2) return [xs[0]!, xs[0]!, xs[1]!];
  return [xs[0]!, xs[1]!, xs[2]!];
}

/** Normal(0, stddev) initializer (draws from Math.random, so model builds under `withSeed` are reproducible). */
function normal(stddev: number): ReturnType<typeof tf.initializers.randomNormal> {
  return tf.initializers.randomNormal({ mean: 0, stddev });
}

/** Arguments of {@link Attention}. */
export interface AttentionArgs {
  name?: string;
  /** Width D of queries, keys and values (and of the output). */
  embedDim: number;
  numHeads: number;
  /** Internal width D / downsampleRate (SAM's attention_downsample_rate; 1 for self-attention). Default 1. */
  downsampleRate?: number;
}

/**
 * Multi-head scaled dot-product attention (Vaswani et al. 2017) in SAM's form: inputs [q, k, v] of
 * shape [B, Nq, D], [B, Nk, D], [B, Nk, D]; q/k/v projections to an internal width D / downsampleRate,
 * softmax(QKᵀ/√d_head)·V per head, and an output projection back to D. Shared inputs are passed once:
 * [x] means q = k = v = x (self-attention), [qk, v] means q = k. (tfjs-layers' executor counts a
 * tensor given twice to one layer as one use but releases it twice, so inference would free it early.)
 */
export class Attention extends tf.layers.Layer {
  static readonly className = 'SamAttention';
  readonly embedDim: number;
  readonly numHeads: number;
  readonly downsampleRate: number;
  readonly internalDim: number;
  private w: Record<string, tf.LayerVariable> = {};

  constructor(args: AttentionArgs) {
    super({ name: args.name });
    this.embedDim = args.embedDim;
    this.numHeads = args.numHeads;
    this.downsampleRate = args.downsampleRate ?? 1;
    this.internalDim = Math.floor(this.embedDim / this.downsampleRate);
    if (!(this.internalDim > 0 && this.internalDim % this.numHeads === 0 && this.internalDim * this.downsampleRate === this.embedDim)) {
      throw new ValueError(
        `Attention: embedDim / downsampleRate (${this.embedDim} / ${this.downsampleRate}) must be an integer divisible by numHeads (${this.numHeads}).`,
      );
    }
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const ins = shapes(inputShape);
    if (ins.length < 1 || ins.length > 3) throw new ValueError(`Attention '${this.name}': expects [x], [qk, v] or [q, k, v]; got ${ins.length} inputs.`);
    for (const s of ins) {
      if (s[s.length - 1] !== this.embedDim) {
        throw new ShapeError(`Attention '${this.name}': inputs must have last axis ${this.embedDim}. Value: [${s.join(',')}].`, s.map((d) => d ?? -1), [-1, -1, this.embedDim]);
      }
    }
    const glorot = tf.initializers.glorotUniform({});
    const [D, I] = [this.embedDim, this.internalDim];
    for (const p of ['q', 'k', 'v']) {
      this.w[`${p}_kernel`] = this.addWeight(`${p}_kernel`, [D, I], 'float32', glorot);
      this.w[`${p}_bias`] = this.addWeight(`${p}_bias`, [I], 'float32', tf.initializers.zeros());
    }
    this.w.out_kernel = this.addWeight('out_kernel', [I, D], 'float32', glorot);
    this.w.out_bias = this.addWeight('out_bias', [D], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return shapes(inputShape)[0]!;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [q, k, v] = qkv(list(inputs)) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
      const H = this.numHeads;
      const dh = this.internalDim / H;
      const w = this.w;
      const proj = (x: tf.Tensor3D, p: string): tf.Tensor4D => {
        const [B, N] = x.shape;
        const y = tf.add(tf.matMul(tf.reshape(x, [B * N, this.embedDim]), w[`${p}_kernel`]!.read() as tf.Tensor2D), w[`${p}_bias`]!.read());
        return tf.transpose(tf.reshape(y, [B, N, H, dh]), [0, 2, 1, 3]);
      };
      // 1/√d_head scales Q (B·H·Nq·d values) rather than the scores (B·H·Nq·Nk).
      const scores = tf.matMul(tf.mul(proj(q, 'q'), 1 / Math.sqrt(dh)), proj(k, 'k'), false, true);
      const ctx = tf.matMul(tf.softmax(scores), proj(v, 'v'));
      const [B, Nq] = q.shape;
      const merged = tf.reshape(tf.transpose(ctx, [0, 2, 1, 3]), [B * Nq, this.internalDim]);
      const out = tf.add(tf.matMul(merged, w.out_kernel!.read() as tf.Tensor2D), w.out_bias!.read());
      return tf.reshape(out, [B, Nq, this.embedDim]);
    });
  }

  /** The same computation in ONNX ops (MatMul, Reshape, Transpose, Softmax). */
  toOnnx(ctx: OnnxLoweringContext, inputs: string[]): string {
    const [q, k, v] = qkv(inputs);
    const H = this.numHeads;
    const dh = this.internalDim / H;
    const proj = (x: string, p: string): string => {
      const y = ctx.op('Add', [ctx.op('MatMul', [x, ctx.weight(`${p}_kernel`)]), ctx.weight(`${p}_bias`)]);
      return ctx.op('Transpose', [ctx.op('Reshape', [y, ctx.int64([0, -1, H, dh])])], { perm: attr.ints([0, 2, 1, 3]) });
    };
    const kT = ctx.op('Transpose', [proj(k!, 'k')], { perm: attr.ints([0, 1, 3, 2]) });
    const scores = ctx.op('MatMul', [ctx.op('Mul', [proj(q!, 'q'), ctx.constant([1 / Math.sqrt(dh)], [])]), kT]);
    const attn = ctx.op('Softmax', [scores], { axis: attr.int(-1) });
    const heads = ctx.op('Transpose', [ctx.op('MatMul', [attn, proj(v!, 'v')])], { perm: attr.ints([0, 2, 1, 3]) });
    const merged = ctx.op('Reshape', [heads, ctx.int64([0, -1, this.internalDim])]);
    return ctx.op('Add', [ctx.op('MatMul', [merged, ctx.weight('out_kernel')]), ctx.weight('out_bias')]);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), embedDim: this.embedDim, numHeads: this.numHeads, downsampleRate: this.downsampleRate };
  }
}

/**
 * Layer normalisation over the last axis (Ba et al. 2016; SAM's LayerNorm and, on NHWC features,
 * LayerNorm2d): (x − mean) / √(var + ε) · γ + β. Written here because tfjs-layers' LayerNormalization
 * tiles γ and β to the input's shape, and the gradient of that tile is one slice per tiled row.
 */
export class LayerNorm extends tf.layers.Layer {
  static readonly className = 'SamLayerNorm';
  readonly epsilon: number;
  private gamma: tf.LayerVariable | null = null;
  private beta: tf.LayerVariable | null = null;

  constructor(args: { name?: string; epsilon?: number } = {}) {
    super({ name: args.name });
    this.epsilon = args.epsilon ?? 1e-6;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = shapes(inputShape)[0]!;
    const c = dim(s[s.length - 1], 'the last axis', `LayerNorm '${this.name}'`);
    this.gamma = this.addWeight('gamma', [c], 'float32', tf.initializers.ones());
    this.beta = this.addWeight('beta', [c], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return shapes(inputShape)[0]!;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = list(inputs)[0]!;
      const { mean, variance } = tf.moments(x, -1, true);
      const norm = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.epsilon)));
      return tf.add(tf.mul(norm, this.gamma!.read()), this.beta!.read());
    });
  }

  /** ONNX LayerNormalization (opset 17) over the last axis. */
  toOnnx(ctx: OnnxLoweringContext, [x]: string[]): string {
    return ctx.op('LayerNormalization', [x!, ctx.weight('gamma'), ctx.weight('beta')], { axis: attr.int(-1), epsilon: attr.float(this.epsilon) });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), epsilon: this.epsilon };
  }
}

/** Arguments of {@link LearnedAdd}. */
export interface LearnedAddArgs {
  name?: string;
  /** Shape of the learned tensor, without the batch axis (it broadcasts against the input). */
  shape: number[];
  /** Standard deviation of its normal initialisation (0: zeros). Default 0.02. */
  stddev?: number;
}

/**
 * x + P with a learned tensor P broadcast over the batch: ViT's absolute position embedding
 * (shape [N, D]) and SAM's dense "no mask" embedding (shape [C], added to every pixel).
 */
export class LearnedAdd extends tf.layers.Layer {
  static readonly className = 'SamLearnedAdd';
  readonly valueShape: number[];
  readonly stddev: number;
  private value: tf.LayerVariable | null = null;

  constructor(args: LearnedAddArgs) {
    super({ name: args.name });
    this.valueShape = args.shape;
    this.stddev = args.stddev ?? 0.02;
  }

  override build(): void {
    const init = this.stddev > 0 ? normal(this.stddev) : tf.initializers.zeros();
    this.value = this.addWeight('value', this.valueShape, 'float32', init);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return shapes(inputShape)[0]!;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.add(list(inputs)[0]!, this.value!.read()));
  }

  /** Add(x, P). */
  toOnnx(ctx: OnnxLoweringContext, [x]: string[]): string {
    return ctx.op('Add', [x!, ctx.weight('value')]);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), shape: this.valueShape, stddev: this.stddev };
  }
}

/** Arguments of {@link PromptEncoder}. */
export interface PromptEncoderArgs {
  name?: string;
  /** Embedding width C (even). */
  embedDim: number;
  /** Side of the square input image in pixels (prompt coordinates are in this frame). */
  imageSize: number;
  /** Side of the embedding grid (h = w). */
  gridSize: number;
  /** Scale of the random Fourier matrix (SAM: 1). Default 1. */
  scale?: number;
}

/** Point labels of the prompt encoder (SAM's ONNX decoder convention): box corners are points with labels 2 and 3. */
export const POINT_LABEL = { padding: -1, negative: 0, positive: 1, boxTopLeft: 2, boxBottomRight: 3 } as const;

/**
 * SAM's prompt encoder for sparse prompts (Kirillov et al. 2023, §3): random Fourier features of the
 * point coordinates (Tancik et al. 2020) — p ↦ [sin 2π(2p̂−1)G, cos 2π(2p̂−1)G] with p̂ = (p + 0.5)/S
 * and a fixed Gaussian matrix G ∈ R^{2×C/2} — plus a learned embedding per label (negative point,
 * positive point, box top-left, box bottom-right); padding points (label −1) get only the learned
 * "not a point" embedding. Inputs: [image embedding [B, h, w, C] (for the batch size), coords [B, P, 2]
 * (x, y in pixels), labels [B, P]]. Outputs: sparse prompt embeddings [B, P, C] and the dense
 * positional encoding of the embedding grid [B, h·w, C] (pixel centres, same G).
 */
export class PromptEncoder extends tf.layers.Layer {
  static readonly className = 'SamPromptEncoder';
  readonly embedDim: number;
  readonly imageSize: number;
  readonly gridSize: number;
  readonly scale: number;
  private gaussian: tf.LayerVariable | null = null;
  private labelEmbeds: tf.LayerVariable | null = null;

  constructor(args: PromptEncoderArgs) {
    super({ name: args.name });
    this.embedDim = args.embedDim;
    this.imageSize = args.imageSize;
    this.gridSize = args.gridSize;
    this.scale = args.scale ?? 1;
    if (this.embedDim % 2 !== 0) throw new ValueError(`PromptEncoder: embedDim must be even. Value: ${this.embedDim}.`);
  }

  override build(): void {
    // Fixed (not trained), as SAM's PositionEmbeddingRandom buffer.
    this.gaussian = this.addWeight('gaussian', [2, this.embedDim / 2], 'float32', normal(this.scale), undefined, false);
    // Rows: not-a-point (label −1), negative (0), positive (1), box top-left (2), box bottom-right (3).
    this.labelEmbeds = this.addWeight('label_embeds', [5, this.embedDim], 'float32', normal(1));
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape[] {
    const [, coords] = shapes(inputShape);
    return [
      [coords![0]!, coords![1]!, this.embedDim],
      [coords![0]!, this.gridSize * this.gridSize, this.embedDim],
    ];
  }

  /** Fourier features of coordinates already normalised to [0, 1]: [..., 2] → [..., C]. */
  fourier(unit: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const c = tf.sub(tf.mul(unit, 2), 1);
      const rank = c.rank;
      const flat = tf.reshape(c, [-1, 2]);
      const proj = tf.mul(tf.matMul(flat, this.gaussian!.read() as tf.Tensor2D), 2 * Math.PI);
      const feats = tf.concat([tf.sin(proj), tf.cos(proj)], 1);
      return tf.reshape(feats, [...c.shape.slice(0, rank - 1), this.embedDim]);
    });
  }

  /** Pixel-centre coordinates of the embedding grid, normalised to [0, 1]: [h·w, 2] as (x, y). */
  gridUnits(): Float32Array {
    const g = this.gridSize;
    const out = new Float32Array(g * g * 2);
    for (let i = 0; i < g; i++) {
      for (let j = 0; j < g; j++) {
        out[(i * g + j) * 2] = (j + 0.5) / g;
        out[(i * g + j) * 2 + 1] = (i + 0.5) / g;
      }
    }
    return out;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
    return tf.tidy(() => {
      const [emb, coords, labels] = list(inputs) as [tf.Tensor, tf.Tensor3D, tf.Tensor2D];
      const B = emb.shape[0];
      const pe = this.fourier(tf.div(tf.add(coords, 0.5), this.imageSize));
      const lab = tf.cast(labels, 'float32');
      const valid = tf.expandDims(tf.cast(tf.notEqual(lab, POINT_LABEL.padding), 'float32'), -1);
      const onehot = tf.cast(tf.equal(tf.expandDims(lab, -1), tf.tensor1d([-1, 0, 1, 2, 3])), 'float32');
      const [Bp, P] = onehot.shape as [number, number, number];
      const typed = tf.reshape(tf.matMul(tf.reshape(onehot, [Bp * P, 5]), this.labelEmbeds!.read() as tf.Tensor2D), [Bp, P, this.embedDim]);
      const sparse = tf.add(tf.mul(pe, valid), typed);
      const grid = this.fourier(tf.tensor2d(this.gridUnits(), [this.gridSize * this.gridSize, 2]));
      // Broadcast to the batch by a product with ones (TF.js's Tile kernel and its gradient are slow).
      const dense = tf.mul(tf.ones([B!, 1, 1]), tf.expandDims(grid, 0));
      return [sparse, dense];
    });
  }

  /** The same in ONNX ops; the grid's positional encoding is folded into a constant at export. */
  toOnnx(ctx: OnnxLoweringContext, [emb, coords, labels]: string[]): string[] {
    const C = this.embedDim;
    const fourier = (unit: string): string => {
      const c = ctx.op('Sub', [ctx.op('Mul', [unit, ctx.constant([2], [])]), ctx.constant([1], [])]);
      const proj = ctx.op('Mul', [ctx.op('MatMul', [c, ctx.weight('gaussian')]), ctx.constant([2 * Math.PI], [])]);
      return ctx.op('Concat', [ctx.op('Sin', [proj]), ctx.op('Cos', [proj])], { axis: attr.int(-1) });
    };
    const unit = ctx.op('Div', [ctx.op('Add', [coords!, ctx.constant([0.5], [])]), ctx.constant([this.imageSize], [])]);
    const pe = fourier(unit);
    const lab = ctx.op('Cast', [labels!], { to: attr.int(1) });
    const valid = ctx.op('Cast', [ctx.op('Not', [ctx.op('Equal', [lab, ctx.constant([POINT_LABEL.padding], [])])])], { to: attr.int(1) });
    const onehot = ctx.op('Cast', [ctx.op('Equal', [ctx.op('Unsqueeze', [lab, ctx.int64([-1])]), ctx.constant([-1, 0, 1, 2, 3], [5])])], {
      to: attr.int(1),
    });
    const typed = ctx.op('MatMul', [onehot, ctx.weight('label_embeds')]);
    const sparse = ctx.op('Add', [ctx.op('Mul', [pe, ctx.op('Unsqueeze', [valid, ctx.int64([-1])])]), typed]);
    const grid = tf.tidy(() => this.fourier(tf.tensor2d(this.gridUnits(), [this.gridSize * this.gridSize, 2])).expandDims(0));
    const gridConst = ctx.tensor(grid);
    grid.dispose();
    const batch = ctx.op('Slice', [ctx.op('Shape', [emb!]), ctx.int64([0]), ctx.int64([1])]);
    const target = ctx.op('Concat', [batch, ctx.int64([this.gridSize * this.gridSize, C])], { axis: attr.int(0) });
    return [sparse, ctx.op('Expand', [gridConst, target])];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), embedDim: this.embedDim, imageSize: this.imageSize, gridSize: this.gridSize, scale: this.scale };
  }
}

/** Arguments of {@link PrependTokens}. */
export interface PrependTokensArgs {
  name?: string;
  /** Learned output tokens to put first (SAM: the IoU token and the mask tokens). */
  count: number;
  embedDim: number;
}

/** [B, P, C] → [B, count + P, C]: learned output tokens (SAM's iou_token and mask_tokens) before the prompt tokens. */
export class PrependTokens extends tf.layers.Layer {
  static readonly className = 'SamPrependTokens';
  readonly count: number;
  readonly embedDim: number;
  private tokens: tf.LayerVariable | null = null;

  constructor(args: PrependTokensArgs) {
    super({ name: args.name });
    this.count = args.count;
    this.embedDim = args.embedDim;
  }

  override build(): void {
    this.tokens = this.addWeight('tokens', [this.count, this.embedDim], 'float32', normal(1));
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = shapes(inputShape)[0]!;
    return [s[0]!, s[1] == null ? null : s[1] + this.count, this.embedDim];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = list(inputs)[0]!;
      const t = tf.mul(tf.ones([x.shape[0]!, 1, 1]), tf.expandDims(this.tokens!.read(), 0));
      return tf.concat([t, x], 1);
    });
  }

  /** Expand the tokens to the batch, then Concat on axis 1. */
  toOnnx(ctx: OnnxLoweringContext, [x]: string[]): string {
    const batch = ctx.op('Slice', [ctx.op('Shape', [x!]), ctx.int64([0]), ctx.int64([1])]);
    const target = ctx.op('Concat', [batch, ctx.int64([this.count, this.embedDim])], { axis: attr.int(0) });
    const tokens = ctx.op('Expand', [ctx.op('Unsqueeze', [ctx.weight('tokens'), ctx.int64([0])]), target]);
    return ctx.op('Concat', [tokens, x!], { axis: attr.int(1) });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), count: this.count, embedDim: this.embedDim };
  }
}

/** [B, N, C] → [B, C]: token `index` (SAM reads the IoU token and each mask token after the transformer). */
export class TakeToken extends tf.layers.Layer {
  static readonly className = 'SamTakeToken';
  readonly index: number;

  constructor(args: { name?: string; index: number }) {
    super({ name: args.name });
    this.index = args.index;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = shapes(inputShape)[0]!;
    return [s[0]!, s[2]!];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = list(inputs)[0] as tf.Tensor3D;
      const [B, , C] = x.shape;
      return tf.reshape(tf.slice(x, [0, this.index, 0], [B, 1, C]), [B, C]);
    });
  }

  /** Gather on axis 1, then drop that axis. */
  toOnnx(ctx: OnnxLoweringContext, [x]: string[]): string {
    const C = dim(ctx.inputShapes[0]![2], 'the token width', `TakeToken '${this.name}'`);
    return ctx.op('Reshape', [ctx.op('Gather', [x!, ctx.int64([this.index])], { axis: attr.int(1) }), ctx.int64([0, C])]);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), index: this.index };
  }
}

/**
 * SAM's mask head: the dot product of the upscaled image features [B, H, W, c] with the hypernetwork
 * output of a mask token [B, c], giving mask logits [B, H, W, 1].
 */
export class HyperMask extends tf.layers.Layer {
  static readonly className = 'SamHyperMask';

  constructor(args: { name?: string } = {}) {
    super({ name: args.name });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = shapes(inputShape)[0]!;
    return [s[0]!, s[1]!, s[2]!, 1];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [up, hyper] = list(inputs) as [tf.Tensor4D, tf.Tensor2D];
      const [B, H, W, c] = up.shape;
      const m = tf.matMul(tf.reshape(up, [B, H * W, c]), tf.reshape(hyper, [B, c, 1]));
      return tf.reshape(m, [B, H, W, 1]);
    });
  }

  /** MatMul of the flattened features with the hypernetwork column. */
  toOnnx(ctx: OnnxLoweringContext, [up, hyper]: string[]): string {
    const s = ctx.inputShapes[0]!;
    const [H, W, c] = [1, 2, 3].map((i) => dim(s[i], `input axis ${i}`, `HyperMask '${this.name}'`)) as [number, number, number];
    const m = ctx.op('MatMul', [ctx.op('Reshape', [up!, ctx.int64([0, H * W, c])]), ctx.op('Unsqueeze', [hyper!, ctx.int64([2])])]);
    return ctx.op('Reshape', [m, ctx.int64([0, H, W, 1])]);
  }
}

for (const cls of [Attention, LayerNorm, LearnedAdd, PromptEncoder, PrependTokens, TakeToken, HyperMask]) {
  tf.serialization.registerClass(cls as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
}
