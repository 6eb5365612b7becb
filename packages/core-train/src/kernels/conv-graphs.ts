// ONNX graphs for TF.js's NHWC convolutions and their gradients, one per (op, shapes, attributes).
//
// Layouts: TF.js keeps activations NHWC and filters HWIO ([kh, kw, in, out]; depthwise [kh, kw, in,
// multiplier]). ONNX Runtime's fastest CPU convolution is MLAS's NCHWc ("com.microsoft.nchwc" domain:
// ReorderInput → Conv → ReorderOutput), which its optimizer only uses for filters that are constant
// initializers. Filters change every training step, so the graphs here use the NCHWc operators
// directly and reorder the filter inside the graph (a Reshape/Transpose of a few KB) into the layouts
// MLAS expects: OIHWBiBo (blocks of B input × B output channels) or OIHWBo (blocks of B output
// channels, for inputs of fewer than B channels and for depthwise filters), B being the CPU's block
// size (OrtRuntime.blockSize()). ReorderInput/ReorderOutput read and write NHWC directly
// (channels_last = 1), so no separate transposes surround the convolution. Other shapes use the
// standard ONNX Conv / ConvTranspose between NHWC↔NCHW transposes.
//
// Gradients: the input gradient of a stride-1 convolution is a convolution of dy with the filter
// flipped spatially and its in/out axes swapped (so it takes the NCHWc path too); with strides > 1 it
// is a ConvTranspose. The filter gradient is a sum over kernel taps of (strided slice of padded x)ᵀ·dy,
// i.e. one GEMM per tap (see filterGradGraph for the measured alternatives).
import { attr } from '../onnx/proto.js';
import { GraphBuilder } from './graph-builder.js';
import { NCHWC } from './ort.js';
import type { ConvGeometry } from './conv-geometry.js';
import { BackendError } from '../errors.js';

export { geometryKey, geometryOf, type ConvGeometry, type TfConvInfo } from './conv-geometry.js';

/** TF.js fused activations (FusedConv2D, _FusedMatMul attrs.activation). */
export type FusedActivation = 'linear' | 'relu' | 'relu6' | 'prelu' | 'leakyrelu' | 'elu' | 'sigmoid';

/** Options of the forward graph: what else the TF.js kernel fuses into the convolution. */
export interface ConvForwardOptions {
  /** Bias input dims (broadcast to the NHWC output), or null. */
  bias: readonly number[] | null;
  activation: FusedActivation;
  /** PReLU weights dims (broadcast to the output), for activation 'prelu'. */
  prelu: readonly number[] | null;
  leakyAlpha: number;
}

const NO_FUSION: ConvForwardOptions = { bias: null, activation: 'linear', prelu: null, leakyAlpha: 0.2 };

/** Appends TF.js's fused activation to `y` (NHWC). */
export function emitActivation(g: GraphBuilder, y: string, opts: ConvForwardOptions, preluName?: string): string {
  switch (opts.activation) {
    case 'linear':
      return y;
    case 'relu':
      return g.op('Relu', [y]);
    case 'relu6':
      return g.op('Clip', [y, g.f32([0], []), g.f32([6], [])]);
    case 'leakyrelu':
      return g.op('LeakyRelu', [y], { alpha: attr.float(opts.leakyAlpha) });
    case 'elu':
      return g.op('Elu', [y], { alpha: attr.float(1) });
    case 'sigmoid':
      return g.op('Sigmoid', [y]);
    case 'prelu':
      if (!preluName) throw new BackendError("emitActivation: activation 'prelu' needs its weights input. Value: none.");
      return g.op('PRelu', [y, preluName]);
  }
}

/** Crops trailing input rows/columns that no output reads (negative bottom/right pads). */
function cropInput(g: GraphBuilder, x: string, geo: ConvGeometry): { x: string; bottom: number; right: number } {
  const cropH = Math.max(0, -geo.bottom);
  const cropW = Math.max(0, -geo.right);
  if (cropH === 0 && cropW === 0) return { x, bottom: geo.bottom, right: geo.right };
  return { x: g.slice(x, [0, 0], [geo.inH - cropH, geo.inW - cropW], [1, 2]), bottom: Math.max(0, geo.bottom), right: Math.max(0, geo.right) };
}

