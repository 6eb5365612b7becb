// One lowering per tfjs-layers class: TF.js layer (config + weights) → ONNX opset-17 nodes.
// Each lowering gets its inputs as Values (any layout) and returns Values whose logical shapes are the
// layer's output shapes; it asks for a layout only when the ONNX op needs one (see graph.ts).
import type * as tf from '@tensorflow/tfjs';
import { OnnxExportError } from '../errors.js';
import { applyActivation, rnnActivation, rnnActivationAttrs } from './activations.js';
import {
  channelsFirstPerm,
  identityPerm,
  invertPerm,
  physicalAxis,
  transposeData,
  type Dim,
  type GraphBuilder,
  type Value,
} from './graph.js';
import { attr, type OnnxAttr } from './proto.js';

/** Everything a lowering needs about one call of one layer. */
export interface LoweringCall {
  g: GraphBuilder;
  layer: tf.layers.Layer;
  className: string;
  config: Record<string, unknown>;
  inputs: Value[];
  /** TF.js output shapes of this call (null batch). */
  outShapes: Dim[][];
  /** "layer 'conv2d_Conv2D1' (Conv2D)", for messages. */
  where: string;
  /** Lowers a wrapped layer (TimeDistributed, Bidirectional use it). */
  lowerInner: (layer: tf.layers.Layer, inputs: Value[], outShapes: Dim[][]) => Value[];
}

/** A lowering: returns one Value per layer output. */
export type Lowering = (c: LoweringCall) => Value[];

interface WeightData {
  data: Float32Array;
  shape: number[];
}

const INT64_MAX = 9223372036854775807n;

function lastSegment(name: string): string {
  const i = name.lastIndexOf('/');
  return i < 0 ? name : name.slice(i + 1);
}

/** A layer weight by its short name ('kernel', 'bias', 'moving_mean', ...), copied out of TF.js. */
export function readWeight(layer: tf.layers.Layer, short: string, where: string): WeightData;
export function readWeight(layer: tf.layers.Layer, short: string, where: string, optional: true): WeightData | null;
export function readWeight(layer: tf.layers.Layer, short: string, where: string, optional = false): WeightData | null {
  const w =
    layer.weights.find((v) => lastSegment(v.originalName) === short) ?? layer.weights.find((v) => lastSegment(v.name) === short);
  if (!w) {
    if (optional) return null;
    throw new OnnxExportError(
      `exportOnnx: ${where}: weight '${short}' not found (weights: ${layer.weights.map((v) => v.originalName).join(', ') || 'none'}).`,
    );
  }
  const t = w.read();
  return { data: Float32Array.from(t.dataSync()), shape: t.shape.slice() };
}

function nums(v: unknown, n: number, what: string, where: string): number[] {
  const arr = Array.isArray(v) ? v.map(Number) : Array.from({ length: n }, () => Number(v));
  if (arr.length === 1 && n > 1) return Array.from({ length: n }, () => arr[0] as number);
  if (arr.length !== n || arr.some((x) => !Number.isFinite(x))) {
    throw new OnnxExportError(`exportOnnx: ${where}: config '${what}' must have ${n} numbers. Value: ${JSON.stringify(v)}.`);
  }
  return arr;
}

function out(shape: Dim[], name: string, perm: number[], dtype: Value['dtype'] = 'float32'): Value {
  return { name, shape, perm, dtype };
}

function single(c: LoweringCall): Value {
  if (c.inputs.length !== 1) {
    throw new OnnxExportError(`exportOnnx: ${c.where}: expected one input, got ${c.inputs.length}.`);
  }
  return c.inputs[0] as Value;
}

function outShape(c: LoweringCall, i = 0): Dim[] {
  const s = c.outShapes[i];
  if (!s) throw new OnnxExportError(`exportOnnx: ${c.where}: output ${i} has no known shape.`);
  return s;
}

/** A per-channel vector broadcast against `v` along logical axis `axis`, as an initializer. */
function perAxisConst(g: GraphBuilder, v: Value, axis: number, data: Float32Array, base: string): string {
  const dims = new Array<number>(v.shape.length).fill(1);
  dims[physicalAxis(v, axis)] = data.length;
  return g.floats(data, dims, base);
}

/** A tensor of logical broadcast shape `shape` (full rank) laid out like `v`. */
function layoutConst(g: GraphBuilder, v: Value, data: Float32Array, shape: number[], base: string): string {
  return g.floats(transposeData(data, shape, v.perm), v.perm.map((a) => shape[a] as number), base);
}

// ---- convolution and pooling -------------------------------------------------------------------

interface Padding {
  pads?: number[];
  autoPad?: string;
}

/**
 * ONNX pads for TF padding modes, computed as TF does (tfjs-core conv_util getPadAndOutInfo): 'same'
 * gives out = ceil(in/stride) and puts the odd pixel of padding at the end. Unknown spatial sizes fall
 * back to auto_pad SAME_UPPER, which ONNX defines the same way.
 */
export function tfPadding(
  padding: string,
  inSizes: Dim[],
  kernel: number[],
  strides: number[],
  dilations: number[],
  where: string,
): Padding {
  const n = kernel.length;
  if (padding === 'valid') return { pads: new Array<number>(2 * n).fill(0) };
  if (padding === 'causal') {
    // tfjs-layers 4.22 declares it but its conv1d throws NotImplementedError, so there is nothing to match.
    throw new OnnxExportError(`exportOnnx: ${where}: 'causal' padding is not supported (TF.js itself cannot run it).`);
  }
  if (padding !== 'same') throw new OnnxExportError(`exportOnnx: ${where}: padding '${padding}' is not supported.`);
  if (inSizes.some((s) => s == null)) return { autoPad: 'SAME_UPPER' };
  const begin: number[] = [];
  const end: number[] = [];
  for (let i = 0; i < n; i++) {
    const size = inSizes[i] as number;
    const stride = strides[i] as number;
    const effK = ((kernel[i] as number) - 1) * (dilations[i] as number) + 1;
    const outSize = Math.ceil(size / stride);
    const total = Math.max(0, (outSize - 1) * stride + effK - size);
    begin.push(Math.floor(total / 2));
    end.push(total - Math.floor(total / 2));
  }
  return { pads: [...begin, ...end] };
}

