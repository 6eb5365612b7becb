// Convolution kernels of the 'onnx' backend (NHWC, float32); anything else goes to the cpu kernel.
import * as tf from '@tensorflow/tfjs';
import {
  convForwardGraph,
  filterGradGraph,
  filterGradMethod,
  geometryKey,
  geometryOf,
  inputGradGraph,
  type ConvForwardOptions,
  type ConvGeometry,
  type FusedActivation,
  type TfConvInfo,
} from './conv-graphs.js';
import { cpuKernel, type KernelFn, type OnnxCpuBackend } from './onnx-backend.js';
import type { GraphBuilder } from './graph-builder.js';
import { BackendError } from '../errors.js';
import { NATIVE_ACTIVATION } from './native.js';

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

interface ConvAttrs {
  strides: number | [number, number];
  pad: Pad;
  dilations?: number | [number, number];
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation?: FusedActivation;
  leakyreluAlpha?: number;
  inputShape?: number[];
  filterShape?: number[];
}

function isNhwcFloat(attrs: ConvAttrs, ...ts: Array<tf.TensorInfo | undefined>): boolean {
  return (attrs.dataFormat ?? 'NHWC') === 'NHWC' && ts.every((t) => t === undefined || (t.dtype === 'float32' && tf.util.sizeFromShape(t.shape) > 0));
}

function geometry(xShape: readonly number[], filterShape: readonly number[], attrs: ConvAttrs, depthwise: boolean): ConvGeometry {
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad as 'same',
    attrs.dimRoundingMode,
    depthwise,
    'channelsLast',
  );
  return geometryOf(info as unknown as TfConvInfo, depthwise);
}

/** Multiply-adds of a convolution (its gradients cost the same). */
function convMacs(g: ConvGeometry): number {
  return g.n * g.outH * g.outW * g.outC * g.kH * g.kW * (g.depthwise ? 1 : g.inC);
}

/** Runs one cached graph on float32 inputs and returns its single output as a new tensor. */
export function runGraph(
  backend: OnnxCpuBackend,
  key: string,
  build: () => ReturnType<GraphBuilder['build']>,
  inputs: readonly tf.TensorInfo[],
  outShape: readonly number[],
  work: number,
): tf.TensorInfo {
  const rt = backend.runtime;
  const session = rt.session(key, build, work);
  // ONNX Runtime's threads are about to need the cores that the native pool's workers poll on.
  if (session.parallel) backend.native?.park();
  const out = backend.alloc(tf.util.sizeFromShape([...outShape]));
  rt.run(
    session,
    inputs.map((t) => ({ data: backend.f32(t), dims: t.shape })),
    [{ data: out, dims: outShape }],
  );
  // ... and the pool's workers poll again before the next native kernel needs them.
  if (session.parallel) backend.native?.wake();
  return backend.out(outShape, out);
}

/** The geometry as native/kernels.cc reads it. */
function nativeGeometry(geo: ConvGeometry): number[] {
  return [geo.n, geo.inH, geo.inW, geo.inC, geo.outH, geo.outW, geo.outC, geo.kH, geo.kW, geo.sH, geo.sW, geo.dH, geo.dW, geo.top, geo.left];
}

/**
 * Whether a convolution's forward pass or input gradient runs in the native kernels rather than
 * ONNX Runtime. The native direct convolution keeps a tap's whole [inC, outC] weight block close
 * (L1) and wins up to 32x32 channels and wherever few channels leave ONNX Runtime's NCHWc kernels
 * padding to 16-channel blocks; wider layers stay in ONNX Runtime. Measured through TF.js (2 threads,
 * bench/_conv-style timings, ms, native vs ONNX Runtime): forward 32→32 dilated at batch 16, 64x64
 * 4.2 vs 5.7; 1→32 0.7 vs 2.0; 32→1 1.4 vs 4.3; 3→32 at batch 32, 32x32 1.8 vs 2.1; but 32→64 at
 * 16x16 4.3 vs 1.5 and 128→128 8.8 vs 3.8. Input gradients: 32→32 4.1 vs 5.7, 32→1 1.2 vs 2.3;
 * towards few channels (1←32) 13 natively, so those stay in ONNX Runtime.
 */
export function useNativeConv(geo: ConvGeometry, pass: 'forward' | 'input-grad'): boolean {
  if (geo.depthwise) return false;
  const small = geo.inC * geo.outC <= 1024;
  if (pass === 'forward') return small || geo.inC < 16 || geo.outC < 16;
  return geo.inC >= 16 && (small || geo.outC < 16);
}

function forward(name: string, depthwise: boolean): KernelFn {
  const fallback = cpuKernel(name);
  return (args) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const attrs = args.attrs as unknown as ConvAttrs;
    if (!x || !filter || !isNhwcFloat(attrs, x, filter, bias, preluActivationWeights)) return fallback(args);
    const backend = args.backend as OnnxCpuBackend;
    const geo = geometry(x.shape, filter.shape, attrs, depthwise);
    const act = NATIVE_ACTIVATION[attrs.activation ?? 'linear'];
    if (backend.native && useNativeConv(geo, 'forward') && act !== undefined && !preluActivationWeights) {
      const y = backend.alloc(geo.n * geo.outH * geo.outW * geo.outC);
      backend.native.convForward(backend.f32(x), backend.f32(filter), bias ? backend.f32(bias) : null, y, nativeGeometry(geo), act, attrs.leakyreluAlpha ?? 0.2, backend.nativeThreads());
      return backend.out([geo.n, geo.outH, geo.outW, geo.outC], y);
    }
    const block = backend.runtime.blockSize();
    const opts: ConvForwardOptions = {
      bias: bias ? bias.shape : null,
      activation: attrs.activation ?? 'linear',
      prelu: preluActivationWeights ? preluActivationWeights.shape : null,
      leakyAlpha: attrs.leakyreluAlpha ?? 0.2,
    };
    const key = `conv:${geometryKey(geo)}:${block}:${opts.bias?.join('x') ?? '-'}:${opts.activation}:${opts.prelu?.join('x') ?? '-'}:${opts.leakyAlpha}`;
    const ins = [x, filter, ...(bias ? [bias] : []), ...(preluActivationWeights ? [preluActivationWeights] : [])];
    return runGraph(backend, key, () => convForwardGraph(geo, block, opts), ins, [geo.n, geo.outH, geo.outW, geo.outC], convMacs(geo));
  };
}