function roundUp(x: number, b: number): number {
  return Math.ceil(x / b) * b;
}

/** Which convolution implementation a geometry takes (reported by tests and the benchmark). */
export type ConvPath = 'nchwc' | 'nchwc-nchw-input' | 'nchwc-depthwise' | 'onnx-conv' | 'narrow-gemm';

/**
 * Picks the convolution path for a forward convolution. NCHWc needs whole blocks of input channels
 * (or fewer input channels than one block, read from NCHW), and pads output channels up to a block:
 * worth it only when at least half a block of output channels is real.
 */
export function convPath(geo: ConvGeometry, block: number): ConvPath {
  if (geo.depthwise) return geo.multiplier === 1 && geo.inC % block === 0 ? 'nchwc-depthwise' : 'onnx-conv';
  if (geo.sH === 1 && geo.sW === 1 && geo.outC * 4 <= geo.inC && geo.kH * geo.kW * geo.outC <= 64) return 'narrow-gemm';
  if (geo.outC * 2 < block) return 'onnx-conv';
  if (geo.inC % block === 0) return 'nchwc';
  if (geo.inC < block) return 'nchwc-nchw-input';
  return 'onnx-conv';
}

/**
 * Emits y = act(conv(x, w) + bias) for NHWC `x` and an HWIO (depthwise: [kh, kw, C, m]) filter `w`.
 * Returns the NHWC output value.
 */
export function emitConv(g: GraphBuilder, x0: string, w: string, geo: ConvGeometry, block: number, opts: ConvForwardOptions = NO_FUSION, biasName?: string, preluName?: string): string {
  const { x, bottom, right } = cropInput(g, x0, geo);
  const pads = attr.ints([geo.top, geo.left, bottom, right]);
  const common = {
    kernel_shape: attr.ints([geo.kH, geo.kW]),
    strides: attr.ints([geo.sH, geo.sW]),
    dilations: attr.ints([geo.dH, geo.dW]),
    pads,
  };
  const path = convPath(geo, block);
  const biasIsVector = opts.bias !== null && opts.bias.reduce((a, b) => a * b, 1) === geo.outC && opts.bias[opts.bias.length - 1] === geo.outC;
  let y: string;
  if (path === 'narrow-gemm') {
    y = emitNarrowConv(g, x0, w, geo);
    if (opts.bias !== null && biasName) y = g.op('Add', [y, biasName]);
    return emitActivation(g, y, opts, preluName);
  }
  if (path === 'onnx-conv') {
    const group = geo.depthwise ? geo.inC : 1;
    // ONNX filter [out, in/group, kh, kw]; depthwise output channel c·m + j, as TF.js.
    const wOihw = geo.depthwise
      ? g.reshape(g.transpose(g.reshape(w, [geo.kH, geo.kW, geo.outC]), [2, 0, 1]), [geo.outC, 1, geo.kH, geo.kW])
      : g.transpose(w, [3, 2, 0, 1]);
    const convIns = [g.transpose(x, [0, 3, 1, 2]), wOihw];
    if (biasIsVector && biasName) convIns.push(opts.bias!.length === 1 ? biasName : g.reshape(biasName, [geo.outC]));
    const yc = g.op('Conv', convIns, { ...common, group: attr.int(group) });
    y = g.transpose(yc, [0, 2, 3, 1]);
  } else {
    const outP = roundUp(geo.outC, block);
    const padOut = outP - geo.outC;
    let xb: string;
    let wb: string;
    let group = 1;
    if (path === 'nchwc') {
      xb = g.op('ReorderInput', [x], { channels_last: attr.int(1) }, NCHWC);
      // OIHWBiBo: [O/B][I/B][kh][kw][Bi][Bo] from HWIO (output channels zero-padded to a block).
      const wp = g.pad(w, [0, 0, 0, 0, 0, 0, 0, padOut]);
      const w6 = g.reshape(wp, [geo.kH, geo.kW, geo.inC / block, block, outP / block, block]);
      wb = g.reshape(g.transpose(w6, [4, 2, 0, 1, 3, 5]), [outP, geo.inC, geo.kH, geo.kW]);
    } else if (path === 'nchwc-nchw-input') {
      xb = g.transpose(x, [0, 3, 1, 2]);
      // OIHWBo: [O/B][I][kh][kw][Bo].
      const wp = g.pad(w, [0, 0, 0, 0, 0, 0, 0, padOut]);
      const w5 = g.reshape(wp, [geo.kH, geo.kW, geo.inC, outP / block, block]);
      wb = g.reshape(g.transpose(w5, [3, 2, 0, 1, 4]), [outP, geo.inC, geo.kH, geo.kW]);
    } else {
      group = geo.inC;
      xb = g.op('ReorderInput', [x], { channels_last: attr.int(1) }, NCHWC);
      const w4 = g.reshape(w, [geo.kH, geo.kW, geo.inC / block, block]);
      wb = g.reshape(g.transpose(w4, [2, 0, 1, 3]), [geo.inC, 1, geo.kH, geo.kW]);
    }
    const convIns = [xb, wb];
    if (biasIsVector && biasName) {
      const b1 = opts.bias!.length === 1 ? biasName : g.reshape(biasName, [geo.outC]);
      convIns.push(g.pad(b1, [0, padOut]));
    }
    const nchwcAttrs = { ...common, group: attr.int(group), ...(opts.activation === 'relu' && (biasIsVector || opts.bias === null) ? { activation: attr.string('Relu') } : {}) };
    const yb = g.op('Conv', convIns, nchwcAttrs, NCHWC);
    y = g.op('ReorderOutput', [yb], { channels: attr.int(geo.outC), channels_last: attr.int(1) }, NCHWC);
    if ('activation' in nchwcAttrs) return y;
  }
  if (opts.bias !== null && !biasIsVector && biasName) y = g.op('Add', [y, biasName]);
  return emitActivation(g, y, opts, preluName);
}