function padAttrs(p: Padding): Record<string, OnnxAttr> {
  return p.autoPad ? { auto_pad: attr.string(p.autoPad) } : { pads: attr.ints(p.pads as number[]) };
}

interface ConvGeometry {
  n: number;
  rank: number;
  channelsFirst: boolean;
  /** The layout ONNX's NC(spatial) ops want for this layer's tensors. */
  cfPerm: number[];
  spatialAxes: number[];
}

function convGeometry(c: LoweringCall, x: Value, n: number): ConvGeometry {
  const rank = x.shape.length;
  if (rank !== n + 2) throw new OnnxExportError(`exportOnnx: ${c.where}: expected a rank-${n + 2} input, got shape [${x.shape}].`);
  const channelsFirst = c.config['dataFormat'] === 'channelsFirst';
  return {
    n,
    rank,
    channelsFirst,
    cfPerm: channelsFirst ? identityPerm(rank) : channelsFirstPerm(rank),
    spatialAxes: channelsFirst ? identityPerm(n).map((i) => i + 2) : identityPerm(n).map((i) => i + 1),
  };
}

function spatialRank(className: string): number {
  return /1D$/.test(className) ? 1 : 2;
}

function lowerConv(c: LoweringCall): Value[] {
  const x = single(c);
  const n = spatialRank(c.className);
  const geo = convGeometry(c, x, n);
  const kernel = readWeight(c.layer, 'kernel', c.where); // [k..., in, out]
  const k = kernel.shape.slice(0, n);
  const strides = nums(c.config['strides'] ?? 1, n, 'strides', c.where);
  const dil = nums(c.config['dilationRate'] ?? 1, n, 'dilationRate', c.where);
  const pad = tfPadding(String(c.config['padding']), geo.spatialAxes.map((a) => x.shape[a] as Dim), k, strides, dil, c.where);
  const wPerm = [n + 1, n, ...identityPerm(n)];
  const w = c.g.floats(transposeData(kernel.data, kernel.shape, wPerm), wPerm.map((p) => kernel.shape[p] as number), 'W');
  const bias = c.config['useBias'] === false ? null : readWeight(c.layer, 'bias', c.where, true);
  const xin = c.g.toPerm(x, geo.cfPerm);
  const inputs = [xin.name, w, ...(bias ? [c.g.floats(bias.data, bias.shape, 'B')] : [])];
  const y = c.g.op('Conv', inputs, { kernel_shape: attr.ints(k), strides: attr.ints(strides), dilations: attr.ints(dil), ...padAttrs(pad) });
  return [applyActivation(c.g, out(outShape(c), y, geo.cfPerm), c.config['activation'], c.where)];
}

function lowerConv2dTranspose(c: LoweringCall): Value[] {
  const x = single(c);
  const geo = convGeometry(c, x, 2);
  const kernel = readWeight(c.layer, 'kernel', c.where); // [kh, kw, out, in]
  const k = kernel.shape.slice(0, 2);
  const strides = nums(c.config['strides'] ?? 1, 2, 'strides', c.where);
  const padding = String(c.config['padding']);
  // TF: out = in·s (same) or in·s + max(k − s, 0) (valid); the forward conv it inverts pads k − s, odd pixel at the end.
  const begin: number[] = [];
  const end: number[] = [];
  const outputPadding: number[] = [];
  for (let i = 0; i < 2; i++) {
    const ki = k[i] as number;
    const si = strides[i] as number;
    const total = padding === 'same' ? Math.max(ki - si, 0) : 0;
    begin.push(Math.floor(total / 2));
    end.push(total - Math.floor(total / 2));
    outputPadding.push(Math.max(si - ki, 0));
  }
  if (padding !== 'same' && padding !== 'valid') throw new OnnxExportError(`exportOnnx: ${c.where}: padding '${padding}' is not supported.`);
  const wPerm = [3, 2, 0, 1]; // → [in, out, kh, kw]
  const w = c.g.floats(transposeData(kernel.data, kernel.shape, wPerm), wPerm.map((p) => kernel.shape[p] as number), 'W');
  const bias = c.config['useBias'] === false ? null : readWeight(c.layer, 'bias', c.where, true);
  const xin = c.g.toPerm(x, geo.cfPerm);
  const y = c.g.op('ConvTranspose', [xin.name, w, ...(bias ? [c.g.floats(bias.data, bias.shape, 'B')] : [])], {
    kernel_shape: attr.ints(k),
    strides: attr.ints(strides),
    pads: attr.ints([...begin, ...end]),
    ...(outputPadding.some((p) => p > 0) ? { output_padding: attr.ints(outputPadding) } : {}),
  });
  return [applyActivation(c.g, out(outShape(c), y, geo.cfPerm), c.config['activation'], c.where)];
}

/** Depthwise kernel [kh, kw, in, mult] → grouped-conv weight [in·mult, 1, kh, kw] (channel c·mult + m). */
function depthwiseWeight(kernel: WeightData): { data: Float32Array; dims: number[] } {
  const [kh, kw, cin, mult] = kernel.shape as [number, number, number, number];
  return { data: transposeData(kernel.data, [kh, kw, cin * mult], [2, 0, 1]), dims: [cin * mult, 1, kh, kw] };
}