/** The cpu kernels have no `dilations` for backprops: refuse rather than silently ignore it. */
function undilatedFallback(name: string): KernelFn {
  const cpu = cpuKernel(name);
  return (args) => {
    const d = (args.attrs as unknown as ConvAttrs).dilations ?? 1;
    if ((Array.isArray(d) ? d : [d, d]).some((v) => v !== 1)) {
      throw new BackendError(`onnx backend: ${name} with dilations ${String(d)} needs NHWC float32 tensors (dataFormat and dtypes given: ${(args.attrs as unknown as ConvAttrs).dataFormat ?? 'NHWC'}, ${Object.values(args.inputs).map((t) => t?.dtype).join(', ')}).`);
    }
    return cpu(args);
  };
}

function inputGrad(name: string, depthwise: boolean): KernelFn {
  const fallback = undilatedFallback(name);
  return (args) => {
    const { dy, filter } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const attrs = args.attrs as unknown as ConvAttrs;
    if (!dy || !filter || !attrs.inputShape || !isNhwcFloat(attrs, dy, filter)) return fallback(args);
    const backend = args.backend as OnnxCpuBackend;
    const geo = geometry(attrs.inputShape, filter.shape, attrs, depthwise);
    if (backend.native && useNativeConv(geo, 'input-grad')) {
      const dx = backend.alloc(geo.n * geo.inH * geo.inW * geo.inC);
      backend.native.convInputGrad(backend.f32(dy), backend.f32(filter), dx, nativeGeometry(geo), backend.nativeThreads());
      return backend.out([geo.n, geo.inH, geo.inW, geo.inC], dx);
    }
    const block = backend.runtime.blockSize();
    return runGraph(backend, `dx:${geometryKey(geo)}:${block}`, () => inputGradGraph(geo, block), [dy, filter], [geo.n, geo.inH, geo.inW, geo.inC], convMacs(geo));
  };
}

/** Multiply-adds from which a batched filter gradient runs on ONNX Runtime's threads. */
export const FILTER_GRAD_PARALLEL_MIN_MACS = 1 << 26;

function filterGrad(name: string, depthwise: boolean): KernelFn {
  const fallback = undilatedFallback(name);
  return (args) => {
    const { x, dy } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const attrs = args.attrs as unknown as ConvAttrs;
    if (!x || !dy || !attrs.filterShape || !isNhwcFloat(attrs, x, dy)) return fallback(args);
    const backend = args.backend as OnnxCpuBackend;
    const geo = geometry(x.shape, attrs.filterShape, attrs, depthwise);
    if (backend.native && !depthwise) {
      // core-train's native kernel (native/kernels.cc): reads x and dy in place, no per-tap copies.
      // Measured 32→32 at batch 16, 64x64, dilation 2 (2 threads): 3.7 ms against 17 ms as the
      // batched ONNX graph below; 32→1 0.44 against 3.6 ms.
      const dw = backend.alloc(tf.util.sizeFromShape(attrs.filterShape));
      backend.native.filterGrad(backend.f32(x), backend.f32(dy), dw, nativeGeometry(geo), backend.nativeThreads());
      return backend.out(attrs.filterShape, dw);
    }
    // Only the batched formulation gains from threads (MLAS splits its batch), and only when large:
    // measured 2 threads vs 1, 32→32 at batch 16, 64x64: 15.2 vs 20.7 ms; 16→8 at batch 16, 48x48
    // (42M multiply-adds): 5.2 vs 4.5 ms. The others run on one thread (work 0): their Gemms have a
    // small output that MLAS does not split, and their slices are copies.
    const macs = convMacs(geo);
    const work = filterGradMethod(geo) === 'batched' && macs >= FILTER_GRAD_PARALLEL_MIN_MACS ? macs : 0;
    return runGraph(backend, `dw:${geometryKey(geo)}`, () => filterGradGraph(geo), [x, dy], attrs.filterShape, work);
  };
}

/**
 * The convolution kernels of the 'onnx' backend. Conv2DBackpropInput/Filter and the depthwise
 * backprops also honour a `dilations` attribute (TF.js's own kernels have none; the dilated-conv
 * gradients of ./gradients.ts pass it to this backend).
 */
export function convKernels(): Record<string, KernelFn> {
  return {
    Conv2D: forward('Conv2D', false),
    FusedConv2D: forward('FusedConv2D', false),
    DepthwiseConv2dNative: forward('DepthwiseConv2dNative', true),
    FusedDepthwiseConv2D: forward('FusedDepthwiseConv2D', true),
    Conv2DBackpropInput: inputGrad('Conv2DBackpropInput', false),
    Conv2DBackpropFilter: filterGrad('Conv2DBackpropFilter', false),
    DepthwiseConv2dNativeBackpropInput: inputGrad('DepthwiseConv2dNativeBackpropInput', true),
    DepthwiseConv2dNativeBackpropFilter: filterGrad('DepthwiseConv2dNativeBackpropFilter', true),
  };
}