/**
 * A stride-1 convolution with few output channels (e.g. a 32→1 output layer), where NCHWc would pad
 * the output channels up to a block and plain Conv builds a full im2col buffer: first contract the
 * channels for every tap at once, Z = x · W ([N·H·W, taps·out], one Gemm that reads x once and
 * writes a narrow result), then y[n, i, j] = Σ_k Zpad[k, n, i + kh·d, j + kw·d] — shifted slices of
 * the small, padded Z summed. Measured for 32→1 at batch 16, 64x64 (one thread): 5.7 ms as a plain
 * Conv, 6.2 ms when x itself was padded and sliced.
 */
function emitNarrowConv(g: GraphBuilder, x0: string, w: string, geo: ConvGeometry): string {
  const { x, bottom, right } = cropInput(g, x0, geo);
  const inH = geo.inH - Math.max(0, -geo.bottom);
  const inW = geo.inW - Math.max(0, -geo.right);
  const taps = geo.kH * geo.kW;
  const wr = g.reshape(g.transpose(g.reshape(w, [taps, geo.inC, geo.outC]), [1, 0, 2]), [geo.inC, taps * geo.outC]);
  const z = g.op('MatMul', [g.reshape(x, [geo.n * inH * inW, geo.inC]), wr]);
  const zc = g.transpose(g.reshape(z, [geo.n, inH, inW, taps * geo.outC]), [3, 0, 1, 2]); // [taps·out, N, H, W]
  const zp = g.pad(zc, [0, 0, geo.top, geo.left, 0, 0, bottom, right]);
  const parts: string[] = [];
  for (let kh = 0; kh < geo.kH; kh++) {
    for (let kw = 0; kw < geo.kW; kw++) {
      const c0 = (kh * geo.kW + kw) * geo.outC;
      const h0 = kh * geo.dH;
      const w0 = kw * geo.dW;
      parts.push(g.slice(zp, [c0, h0, w0], [c0 + geo.outC, h0 + geo.outH, w0 + geo.outW], [0, 2, 3]));
    }
  }
  const sum = parts.length === 1 ? parts[0]! : g.op('Sum', parts);
  return g.transpose(sum, [1, 2, 3, 0]);
}