function lowerDepthwise(c: LoweringCall, separable: boolean): Value[] {
  const x = single(c);
  const geo = convGeometry(c, x, 2);
  const dk = readWeight(c.layer, 'depthwise_kernel', c.where);
  const k = dk.shape.slice(0, 2);
  const cin = dk.shape[2] as number;
  const strides = nums(c.config['strides'] ?? 1, 2, 'strides', c.where);
  const dil = nums(c.config['dilationRate'] ?? 1, 2, 'dilationRate', c.where);
  if (!separable && dil.some((d) => d !== 1)) {
    // tfjs-layers 4.22's DepthwiseConv2D.call passes dilation null to tf.depthwiseConv2d: it runs undilated
    // while reporting dilated output shapes, so no exported graph can match both.
    throw new OnnxExportError(`exportOnnx: ${c.where}: dilationRate [${dil}] is not supported (TF.js ignores it when the layer runs).`);
  }
  const pad = tfPadding(String(c.config['padding']), geo.spatialAxes.map((a) => x.shape[a] as Dim), k, strides, dil, c.where);
  const dw = depthwiseWeight(dk);
  const bias = c.config['useBias'] === false ? null : readWeight(c.layer, 'bias', c.where, true);
  const xin = c.g.toPerm(x, geo.cfPerm);
  const depthInputs = [xin.name, c.g.floats(dw.data, dw.dims, 'W_depthwise')];
  if (!separable && bias) depthInputs.push(c.g.floats(bias.data, bias.shape, 'B'));
  let y = c.g.op('Conv', depthInputs, {
    group: attr.int(cin),
    kernel_shape: attr.ints(k),
    strides: attr.ints(strides),
    dilations: attr.ints(dil),
    ...padAttrs(pad),
  });
  if (separable) {
    const pk = readWeight(c.layer, 'pointwise_kernel', c.where); // [1, 1, in·mult, out]
    const [, , mid, cout] = pk.shape as [number, number, number, number];
    const pw = c.g.floats(transposeData(pk.data, [mid, cout], [1, 0]), [cout, mid, 1, 1], 'W_pointwise');
    y = c.g.op('Conv', [y, pw, ...(bias ? [c.g.floats(bias.data, bias.shape, 'B')] : [])], { kernel_shape: attr.ints([1, 1]) });
  }
  return [applyActivation(c.g, out(outShape(c), y, geo.cfPerm), c.config['activation'], c.where)];
}

function lowerPool(c: LoweringCall, op: 'MaxPool' | 'AveragePool'): Value[] {
  const x = single(c);
  const n = spatialRank(c.className);
  const geo = convGeometry(c, x, n);
  const k = nums(c.config['poolSize'], n, 'poolSize', c.where);
  const strides = nums(c.config['strides'] ?? k, n, 'strides', c.where);
  const pad = tfPadding(String(c.config['padding'] ?? 'valid'), geo.spatialAxes.map((a) => x.shape[a] as Dim), k, strides, new Array<number>(n).fill(1), c.where);
  const xin = c.g.toPerm(x, geo.cfPerm);
  // AveragePool's count_include_pad = 0 (the default) averages over real pixels only, as TF does.
  const y = c.g.op(op, [xin.name], { kernel_shape: attr.ints(k), strides: attr.ints(strides), ...padAttrs(pad) });
  return [out(outShape(c), y, geo.cfPerm)];
}

/** The layout left after reducing away some logical axes of `v` (keepdims = 0). */
function reducedPerm(v: Value, removed: readonly number[]): number[] {
  const kept = v.perm.filter((a) => !removed.includes(a));
  const sorted = [...kept].sort((a, b) => a - b);
  return kept.map((a) => sorted.indexOf(a));
}

function lowerGlobalPool(c: LoweringCall, op: 'ReduceMean' | 'ReduceMax'): Value[] {
  const x = single(c);
  const rank = x.shape.length;
  const channelsFirst = c.config['dataFormat'] === 'channelsFirst';
  const axes = channelsFirst ? identityPerm(rank - 2).map((i) => i + 2) : identityPerm(rank - 2).map((i) => i + 1);
  const y = c.g.op(op, [x.name], { axes: attr.ints(axes.map((a) => physicalAxis(x, a))), keepdims: attr.int(0) });
  return [out(outShape(c), y, reducedPerm(x, axes))];
}

// ---- core ----------------------------------------------------------------------------------------

function lowerDense(c: LoweringCall): Value[] {
  let x = single(c);
  const r = x.shape.length;
  if (x.perm[r - 1] !== r - 1) x = c.g.logical(x);
  const kernel = readWeight(c.layer, 'kernel', c.where);
  let y = c.g.op('MatMul', [x.name, c.g.floats(kernel.data, kernel.shape, 'W')]);
  const bias = c.config['useBias'] === false ? null : readWeight(c.layer, 'bias', c.where, true);
  if (bias) y = c.g.op('Add', [y, c.g.floats(bias.data, bias.shape, 'B')]);
  return [applyActivation(c.g, out(outShape(c), y, x.perm), c.config['activation'], c.where)];
}

function lowerBatchNorm(c: LoweringCall): Value[] {
  const x = single(c);
  const rank = x.shape.length;
  const axisCfg = c.config['axis'];
  const axisRaw = Array.isArray(axisCfg) ? axisCfg : [axisCfg ?? -1];
  if (axisRaw.length !== 1) throw new OnnxExportError(`exportOnnx: ${c.where}: only a single BatchNormalization axis is supported.`);
  const axis = ((Number(axisRaw[0]) % rank) + rank) % rank;
  const eps = Number(c.config['epsilon'] ?? 1e-3);
  const mean = readWeight(c.layer, 'moving_mean', c.where);
  const variance = readWeight(c.layer, 'moving_variance', c.where);
  const C = mean.data.length;
  const gamma = c.config['scale'] === false ? null : readWeight(c.layer, 'gamma', c.where, true);
  const beta = c.config['center'] === false ? null : readWeight(c.layer, 'beta', c.where, true);
  const gammaData = gamma?.data ?? new Float32Array(C).fill(1);
  const betaData = beta?.data ?? new Float32Array(C);
  if (physicalAxis(x, axis) === 1 && rank >= 2) {
    const y = c.g.op(
      'BatchNormalization',
      [x.name, c.g.floats(gammaData, [C], 'scale'), c.g.floats(betaData, [C], 'B'), c.g.floats(mean.data, [C], 'mean'), c.g.floats(variance.data, [C], 'var')],
      { epsilon: attr.float(eps) },
    );
    return [out(outShape(c), y, x.perm)];
  }
  // Elsewhere: (x − mean)·(γ/√(var + ε)) + β, with the factor computed in float64.
  const factor = new Float32Array(C);
  for (let i = 0; i < C; i++) factor[i] = (gammaData[i] as number) / Math.sqrt((variance.data[i] as number) + eps);
  const centred = c.g.op('Sub', [x.name, perAxisConst(c.g, x, axis, mean.data, 'mean')]);
  const scaled = c.g.op('Mul', [centred, perAxisConst(c.g, x, axis, factor, 'factor')]);
  const y = c.g.op('Add', [scaled, perAxisConst(c.g, x, axis, betaData, 'beta')]);
  return [out(outShape(c), y, x.perm)];
}