/** Forward convolution graph: inputs x (NHWC), w, [bias], [prelu weights]; output y (NHWC). */
export function convForwardGraph(geo: ConvGeometry, block: number, opts: ConvForwardOptions = NO_FUSION): ReturnType<GraphBuilder['build']> {
  const g = new GraphBuilder();
  const x = g.input([geo.n, geo.inH, geo.inW, geo.inC]);
  const w = g.input(geo.depthwise ? [geo.kH, geo.kW, geo.inC, geo.multiplier] : [geo.kH, geo.kW, geo.inC, geo.outC]);
  const bias = opts.bias ? g.input(opts.bias) : undefined;
  const prelu = opts.prelu ? g.input(opts.prelu) : undefined;
  g.output(emitConv(g, x, w, geo, block, opts, bias, prelu), [geo.n, geo.outH, geo.outW, geo.outC]);
  return g.build('conv_forward');
}

/**
 * The geometry of dx = conv(dy, flipped filter) for a stride-1 convolution: pads
 * effective kernel − 1 − pad before, and whatever reproduces the input size after.
 */
function transposedGeometry(geo: ConvGeometry): { geo: ConvGeometry; cropTop: number; cropLeft: number } {
  const effH = (geo.kH - 1) * geo.dH + 1;
  const effW = (geo.kW - 1) * geo.dW + 1;
  let top = effH - 1 - geo.top;
  let left = effW - 1 - geo.left;
  // Padding larger than the dilated kernel: the first outputs read only zeros and their dy is unused.
  const cropTop = Math.max(0, -top);
  const cropLeft = Math.max(0, -left);
  top = Math.max(0, top);
  left = Math.max(0, left);
  const inH = geo.outH - cropTop;
  const inW = geo.outW - cropLeft;
  return {
    cropTop,
    cropLeft,
    geo: {
      ...geo,
      inH,
      inW,
      inC: geo.outC,
      outH: geo.inH,
      outW: geo.inW,
      outC: geo.inC,
      top,
      left,
      bottom: geo.inH - 1 + effH - inH - top,
      right: geo.inW - 1 + effW - inW - left,
      depthwise: geo.depthwise,
      multiplier: 1,
    },
  };
}