function lowerLayerNorm(c: LoweringCall): Value[] {
  const x = single(c);
  const rank = x.shape.length;
  const axisCfg = c.config['axis'];
  const axes = (Array.isArray(axisCfg) ? axisCfg : [axisCfg ?? -1]).map((a) => ((Number(a) % rank) + rank) % rank).sort((a, b) => a - b);
  const eps = Number(c.config['epsilon'] ?? 1e-3);
  const paramShape = axes.map((a) => x.shape[a]);
  if (paramShape.some((d) => d == null)) throw new OnnxExportError(`exportOnnx: ${c.where}: normalised axes need known sizes.`);
  const size = (paramShape as number[]).reduce((a, b) => a * b, 1);
  const gamma = c.config['scale'] === false ? null : readWeight(c.layer, 'gamma', c.where, true);
  const beta = c.config['center'] === false ? null : readWeight(c.layer, 'beta', c.where, true);
  // TF reshapes γ/β to the broadcast shape (axes in increasing order), so their data is in that order.
  const bshape = x.shape.map((d, i) => (axes.includes(i) ? (d as number) : 1));
  const phys = axes.map((a) => physicalAxis(x, a));
  const trailing = phys.every((p, i) => p === rank - axes.length + i);
  if (trailing) {
    const first = rank - axes.length;
    const pshape = bshape.slice(0);
    const scaleData = gamma?.data ?? new Float32Array(size).fill(1);
    const scale = c.g.floats(transposeData(scaleData, pshape, x.perm).slice(), (x.perm.map((a) => pshape[a]) as number[]).slice(first), 'scale');
    const bias = beta ? c.g.floats(transposeData(beta.data, pshape, x.perm), (x.perm.map((a) => pshape[a]) as number[]).slice(first), 'B') : null;
    const y = c.g.op('LayerNormalization', [x.name, scale, ...(bias ? [bias] : [])], { axis: attr.int(first), epsilon: attr.float(eps) });
    return [out(outShape(c), y, x.perm)];
  }
  const axesAttr = { axes: attr.ints(phys), keepdims: attr.int(1) };
  const mean = c.g.op('ReduceMean', [x.name], axesAttr);
  const d = c.g.op('Sub', [x.name, mean]);
  const variance = c.g.op('ReduceMean', [c.g.op('Mul', [d, d])], axesAttr);
  let y = c.g.op('Div', [d, c.g.op('Sqrt', [c.g.op('Add', [variance, c.g.scalar(eps, 'eps')])])]);
  if (gamma) y = c.g.op('Mul', [y, layoutConst(c.g, x, gamma.data, bshape, 'gamma')]);
  if (beta) y = c.g.op('Add', [y, layoutConst(c.g, x, beta.data, bshape, 'beta')]);
  return [out(outShape(c), y, x.perm)];
}

function lowerFlatten(c: LoweringCall): Value[] {
  const x = c.g.logical(single(c));
  return [out(outShape(c), c.g.op('Flatten', [x.name], { axis: attr.int(1) }), identityPerm(2))];
}

function lowerReshape(c: LoweringCall): Value[] {
  const x = c.g.logical(single(c));
  const target = outShape(c);
  // TF.js keeps a -1 of targetShape as an open (null) dim; ONNX infers one -1 and copies 0 (the batch).
  const rest = target.slice(1);
  if (rest.filter((d) => d == null).length > 1) {
    throw new OnnxExportError(`exportOnnx: ${c.where}: at most one open dim is supported in the target shape [${target}].`);
  }
  const dims = [0, ...rest.map((d) => d ?? -1)];
  return [out(target, c.g.op('Reshape', [x.name, c.g.int64s(dims, 'shape')]), identityPerm(target.length))];
}

function lowerPermute(c: LoweringCall): Value[] {
  // No node: the same ONNX tensor, read through a different perm (physical axis k = output axis q⁻¹[perm[k]]).
  const x = single(c);
  const q = [0, ...nums(c.config['dims'], x.shape.length - 1, 'dims', c.where)];
  const qinv = invertPerm(q);
  return [out(outShape(c), x.name, x.perm.map((p) => qinv[p] as number), x.dtype)];
}

function lowerRepeatVector(c: LoweringCall): Value[] {
  const x = c.g.logical(single(c));
  const n = Number(c.config['n']);
  const u = c.g.op('Unsqueeze', [x.name, c.g.int64s([1], 'axes')]);
  return [out(outShape(c), c.g.op('Tile', [u, c.g.int64s([1, n, 1], 'repeats')]), identityPerm(3))];
}