/** Input-gradient graph: inputs dy (NHWC), w; output dx (NHWC, the forward input's shape). */
export function inputGradGraph(geo: ConvGeometry, block: number): ReturnType<GraphBuilder['build']> {
  const g = new GraphBuilder();
  const dy = g.input([geo.n, geo.outH, geo.outW, geo.outC]);
  const w = g.input(geo.depthwise ? [geo.kH, geo.kW, geo.inC, geo.multiplier] : [geo.kH, geo.kW, geo.inC, geo.outC]);
  const dxDims = [geo.n, geo.inH, geo.inW, geo.inC];
  const stride1 = geo.sH === 1 && geo.sW === 1;
  if (stride1 && (!geo.depthwise || geo.multiplier === 1)) {
    const t = transposedGeometry(geo);
    const dyc = t.cropTop || t.cropLeft ? g.slice(dy, [t.cropTop, t.cropLeft], [geo.outH, geo.outW], [1, 2]) : dy;
    // Flip kh, kw; swap in/out (depthwise [kh, kw, C, 1] stays [kh, kw, C, 1]).
    const flipped = g.slice(w, [-1, -1], [-(2 ** 53), -(2 ** 53)], [0, 1], [-1, -1]);
    const wT = geo.depthwise ? flipped : g.transpose(flipped, [0, 1, 3, 2]);
    g.output(emitConv(g, dyc, wT, t.geo, block), dxDims);
    return g.build('conv_input_grad');
  }
  // ConvTranspose: W [C_in of the transpose = forward out channels, out/group, kh, kw].
  const group = geo.depthwise ? geo.inC : 1;
  const wT = geo.depthwise
    ? g.reshape(g.transpose(g.reshape(w, [geo.kH, geo.kW, geo.outC]), [2, 0, 1]), [geo.outC, 1, geo.kH, geo.kW])
    : g.transpose(w, [3, 2, 0, 1]);
  const effH = (geo.kH - 1) * geo.dH + 1;
  const effW = (geo.kW - 1) * geo.dW + 1;
  // ConvTranspose output = s·(in − 1) + output_padding + eff − top − bottom; pick bottom (≥ 0) or
  // output_padding (< stride) so that it equals the forward input size.
  const rawBottom = geo.sH * (geo.outH - 1) + effH - geo.top - geo.inH;
  const rawRight = geo.sW * (geo.outW - 1) + effW - geo.left - geo.inW;
  const dxc = g.op(
    'ConvTranspose',
    [g.transpose(dy, [0, 3, 1, 2]), wT],
    {
      kernel_shape: attr.ints([geo.kH, geo.kW]),
      strides: attr.ints([geo.sH, geo.sW]),
      dilations: attr.ints([geo.dH, geo.dW]),
      pads: attr.ints([geo.top, geo.left, Math.max(0, rawBottom), Math.max(0, rawRight)]),
      output_padding: attr.ints([Math.max(0, -rawBottom), Math.max(0, -rawRight)]),
      group: attr.int(group),
    },
  );
  g.output(g.transpose(dxc, [0, 2, 3, 1]), dxDims);
  return g.build('conv_input_grad');
}

/**
 * Per kernel tap (kh-major): the strided Slice of the padded input `xp` that the tap multiplies with
 * dy (rows kh·dH + i·sH, columns kw·dW + j·sW on the spatial `axes`: [1, 2] NHWC, [2, 3] NCHW), passed
 * to `use` at once, so that each tap's ops follow its slice in the graph (one slice alive at a time).
 */
function mapTapSlices(g: GraphBuilder, xp: string, geo: ConvGeometry, axes: [number, number], use: (xs: string) => string): string[] {
  const out: string[] = [];
  for (let kh = 0; kh < geo.kH; kh++) {
    for (let kw = 0; kw < geo.kW; kw++) {
      const h0 = kh * geo.dH;
      const w0 = kw * geo.dW;
      out.push(use(g.slice(xp, [h0, w0], [h0 + (geo.outH - 1) * geo.sH + 1, w0 + (geo.outW - 1) * geo.sW + 1], axes, [geo.sH, geo.sW])));
    }
  }
  return out;
}

/** How {@link filterGradGraph} computes a geometry's filter gradient. */
export type FilterGradMethod = 'depthwise' | 'stacked-taps' | 'shifted-dy' | 'batched';

/** The filter-gradient formulation used for `geo` (see {@link filterGradGraph}). */
export function filterGradMethod(geo: ConvGeometry): FilterGradMethod {
  if (geo.depthwise) return 'depthwise';
  if (geo.sH === 1 && geo.sW === 1 && geo.outC * 4 <= geo.inC && geo.kH * geo.kW * geo.outC <= 64) return 'shifted-dy';
  if (geo.inC <= 4) return 'stacked-taps';
  return 'batched';
}

/**
 * Filter-gradient graph: inputs x (NHWC), dy (NHWC); output dw (HWIO, depthwise [kh, kw, C, m]).
 *
 * dw[kh, kw] = Σ_{n,i,j} xpad[n, i·s + kh·d, j·s + kw·d, :]ᵀ · dy[n, i, j, :], per tap a strided Slice
 * of the padded input times dy. Four formulations (filterGradMethod): 'batched' for ordinary
 * convolutions (filterGradBatched); 'shifted-dy' for few outputs (filterGradShiftDy); 'stacked-taps'
 * for ≤ 4 inputs; depthwise: per tap an elementwise product with dy summed over N, H, W. Measured on
 * the 2-core target at batch 16, 64x64, 32→32 channels (one thread), besides those: one Gemm (transA)
 * per tap over [N·outH·outW, C] 23–25 ms, one Gemm over an im2col Concat of the taps ~80 ms, and a Conv
 * with batch and channels swapped (dy as a 64x64 filter) 41 ms as a plain Conv and 106 ms on the
 * NCHWc kernels.
 */