function lowerZeroPadding2d(c: LoweringCall): Value[] {
  const x = single(c);
  const geo = convGeometry(c, x, 2);
  const p = c.config['padding'] as number[][];
  const begin = new Array<number>(4).fill(0);
  const end = new Array<number>(4).fill(0);
  geo.spatialAxes.forEach((a, i) => {
    const pa = physicalAxis(x, a);
    begin[pa] = Number(p[i]?.[0] ?? 0);
    end[pa] = Number(p[i]?.[1] ?? 0);
  });
  return [out(outShape(c), c.g.op('Pad', [x.name, c.g.int64s([...begin, ...end], 'pads')], { mode: attr.string('constant') }), x.perm)];
}

function lowerCropping2d(c: LoweringCall): Value[] {
  const x = single(c);
  const geo = convGeometry(c, x, 2);
  const crop = c.config['cropping'] as number[][];
  const starts = geo.spatialAxes.map((_, i) => Number(crop[i]?.[0] ?? 0));
  const ends = geo.spatialAxes.map((_, i) => {
    const e = Number(crop[i]?.[1] ?? 0);
    return e > 0 ? BigInt(-e) : INT64_MAX;
  });
  const axes = geo.spatialAxes.map((a) => physicalAxis(x, a));
  const y = c.g.op('Slice', [x.name, c.g.int64s(starts, 'starts'), c.g.int64s(ends, 'ends'), c.g.int64s(axes, 'axes')]);
  return [out(outShape(c), y, x.perm)];
}

/** ONNX Resize to the layer's spatial output sizes: sizes = Shape(x)·keep + fixed (batch/channels kept). */
function resize(c: LoweringCall, x: Value, spatialAxes: number[], mode: 'nearest' | 'linear', transform: string): Value {
  const target = outShape(c);
  const keep = x.perm.map((a) => (spatialAxes.includes(a) ? 0 : 1));
  const fixed = x.perm.map((a) => (spatialAxes.includes(a) ? (target[a] as number) : 0));
  if (fixed.some((v) => Number.isNaN(v))) throw new OnnxExportError(`exportOnnx: ${c.where}: output size must be known.`);
  const sizes = c.g.op('Add', [c.g.op('Mul', [c.g.op('Shape', [x.name]), c.g.int64s(keep, 'keep')]), c.g.int64s(fixed, 'fixed')]);
  const y = c.g.op('Resize', [x.name, '', '', sizes], {
    mode: attr.string(mode),
    coordinate_transformation_mode: attr.string(transform),
    ...(mode === 'nearest' ? { nearest_mode: attr.string('floor') } : {}),
  });
  return out(target, y, x.perm);
}

function lowerUpSampling2d(c: LoweringCall): Value[] {
  const x = single(c);
  const geo = convGeometry(c, x, 2);
  // TF.js calls image.resizeNearestNeighbor / resizeBilinear with alignCorners = false and
  // halfPixelCenters = false: source = dst·(in/out), i.e. ONNX 'asymmetric' (nearest: floor).
  const mode = c.config['interpolation'] === 'bilinear' ? 'linear' : 'nearest';
  return [resize(c, x, geo.spatialAxes, mode, 'asymmetric')];
}

function lowerRescaling(c: LoweringCall): Value[] {
  let x = single(c);
  if (x.dtype !== 'float32') x = { ...x, name: c.g.op('Cast', [x.name], { to: attr.int(1) }), dtype: 'float32' };
  const scaled = c.g.op('Mul', [x.name, c.g.scalar(Number(c.config['scale'] ?? 1), 'scale')]);
  return [out(outShape(c), c.g.op('Add', [scaled, c.g.scalar(Number(c.config['offset'] ?? 0), 'offset')]), x.perm)];
}

function lowerEmbedding(c: LoweringCall): Value[] {
  if (c.config['maskZero'] === true) {
    throw new OnnxExportError(`exportOnnx: ${c.where}: maskZero = true is not supported (masks are not exported).`);
  }
  const x = c.g.logical(single(c));
  const table = readWeight(c.layer, 'embeddings', c.where);
  const idx = c.g.op('Cast', [x.name], { to: attr.int(7) }); // TF.js casts to int32 (truncation), as Cast does
  let y = c.g.op('Gather', [c.g.floats(table.data, table.shape, 'table'), idx], { axis: attr.int(0) });
  const target = outShape(c);
  if (target.length !== x.shape.length + 1) {
    y = c.g.op('Reshape', [y, c.g.int64s([0, ...target.slice(1).map((d) => d ?? -1)], 'shape')]);
  }
  return [out(target, y, identityPerm(target.length))];
}

// ---- activations as layers --------------------------------------------------------------------

function lowerActivationLayer(c: LoweringCall): Value[] {
  return [{ ...applyActivation(c.g, single(c), c.config['activation'], c.where), shape: outShape(c) }];
}

function unary(c: LoweringCall, op: string, attrs: Record<string, OnnxAttr> = {}): Value[] {
  const x = single(c);
  return [out(outShape(c), c.g.op(op, [x.name], attrs), x.perm)];
}

function lowerReLU(c: LoweringCall): Value[] {
  const x = single(c);
  const max = c.config['maxValue'];
  if (max == null) return unary(c, 'Relu');
  return [out(outShape(c), c.g.op('Clip', [x.name, c.g.scalar(0, 'zero'), c.g.scalar(Number(max), 'max')]), x.perm)];
}

function lowerSoftmaxLayer(c: LoweringCall): Value[] {
  const x = single(c);
  const rank = x.shape.length;
  const axisCfg = c.config['axis'];
  const axis = Array.isArray(axisCfg) ? axisCfg : [axisCfg ?? -1];
  if (axis.length !== 1) throw new OnnxExportError(`exportOnnx: ${c.where}: softmax over several axes is not supported.`);
  const a = ((Number(axis[0]) % rank) + rank) % rank;
  return [out(outShape(c), c.g.op('Softmax', [x.name], { axis: attr.int(physicalAxis(x, a)) }), x.perm)];
}

function lowerPReLU(c: LoweringCall): Value[] {
  const x = single(c);
  const alpha = readWeight(c.layer, 'alpha', c.where); // shape = input.shape[1:] with shared axes as 1
  const full = [1, ...alpha.shape];
  return [out(outShape(c), c.g.op('PRelu', [x.name, layoutConst(c.g, x, alpha.data, full, 'slope')]), x.perm)];
}

// ---- merges ---------------------------------------------------------------------------------------

function sameLayout(c: LoweringCall): Value[] {
  const first = c.inputs[0];
  if (!first) throw new OnnxExportError(`exportOnnx: ${c.where}: no inputs.`);
  for (const v of c.inputs) {
    if (v.shape.length !== first.shape.length) {
      throw new OnnxExportError(`exportOnnx: ${c.where}: inputs of different ranks are not supported ([${first.shape}] vs [${v.shape}]).`);
    }
  }
  return c.inputs.map((v) => c.g.toPerm(v, first.perm));
}

function lowerMerge(c: LoweringCall, op: 'Add' | 'Mul' | 'Sum' | 'Mean' | 'Max' | 'Min'): Value[] {
  const xs = sameLayout(c);
  const perm = (xs[0] as Value).perm;
  let y: string;
  if (op === 'Add' || op === 'Mul') {
    y = (xs[0] as Value).name;
    for (const v of xs.slice(1)) y = c.g.op(op, [y, v.name]);
  } else {
    y = c.g.op(op, xs.map((v) => v.name));
  }
  return [out(outShape(c), y, perm)];
}

function lowerConcatenate(c: LoweringCall): Value[] {
  const xs = sameLayout(c);
  const first = xs[0] as Value;
  const rank = first.shape.length;
  const axis = ((Number(c.config['axis'] ?? -1) % rank) + rank) % rank;
  const y = c.g.op('Concat', xs.map((v) => v.name), { axis: attr.int(physicalAxis(first, axis)) });
  return [out(outShape(c), y, first.perm)];
}

/** x / √max(Σx², 1e-7) along logical `axis` (tfjs-layers l2Normalize). */
function l2Normalize(c: LoweringCall, v: Value, axis: number): Value {
  const ss = c.g.op('ReduceSumSquare', [v.name], { axes: attr.ints([physicalAxis(v, axis)]), keepdims: attr.int(1) });
  const norm = c.g.op('Sqrt', [c.g.op('Max', [ss, c.g.scalar(1e-7, 'eps')])]);
  return { ...v, name: c.g.op('Div', [v.name, norm]) };
}

function lowerDot(c: LoweringCall): Value[] {
  if (c.inputs.length !== 2) throw new OnnxExportError(`exportOnnx: ${c.where}: Dot needs two inputs.`);
  let [a, b] = c.inputs as [Value, Value];
  const rank = a.shape.length;
  if (b.shape.length !== rank || (rank !== 2 && rank !== 3)) {
    throw new OnnxExportError(`exportOnnx: ${c.where}: Dot is supported for two rank-2 or two rank-3 inputs, got [${a.shape}] and [${b.shape}].`);
  }
  const axesCfg = c.config['axes'];
  const axes = (Array.isArray(axesCfg) ? axesCfg : [axesCfg, axesCfg]).map((x) => ((Number(x) % rank) + rank) % rank) as [number, number];
  if (c.config['normalize'] === true) {
    a = l2Normalize(c, a, axes[0]);
    b = l2Normalize(c, b, axes[1]);
  }
  if (rank === 2) {
    const A = c.g.logical(a);
    const B = c.g.logical(b);
    const y = c.g.op('ReduceSum', [c.g.op('Mul', [A.name, B.name]), c.g.int64s([1], 'axes')], { keepdims: attr.int(1) });
    return [out(outShape(c), y, identityPerm(2))];
  }
  // batchDot: contract a's axis against b's axis → [B, rest(a), rest(b)].
  const A = c.g.toPerm(a, [0, 3 - axes[0], axes[0]]);
  const B = c.g.toPerm(b, [0, axes[1], 3 - axes[1]]);
  return [out(outShape(c), c.g.op('MatMul', [A.name, B.name]), identityPerm(3))];
}

// ---- recurrent ------------------------------------------------------------------------------------

interface RnnSpec {
  op: 'LSTM' | 'GRU' | 'RNN';
  gates: number;
  /** TF gate order → ONNX gate order (indices into TF's gate blocks). */
  order: number[];
}

const RNN_SPECS: Record<string, RnnSpec> = {
  // Keras packs LSTM gates i, f, c(candidate), o; ONNX wants i, o, f, c.
  LSTM: { op: 'LSTM', gates: 4, order: [0, 3, 1, 2] },
  // Both pack GRU gates z (update), r (reset), h (candidate).
  GRU: { op: 'GRU', gates: 3, order: [0, 1, 2] },
  SimpleRNN: { op: 'RNN', gates: 1, order: [0] },
};

/** [rows, gates·H] in TF gate order → [gates·H, rows] in ONNX gate order. */
function gateMatrix(w: WeightData, spec: RnnSpec, units: number): Float32Array {
  const rows = w.shape[0] as number;
  const cols = spec.gates * units;
  const outData = new Float32Array(cols * rows);
  spec.order.forEach((tfGate, onnxGate) => {
    for (let u = 0; u < units; u++) {
      const src = tfGate * units + u;
      const dst = onnxGate * units + u;
      for (let r = 0; r < rows; r++) outData[dst * rows + r] = w.data[r * cols + src] as number;
    }
  });
  return outData;
}

function gateBias(b: WeightData | null, spec: RnnSpec, units: number): Float32Array {
  const outData = new Float32Array(2 * spec.gates * units); // [Wb, Rb]; TF has one bias, put in Wb
  if (!b) return outData;
  spec.order.forEach((tfGate, onnxGate) => {
    outData.set(b.data.subarray(tfGate * units, (tfGate + 1) * units), onnxGate * units);
  });
  return outData;
}