export function filterGradGraph(geo: ConvGeometry): ReturnType<GraphBuilder['build']> {
  const g = new GraphBuilder();
  const x = g.input([geo.n, geo.inH, geo.inW, geo.inC]);
  const dy = g.input([geo.n, geo.outH, geo.outW, geo.outC]);
  const needH = (geo.kH - 1) * geo.dH + (geo.outH - 1) * geo.sH + 1;
  const needW = (geo.kW - 1) * geo.dW + (geo.outW - 1) * geo.sW + 1;
  const bottom = Math.max(0, needH - geo.inH - geo.top);
  const right = Math.max(0, needW - geo.inW - geo.left);
  const method = filterGradMethod(geo);
  if (method === 'batched') return filterGradBatched(g, x, dy, geo, bottom, right);
  const xp = g.pad(x, [0, geo.top, geo.left, 0, 0, bottom, right, 0]);
  const rows = geo.n * geo.outH * geo.outW;
  const m = geo.multiplier;
  if (method === 'shifted-dy') return filterGradShiftDy(g, xp, dy, geo, needH, needW);
  // Few input channels (e.g. an image's 1–3): each tap's slice, transposed to [C, rows] (small),
  // stacked as rows; one Gemm with dy reads dy once instead of once per tap. Measured for 1→32 at
  // batch 16, 64x64 (one thread): 4.7 ms per tap, 1.6 ms stacked.
  const stack = method === 'stacked-taps';
  const dy2 = geo.depthwise ? (m === 1 ? dy : g.reshape(dy, [geo.n, geo.outH, geo.outW, geo.inC, m])) : g.reshape(dy, [rows, geo.outC]);
  const taps = mapTapSlices(g, xp, geo, [1, 2], (xs) => {
    if (geo.depthwise) {
      const prod = g.op('Mul', [m === 1 ? xs : g.reshape(xs, [geo.n, geo.outH, geo.outW, geo.inC, 1]), dy2]);
      return g.op('ReduceSum', [prod, g.i64([0, 1, 2])], { keepdims: attr.int(0) });
    }
    return geo.inC === 1 ? g.reshape(xs, [1, rows]) : g.transpose(g.reshape(xs, [rows, geo.inC]), [1, 0]);
  });
  let cat = taps.length === 1 ? taps[0]! : g.op('Concat', taps, { axis: attr.int(0) });
  if (stack) cat = g.op('Gemm', [cat, dy2]); // [taps·C, rows] · [rows, outC]
  const dims = geo.depthwise ? [geo.kH, geo.kW, geo.inC, m] : [geo.kH, geo.kW, geo.inC, geo.outC];
  g.output(g.reshape(cat, dims), dims);
  return g.build('conv_filter_grad');
}

/**
 * Filter gradient of an ordinary convolution (more than 4 input channels, not the few-outputs case):
 * x transposed once to NCHW and padded; per tap a strided Slice [N, C, outH, outW] and one batched
 * MatMul [N, C, outH·outW] · [N, outH·outW, outC] (dy's NHWC layout is already [N, outH·outW, outC])
 * summed over N. Neither operand is transposed per tap, and MLAS spreads the batch over threads (the
 * single Gemm over all rows it replaces has a 32×32-sized output, which MLAS does not split).
 * Measured at batch 16, 64x64, 32→32, dilation 2: 23.0 ms per call as that Gemm (one thread), 20.7 ms
 * batched on one thread, 15.2 ms on two; 32→64 at 16x16, batch 32: 4.5 / 4.4 / 3.5 ms.
 */