interface RnnCellInfo {
  spec: RnnSpec;
  units: number;
  W: Float32Array;
  R: Float32Array;
  B: Float32Array;
  inputDim: number;
  acts: ReturnType<typeof rnnActivation>[];
  config: Record<string, unknown>;
}

function rnnCell(layer: tf.layers.Layer, where: string): RnnCellInfo {
  const className = layer.getClassName();
  const spec = RNN_SPECS[className];
  if (!spec) throw new OnnxExportError(`exportOnnx: ${where}: recurrent layer class '${className}' is not supported.`);
  const config = layer.getConfig() as Record<string, unknown>;
  if (config['stateful'] === true) throw new OnnxExportError(`exportOnnx: ${where}: stateful RNNs are not supported.`);
  if (config['resetAfter'] === true) throw new OnnxExportError(`exportOnnx: ${where}: GRU resetAfter = true is not supported.`);
  const units = Number(config['units']);
  const kernel = readWeight(layer, 'kernel', where);
  const recurrent = readWeight(layer, 'recurrent_kernel', where);
  const bias = config['useBias'] === false ? null : readWeight(layer, 'bias', where, true);
  const act = rnnActivation(config['activation'] ?? 'tanh', where);
  const acts =
    spec.op === 'RNN' ? [act] : spec.op === 'GRU' ? [rnnActivation(config['recurrentActivation'], where), act] : [rnnActivation(config['recurrentActivation'], where), act, act];
  return {
    spec,
    units,
    W: gateMatrix(kernel, spec, units),
    R: gateMatrix(recurrent, spec, units),
    B: gateBias(bias, spec, units),
    inputDim: kernel.shape[0] as number,
    acts,
    config,
  };
}

/** Reverses the time axis (physical axis 0) of an ONNX tensor. */
function reverseTime(g: GraphBuilder, name: string): string {
  return g.op('Slice', [name, g.int64s([-1], 'starts'), g.int64s([-INT64_MAX], 'ends'), g.int64s([0], 'axes'), g.int64s([-1], 'steps')]);
}

function lowerRnn(c: LoweringCall): Value[] {
  if (c.inputs.length !== 1) throw new OnnxExportError(`exportOnnx: ${c.where}: initial states as inputs are not supported.`);
  const cell = rnnCell(c.layer, c.where);
  const x = c.g.toPerm(single(c), [1, 0, 2]); // ONNX wants [T, N, F]
  const H = cell.units;
  const G = cell.spec.gates;
  const backwards = cell.config['goBackwards'] === true;
  const outs = c.g.node(
    cell.spec.op,
    [x.name, c.g.floats(cell.W, [1, G * H, cell.inputDim], 'W'), c.g.floats(cell.R, [1, G * H, H], 'R'), c.g.floats(cell.B, [1, 2 * G * H], 'B')],
    { hidden_size: attr.int(H), direction: attr.string(backwards ? 'reverse' : 'forward'), ...rnnActivationAttrs(cell.acts) },
    cell.spec.op === 'LSTM' ? 3 : 2,
  );
  const [Y, Yh, Yc] = outs as [string, string, string?];
  const results: Value[] = [];
  if (cell.config['returnSequences'] === true) {
    let seq = c.g.op('Squeeze', [Y, c.g.int64s([1], 'axes')]); // [T, N, H]
    // TF's goBackwards returns outputs in processing order; ONNX 'reverse' returns them in time order.
    if (backwards) seq = reverseTime(c.g, seq);
    results.push(out(outShape(c, 0), seq, [1, 0, 2]));
  } else {
    results.push(out(outShape(c, 0), c.g.op('Squeeze', [Yh, c.g.int64s([0], 'axes')]), identityPerm(2)));
  }
  if (cell.config['returnState'] === true) {
    results.push(out(outShape(c, 1), c.g.op('Squeeze', [Yh, c.g.int64s([0], 'axes')]), identityPerm(2)));
    if (Yc) results.push(out(outShape(c, 2), c.g.op('Squeeze', [Yc, c.g.int64s([0], 'axes')]), identityPerm(2)));
  }
  return results;
}

function lowerBidirectional(c: LoweringCall): Value[] {
  if (c.inputs.length !== 1) throw new OnnxExportError(`exportOnnx: ${c.where}: initial states as inputs are not supported.`);
  const bi = c.layer as unknown as { forwardLayer: tf.layers.Layer; backwardLayer: tf.layers.Layer };
  const fwd = rnnCell(bi.forwardLayer, c.where);
  const bwd = rnnCell(bi.backwardLayer, c.where);
  if (fwd.spec !== bwd.spec || fwd.config['returnState'] === true) {
    throw new OnnxExportError(`exportOnnx: ${c.where}: only Bidirectional wrappers of one LSTM/GRU/SimpleRNN without returnState are supported.`);
  }
  const mergeMode = c.config['mergeMode'] ?? 'concat';
  const H = fwd.units;
  const G = fwd.spec.gates;
  const cat = (a: Float32Array, b: Float32Array): Float32Array => {
    const r = new Float32Array(a.length + b.length);
    r.set(a);
    r.set(b, a.length);
    return r;
  };
  const x = c.g.toPerm(single(c), [1, 0, 2]);
  const outs = c.g.node(
    fwd.spec.op,
    [
      x.name,
      c.g.floats(cat(fwd.W, bwd.W), [2, G * H, fwd.inputDim], 'W'),
      c.g.floats(cat(fwd.R, bwd.R), [2, G * H, H], 'R'),
      c.g.floats(cat(fwd.B, bwd.B), [2, 2 * G * H], 'B'),
    ],
    { hidden_size: attr.int(H), direction: attr.string('bidirectional'), ...rnnActivationAttrs([...fwd.acts, ...bwd.acts]) },
    2,
  );
  const [Y, Yh] = outs as [string, string];
  const seqs = fwd.config['returnSequences'] === true;
  // Y: [T, 2, N, H] (TF.js reverses the backward sequence back to time order, as ONNX returns it); Y_h: [2, N, H].
  const dirAxis = seqs ? 1 : 0;
  const src = seqs ? Y : Yh;
  const perm = seqs ? [1, 0, 2] : identityPerm(2);
  if (mergeMode === 'concat') {
    const moved = c.g.op('Transpose', [src], { perm: attr.ints(seqs ? [0, 2, 1, 3] : [1, 0, 2]) });
    const y = c.g.op('Reshape', [moved, c.g.int64s(seqs ? [0, 0, 2 * H] : [0, 2 * H], 'shape')]);
    return [out(outShape(c), y, perm)];
  }
  const axes = c.g.int64s([dirAxis], 'axes');
  if (mergeMode === 'sum') return [out(outShape(c), c.g.op('ReduceSum', [src, axes], { keepdims: attr.int(0) }), perm)];
  if (mergeMode === 'ave') return [out(outShape(c), c.g.op('ReduceMean', [src], { axes: attr.ints([dirAxis]), keepdims: attr.int(0) }), perm)];
  if (mergeMode === 'mul') {
    const [f, b] = c.g.node('Split', [src], { axis: attr.int(dirAxis) }, 2) as [string, string];
    return [out(outShape(c), c.g.op('Squeeze', [c.g.op('Mul', [f, b]), axes]), perm)];
  }
  throw new OnnxExportError(`exportOnnx: ${c.where}: mergeMode '${String(mergeMode)}' is not supported (concat, sum, ave, mul).`);
}

function lowerTimeDistributed(c: LoweringCall): Value[] {
  const inner = (c.layer as unknown as { layer: tf.layers.Layer }).layer;
  const x = c.g.logical(single(c));
  const target = outShape(c);
  const T = x.shape[1];
  if (T == null || target.slice(2).some((d) => d == null) || x.shape.slice(2).some((d) => d == null)) {
    throw new OnnxExportError(`exportOnnx: ${c.where}: TimeDistributed needs known time and feature sizes.`);
  }
  const folded: Value = {
    ...x,
    name: c.g.op('Reshape', [x.name, c.g.int64s([-1, ...(x.shape.slice(2) as number[])], 'shape')]),
    shape: [null, ...x.shape.slice(2)],
    perm: identityPerm(x.shape.length - 1),
  };
  const [y] = c.lowerInner(inner, [folded], [[null, ...target.slice(2)]]);
  if (!y) throw new OnnxExportError(`exportOnnx: ${c.where}: the wrapped layer returned nothing.`);
  const yl = c.g.logical(y);
  const unfolded = c.g.op('Reshape', [yl.name, c.g.int64s([-1, T, ...(target.slice(2) as number[])], 'shape')]);
  return [out(target, unfolded, identityPerm(target.length))];
}

const identityLayer: Lowering = (c) => [{ ...single(c), shape: outShape(c) }];

/** Built-in lowerings by tfjs-layers class name. */
export const LOWERINGS: Readonly<Record<string, Lowering>> = {
  Dense: lowerDense,
  Conv1D: lowerConv,
  Conv2D: lowerConv,
  Conv2DTranspose: lowerConv2dTranspose,
  DepthwiseConv2D: (c) => lowerDepthwise(c, false),
  SeparableConv2D: (c) => lowerDepthwise(c, true),
  BatchNormalization: lowerBatchNorm,
  LayerNormalization: lowerLayerNorm,
  Activation: lowerActivationLayer,
  ReLU: lowerReLU,
  LeakyReLU: (c) => unary(c, 'LeakyRelu', { alpha: attr.float(Number(c.config['alpha'] ?? 0.3)) }),
  ELU: (c) => unary(c, 'Elu', { alpha: attr.float(Number(c.config['alpha'] ?? 1)) }),
  ThresholdedReLU: (c) => unary(c, 'ThresholdedRelu', { alpha: attr.float(Number(c.config['theta'] ?? 1)) }),
  Softmax: lowerSoftmaxLayer,
  PReLU: lowerPReLU,
  MaxPooling1D: (c) => lowerPool(c, 'MaxPool'),
  MaxPooling2D: (c) => lowerPool(c, 'MaxPool'),
  AveragePooling1D: (c) => lowerPool(c, 'AveragePool'),
  AveragePooling2D: (c) => lowerPool(c, 'AveragePool'),
  GlobalAveragePooling1D: (c) => lowerGlobalPool(c, 'ReduceMean'),
  GlobalAveragePooling2D: (c) => lowerGlobalPool(c, 'ReduceMean'),
  GlobalMaxPooling1D: (c) => lowerGlobalPool(c, 'ReduceMax'),
  GlobalMaxPooling2D: (c) => lowerGlobalPool(c, 'ReduceMax'),
  UpSampling2D: lowerUpSampling2d,
  Rescaling: lowerRescaling,
  Embedding: lowerEmbedding,
  LSTM: lowerRnn,
  GRU: lowerRnn,
  SimpleRNN: lowerRnn,
  Bidirectional: lowerBidirectional,
  TimeDistributed: lowerTimeDistributed,
  Add: (c) => lowerMerge(c, c.inputs.length > 2 ? 'Sum' : 'Add'),
  Multiply: (c) => lowerMerge(c, 'Mul'),
  Average: (c) => lowerMerge(c, 'Mean'),
  Maximum: (c) => lowerMerge(c, 'Max'),
  Minimum: (c) => lowerMerge(c, 'Min'),
  Concatenate: lowerConcatenate,
  Dot: lowerDot,
  Flatten: lowerFlatten,
  Reshape: lowerReshape,
  Permute: lowerPermute,
  RepeatVector: lowerRepeatVector,
  ZeroPadding2D: lowerZeroPadding2d,
  Cropping2D: lowerCropping2d,
  Dropout: identityLayer,
  SpatialDropout1D: identityLayer,
  GaussianNoise: identityLayer,
  GaussianDropout: identityLayer,
  AlphaDropout: identityLayer,
};