function filterGradBatched(g: GraphBuilder, x: string, dy: string, geo: ConvGeometry, bottom: number, right: number): ReturnType<GraphBuilder['build']> {
  const xp = g.pad(g.transpose(x, [0, 3, 1, 2]), [0, 0, geo.top, geo.left, 0, 0, bottom, right]); // [N, C, Hp, Wp]
  const hw = geo.outH * geo.outW;
  const dyb = g.reshape(dy, [geo.n, hw, geo.outC]);
  const taps = mapTapSlices(g, xp, geo, [2, 3], (xs) => {
    const prod = g.op('MatMul', [g.reshape(xs, [geo.n, geo.inC, hw]), dyb]); // [N, C, outC]
    return geo.n === 1 ? g.reshape(prod, [geo.inC, geo.outC]) : g.op('ReduceSum', [prod, g.i64([0])], { keepdims: attr.int(0) });
  });
  const dims = [geo.kH, geo.kW, geo.inC, geo.outC];
  g.output(g.reshape(taps.length === 1 ? taps[0]! : g.op('Concat', taps, { axis: attr.int(0) }), dims), dims);
  return g.build('conv_filter_grad');
}

/**
 * Filter gradient for stride-1 convolutions with few output channels (e.g. a 32→1 output layer):
 * rather than one copy of the (wide) input per tap, shift the (narrow) dy. On the padded grid
 * flattened to rows (N·Hp·Wp), tap k is a row offset off_k, and
 * dw[k] = Σ_m xpad[m]ᵀ · dygrid[m − off_k]: the shifted copies of dy, as rows, make one
 * [taps·outC, rows] matrix D and the whole gradient is D · xpad, one Gemm that reads x once with no
 * transposed operand. Measured for 32→1 at batch 16, 64x64 (one thread): 10.5 ms with per-tap slices
 * of x, 5.5 ms with D as columns ([rows, taps·outC], transposed Gemm), 2 ms as rows.
 */
function filterGradShiftDy(g: GraphBuilder, xp0: string, dy: string, geo: ConvGeometry, needH: number, needW: number): ReturnType<GraphBuilder['build']> {
  // The padded input is exactly the grid unless padding exceeds what the taps read (then crop).
  const fits = geo.inH + geo.top + Math.max(0, needH - geo.inH - geo.top) === needH && geo.inW + geo.left + Math.max(0, needW - geo.inW - geo.left) === needW;
  const xp = fits ? xp0 : g.slice(xp0, [0, 0], [needH, needW], [1, 2]);
  const mp = geo.n * needH * needW;
  const xf = g.reshape(xp, [mp, geo.inC]);
  const grid = g.reshape(g.pad(dy, [0, 0, 0, 0, 0, needH - geo.outH, needW - geo.outW, 0]), [mp, geo.outC]);
  const gridT = geo.outC === 1 ? g.reshape(grid, [1, mp]) : g.transpose(grid, [1, 0]); // [outC, rows]
  const maxOff = (geo.kH - 1) * geo.dH * needW + (geo.kW - 1) * geo.dW;
  const shifted = g.pad(gridT, [0, maxOff, 0, 0]);
  const rows: string[] = [];
  for (let kh = 0; kh < geo.kH; kh++) {
    for (let kw = 0; kw < geo.kW; kw++) {
      const off = kh * geo.dH * needW + kw * geo.dW;
      rows.push(g.slice(shifted, [maxOff - off], [maxOff - off + mp], [1]));
    }
  }
  const d = rows.length === 1 ? rows[0]! : g.op('Concat', rows, { axis: attr.int(0) }); // [taps·outC, rows]
  const prod = g.op('Gemm', [d, xf]); // [taps·outC, C]
  const dims = [geo.kH, geo.kW, geo.inC, geo.outC];
  const dw = geo.outC === 1 ? g.reshape(prod, dims) : g.transpose(g.reshape(prod, [geo.kH, geo.kW, geo.outC, geo.inC]), [0, 1, 3, 2]);
  g.output(dw, dims);
  return g.build('conv_filter_grad');
}
