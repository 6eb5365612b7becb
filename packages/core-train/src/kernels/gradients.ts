// Gradients of dilated convolutions on every backend, and the training kernels that wasm lacks.
//
// TF.js refuses the gradient of any convolution with a dilation rate > 1 ("dilation rates greater
// than 1 are not yet supported in gradients"), in four places: the registered gradients of Conv2D and
// DepthwiseConv2dNative, and the custom gradients inside the fused ops fused.conv2d and
// fused.depthwiseConv2d (what tf.layers.conv2d runs while training with a linear activation). The
// first two are replaced with tf.registerGradient. A custom gradient is recorded on the tape under
// the name of its op scope ('fusedConv2d__op', 'fusedDepthwiseConv2d__op'), and the engine prefers a
// registered gradient of that name over the closure: registering one there replaces the refusal.
// That tape node carries no attributes, so the FusedConv2D/FusedDepthwiseConv2D forward kernels of
// every backend are wrapped to remember their attributes by output dataId (which the saved output
// shares); a WeakMap keyed by dataId lets them be collected with the tensor.
//
// With dilation 1 the replacement gradients run exactly the kernels TF.js's own run. With a dilation
// > 1 they run the dilation-aware backprop kernels of the 'onnx' backend, and elsewhere the
// forward-op compositions of ./conv-ops.ts.
//
// More gradients are replaced for speed, with the same values: Relu, Sigmoid, Tanh and Softmax (one
// kernel instead of a chain of 2–4 where the backend has it: ./kernel-names.ts), Multiply (no cast of
// float32 operands to float32), Sum and Mean (a broadcast of dy instead of dy times a ones(x.shape)
// tensor built in JavaScript).
//
// Nothing happens at import (core-train is side-effect free): selectBackend() calls
// installKernelsAndGradients() for every backend it activates; call it yourself after
// tf.setBackend() if you pick backends without selectBackend().
import * as tf from '@tensorflow/tfjs';
import { convFilterGrad, convInputGrad, type ConvSpec } from './conv-ops.js';
import { RELU_GRAD, SIGMOID_GRAD, SOFTMAX_GRAD, TANH_GRAD } from './kernel-names.js';
import { jsOptimizerKernels } from './kernels-optim.js';
import { BackendError, ValueError } from '../errors.js';

type Pad = ConvSpec['pad'];

interface FusedConvAttrs extends ConvSpec {
  dataFormat?: 'NHWC' | 'NCHW';
  activation?: string;
}

const fusedAttrs = new WeakMap<object, FusedConvAttrs>();
const wrappedKernels = new WeakSet<object>();
let gradientsRegistered = false;

/** Backends whose Conv2DBackpropInput/Filter and depthwise backprops take a `dilations` attribute. */
const DILATION_AWARE_BACKENDS = new Set(['onnx']);

function isUnit(d: number | [number, number] | undefined): boolean {
  return d === undefined || (Array.isArray(d) ? d.every((v) => v === 1) : d === 1);
}

function useKernels(spec: ConvSpec, dataFormat: string | undefined, ...ts: tf.Tensor[]): boolean {
  if (isUnit(spec.dilations)) return true;
  return DILATION_AWARE_BACKENDS.has(tf.getBackend()) && (dataFormat ?? 'NHWC') === 'NHWC' && ts.every((t) => t.dtype === 'float32');
}

/** ∂L/∂x of conv2d / depthwiseConv2d (NHWC unless dataFormat says otherwise), for any dilation. */
export function convBackpropInput(
  xShape: readonly number[],
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  spec: ConvSpec & { dataFormat?: 'NHWC' | 'NCHW' },
  depthwise: boolean,
): tf.Tensor4D {
  if (useKernels(spec, spec.dataFormat, dy, filter)) {
    const attrs = { strides: spec.strides, pad: spec.pad, dilations: spec.dilations ?? 1, dimRoundingMode: spec.dimRoundingMode, dataFormat: spec.dataFormat ?? 'NHWC', inputShape: [...xShape] };
    const name = depthwise ? 'DepthwiseConv2dNativeBackpropInput' : 'Conv2DBackpropInput';
    return tf.engine().runKernel(name, { dy, filter }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
  }
  if ((spec.dataFormat ?? 'NHWC') !== 'NHWC') {
    return tf.tidy(() => tf.transpose(convInputGrad(nhwcShape(xShape), tf.transpose(dy, [0, 2, 3, 1]), filter, spec, depthwise), [0, 3, 1, 2]));
  }
  return convInputGrad(xShape, dy, filter, spec, depthwise);
}

/** ∂L/∂filter of conv2d / depthwiseConv2d, for any dilation. */
export function convBackpropFilter(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: readonly number[],
  spec: ConvSpec & { dataFormat?: 'NHWC' | 'NCHW' },
  depthwise: boolean,
): tf.Tensor4D {
  if (useKernels(spec, spec.dataFormat, x, dy)) {
    const attrs = { strides: spec.strides, pad: spec.pad, dilations: spec.dilations ?? 1, dimRoundingMode: spec.dimRoundingMode, dataFormat: spec.dataFormat ?? 'NHWC', filterShape: [...filterShape] };
    const name = depthwise ? 'DepthwiseConv2dNativeBackpropFilter' : 'Conv2DBackpropFilter';
    return tf.engine().runKernel(name, { x, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
  }
  return composedFilterGrad(x, dy, filterShape, spec, depthwise);
}

function composedFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: readonly number[], spec: ConvSpec & { dataFormat?: 'NHWC' | 'NCHW' }, depthwise: boolean): tf.Tensor4D {
  if ((spec.dataFormat ?? 'NHWC') !== 'NHWC') {
    return tf.tidy(() => convFilterGrad(tf.transpose(x, [0, 2, 3, 1]), tf.transpose(dy, [0, 2, 3, 1]), filterShape, spec, depthwise));
  }
  return convFilterGrad(x, dy, filterShape, spec, depthwise);
}

function nhwcShape(nchw: readonly number[]): number[] {
  return [nchw[0]!, nchw[2]!, nchw[3]!, nchw[1]!];
}

function dyOfActivation(dy: tf.Tensor, y: tf.Tensor, activation: string | undefined, scope: string): tf.Tensor {
  if (activation === undefined || activation === 'linear') return dy;
  if (activation === 'relu') return tf.mul(dy, tf.step(y));
  throw new ValueError(`Error in gradient of ${scope}: cannot compute gradient for fused activation ${activation}.`);
}

function biasGrad(bias: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes(bias.shape, dy.shape);
  return tf.reshape(axes.length > 0 ? tf.sum(dy, axes) : dy, bias.shape);
}

/** Attributes of a fused conv whose forward kernel was not wrapped: only stride/dilation 1 'same'/'valid' can be inferred. */
function inferAttrs(x: tf.Tensor, filter: tf.Tensor, y: tf.Tensor, scope: string): FusedConvAttrs {
  const [, h, w] = x.shape;
  const [, oh, ow] = y.shape;
  const [kh, kw] = filter.shape;
  let pad: Pad;
  if (oh === h && ow === w) pad = 'same';
  else if (oh === h! - kh! + 1 && ow === w! - kw! + 1) pad = 'valid';
  else {
    throw new BackendError(
      `Error in gradient of ${scope}: its forward kernel ran on a backend that installKernelsAndGradients() has not prepared ` +
        `(backend '${tf.getBackend()}'); call installKernelsAndGradients() after tf.setBackend().`,
    );
  }
  return { strides: 1, dilations: 1, pad, activation: 'linear' };
}

function fusedGradient(scope: string, depthwise: boolean): tf.GradConfig {
  return {
    kernelName: scope,
    gradFunc: (dy, saved) => {
      const [filter, x4D, y, bias] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor | undefined];
      const attrs = fusedAttrs.get(y.dataId) ?? inferAttrs(x4D, filter, y, scope);
      if ((attrs.dataFormat ?? 'NHWC') !== 'NHWC') throw new ValueError(`Error in gradient of ${scope}: got dataFormat of ${attrs.dataFormat} but only NHWC is currently supported.`);
      const dy4 = tf.reshape(dy as tf.Tensor, y.shape) as tf.Tensor4D;
      const dyAct = dyOfActivation(dy4, y, attrs.activation, scope) as tf.Tensor4D;
      const grads: Record<string, () => tf.Tensor> = {
        0: () => convBackpropInput(x4D.shape, dyAct, filter, attrs, depthwise),
        1: () => convBackpropFilter(x4D, dyAct, filter.shape, attrs, depthwise),
      };
      if (bias) grads[2] = () => biasGrad(bias, dyAct);
      return grads;
    },
  };
}

/** Whether `kernel` (one of ./kernel-names.ts) runs on the active backend for float32 (dy, y) of one shape. */
function fused(kernel: string, dy: tf.Tensor, y: tf.Tensor): boolean {
  return tf.getKernel(kernel, tf.getBackend()) !== undefined && dy.dtype === 'float32' && y.dtype === 'float32' && tf.util.arraysEqual(dy.shape, y.shape);
}

/**
 * Multiply, Sigmoid, Tanh and Softmax, with TF.js's values. Multiply skips the cast of float32
 * operands to float32 (a kernel call that copies nothing: TF.js casts unconditionally); the
 * activations run one kernel (./kernels-grad.ts) where the backend has it, and TF.js's op chains
 * (3–4 kernels each) elsewhere.
 */
function activationGradients(): tf.GradConfig[] {
  const asFloat = (t: tf.Tensor) => (t.dtype === 'float32' ? t : tf.cast(t, 'float32'));
  return [
    {
      kernelName: 'Multiply',
      inputsToSave: ['a', 'b'],
      gradFunc: (dy, saved) => {
        const [a, b] = saved as [tf.Tensor, tf.Tensor];
        const outShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
        const der = (self: tf.Tensor, other: tf.Tensor) => () => {
          const res = tf.mul(dy as tf.Tensor, asFloat(other));
          const axes = tf.backend_util.getReductionAxes(self.shape, outShape);
          return axes.length > 0 ? tf.reshape(tf.sum(res, axes), self.shape) : res;
        };
        return { a: der(a, b), b: der(b, a) };
      },
    },
    {
      kernelName: 'Sigmoid',
      outputsToSave: [true],
      gradFunc: (dy, saved) => {
        const [y] = saved as [tf.Tensor];
        const d = dy as tf.Tensor;
        return { x: () => (fused(SIGMOID_GRAD, d, y) ? (tf.engine().runKernel(SIGMOID_GRAD, { dy: d, y }) as tf.Tensor) : tf.mul(d, tf.mul(y, tf.sub(tf.scalar(1), y)))) };
      },
    },
    {
      kernelName: 'Tanh',
      outputsToSave: [true],
      gradFunc: (dy, saved) => {
        const [y] = saved as [tf.Tensor];
        const d = dy as tf.Tensor;
        return { x: () => (fused(TANH_GRAD, d, y) ? (tf.engine().runKernel(TANH_GRAD, { dy: d, y }) as tf.Tensor) : tf.mul(tf.sub(tf.scalar(1), tf.square(y)), d)) };
      },
    },
    {
      kernelName: 'Softmax',
      outputsToSave: [true],
      gradFunc: (dy, saved, attrs) => {
        const [y] = saved as [tf.Tensor];
        const d = dy as tf.Tensor;
        const dim = (attrs as unknown as { dim: number }).dim;
        const last = dim === -1 || dim === y.rank - 1;
        return {
          logits: () => {
            if (last && fused(SOFTMAX_GRAD, d, y)) return tf.engine().runKernel(SOFTMAX_GRAD, { dy: d, y }) as tf.Tensor;
            const dyTimesY = tf.mul(d, y);
            return tf.sub(dyTimesY, tf.mul(tf.sum(dyTimesY, [dim], true), y));
          },
        };
      },
    },
  ];
}

/**
 * Sum and Mean: TF.js's gradients build ones(x.shape) in JavaScript and multiply dy by it (measured
 * 11 ms per Transformer-block train step on the onnx backend); broadcasting dy computes the same
 * values (dy·1 = dy) with one kernel (Tile) that backends run natively.
 */
function reduceGradient(kernelName: 'Sum' | 'Mean'): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as [tf.Tensor];
      const axes = tf.util.parseAxisParam((attrs as unknown as { axis: number | number[] }).axis, x.shape);
      const expanded = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
      return {
        x: () => {
          const d = tf.reshape(dy as tf.Tensor, expanded);
          // Mean: divide before broadcasting (the same quotients, on the small tensor).
          return tf.broadcastTo(kernelName === 'Sum' ? d : tf.div(d, tf.util.sizeFromShape(axes.map((a) => x.shape[a]!))), x.shape);
        },
      };
    },
  };
}

function registerGradients(): void {
  tf.registerGradient(reduceGradient('Sum'));
  tf.registerGradient(reduceGradient('Mean'));
  for (const g of activationGradients()) tf.registerGradient(g);
  // Relu: TF.js's gradient is mul(dy, cast(step(x))). Backends with a one-pass kernel use it; others
  // run exactly TF.js's ops.
  tf.registerGradient({
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const [x] = saved as [tf.Tensor];
      return {
        x: () =>
          fused(RELU_GRAD, dy as tf.Tensor, x)
            ? (tf.engine().runKernel(RELU_GRAD, { dy: dy as tf.Tensor, x }) as tf.Tensor)
            : tf.mul(dy as tf.Tensor, tf.cast(tf.step(x), 'float32')),
      };
    },
  });
  tf.registerGradient({
    kernelName: 'Conv2D',
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      const spec = attrs as unknown as ConvSpec & { dataFormat: 'NHWC' | 'NCHW' };
      return {
        x: () => convBackpropInput(x.shape, dy as tf.Tensor4D, filter, spec, false),
        filter: () => convBackpropFilter(x, dy as tf.Tensor4D, filter.shape, spec, false),
      };
    },
  });
  tf.registerGradient({
    kernelName: 'DepthwiseConv2dNative',
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      const spec = attrs as unknown as ConvSpec;
      return {
        x: () => convBackpropInput(x.shape, dy as tf.Tensor4D, filter, spec, true),
        filter: () => convBackpropFilter(x, dy as tf.Tensor4D, filter.shape, spec, true),
      };
    },
  });
  tf.registerGradient(fusedGradient('fusedConv2d__op', false));
  tf.registerGradient(fusedGradient('fusedDepthwiseConv2d__op', true));
}

/**
 * Wraps a kernel of `backendName` so that fused-conv attributes can be found from the tensors the
 * fused op saves: the fused forward kernels record theirs under their output's dataId, and Identity
 * (which clones the saved tensors; on wasm a clone is a new dataId) passes them on to its output.
 */
function rememberFusedAttrs(kernelName: string, backendName: string): void {
  const k = tf.getKernel(kernelName, backendName);
  if (!k || wrappedKernels.has(k.kernelFunc)) return;
  const inner = k.kernelFunc;
  const identity = kernelName === 'Identity';
  const kernelFunc: tf.KernelFunc = (args) => {
    const out = inner(args);
    const first = (Array.isArray(out) ? out[0] : out) as tf.TensorInfo | undefined;
    if (!first) return out;
    if (identity) {
      const a = fusedAttrs.get((args.inputs.x as tf.TensorInfo).dataId);
      if (a) fusedAttrs.set(first.dataId, a);
    } else {
      fusedAttrs.set(first.dataId, { ...(args.attrs as unknown as FusedConvAttrs) });
    }
    return out;
  };
  wrappedKernels.add(kernelFunc);
  tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel({ ...k, kernelFunc });
}

/** Backend names TF.js may have registered; the installer prepares each one that exists. */
const KNOWN_BACKENDS = ['cpu', 'wasm', 'onnx', 'tensorflow', 'webgl', 'webgpu'];

/**
 * Makes training work on every registered TF.js backend: registers gradients for dilated
 * convolutions (Conv2D, DepthwiseConv2dNative and the fused conv ops used by tf.layers), wraps the
 * fused conv kernels so their gradients know their attributes, registers polyfills for kernels a
 * backend lacks (wasm: Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropInput/Filter,
 * UnsortedSegmentSum), registers one-call optimizer updates on the cpu backend (bit-for-bit the
 * op-by-op values), and replaces the Relu, Sigmoid, Tanh, Softmax, Multiply, Sum and Mean gradients
 * with faster forms of the same values. Gradients are global in TF.js, so this affects every backend of the process. Idempotent;
 * selectBackend() calls it for every backend it activates.
 */
export function installKernelsAndGradients(): void {
  if (!gradientsRegistered) {
    registerGradients();
    gradientsRegistered = true;
  }
  const names = new Set([...KNOWN_BACKENDS, tf.getBackend()]);
  for (const name of names) {
    if (!tf.findBackendFactory(name)) continue;
    rememberFusedAttrs('FusedConv2D', name);
    rememberFusedAttrs('FusedDepthwiseConv2D', name);
    rememberFusedAttrs('Identity', name);
    registerMissingKernels(name);
  }
  // One-call optimizer updates (src/optimizers/fused.ts) on the cpu backend; 'onnx' has its own.
  if (tf.findBackendFactory('cpu')) {
    for (const [kernelName, kernelFunc] of Object.entries(jsOptimizerKernels())) {
      if (!tf.getKernel(kernelName, 'cpu')) tf.registerKernel({ kernelName, backendName: 'cpu', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
    }
  }
}

/** Registers the polyfills of ./polyfills.ts that `backendName` lacks. */
function registerMissingKernels(backendName: string): void {
  for (const [kernelName, kernelFunc] of Object.entries(POLYFILLS)) {
    if (!tf.getKernel(kernelName, backendName)) tf.registerKernel({ kernelName, backendName, kernelFunc });
  }
}

interface PolyfillArgs {
  inputs: Record<string, tf.TensorInfo>;
  attrs?: tf.NamedAttrMap;
  backend: tf.KernelBackend;
}

function asTensor(t: tf.TensorInfo): tf.Tensor {
  return t instanceof tf.Tensor ? t : tf.engine().makeTensorFromTensorInfo(t);
}

/**
 * Kernels composed from ops, for backends that lack them. A kernel may return a Tensor (the engine
 * keeps it as the output); intermediates are freed by tf.tidy.
 */
const POLYFILLS: Record<string, tf.KernelFunc> = {
  Conv2DBackpropFilter: ((args: PolyfillArgs) => {
    const attrs = args.attrs as unknown as ConvSpec & { dataFormat: 'NHWC' | 'NCHW'; filterShape: number[] };
    return tf.tidy(() => composedFilterGrad(asTensor(args.inputs.x!) as tf.Tensor4D, asTensor(args.inputs.dy!) as tf.Tensor4D, attrs.filterShape, { ...attrs, dilations: 1 }, false));
  }) as unknown as tf.KernelFunc,
  DepthwiseConv2dNativeBackpropFilter: ((args: PolyfillArgs) => {
    const attrs = args.attrs as unknown as ConvSpec & { filterShape: number[] };
    return tf.tidy(() => convFilterGrad(asTensor(args.inputs.x!) as tf.Tensor4D, asTensor(args.inputs.dy!) as tf.Tensor4D, attrs.filterShape, attrs, true));
  }) as unknown as tf.KernelFunc,
  DepthwiseConv2dNativeBackpropInput: ((args: PolyfillArgs) => {
    const attrs = args.attrs as unknown as ConvSpec & { inputShape: number[] };
    return tf.tidy(() => convInputGrad(attrs.inputShape, asTensor(args.inputs.dy!) as tf.Tensor4D, asTensor(args.inputs.filter!) as tf.Tensor4D, attrs, true));
  }) as unknown as tf.KernelFunc,
  UnsortedSegmentSum: ((args: PolyfillArgs) => {
    const { x, segmentIds } = args.inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
    const numSegments = (args.attrs as { numSegments: number }).numSegments;
    return unsortedSegmentSum(args.backend, x, segmentIds, numSegments);
  }) as unknown as tf.KernelFunc,
};

/**
 * out[s, ...] = Σ_{i: ids[i] = s} x[i, ...] over the leading dims of `segmentIds` (ids outside
 * [0, numSegments) are dropped, as TF.js's cpu kernel does). Plain JavaScript over read-back values:
 * O(x.size), whereas a one-hot product costs numSegments times more.
 */
function unsortedSegmentSum(backend: tf.KernelBackend, x: tf.TensorInfo, segmentIds: tf.TensorInfo, numSegments: number): tf.Tensor {
  const xv = backend.readSync(x.dataId) as Float32Array | Int32Array;
  const ids = backend.readSync(segmentIds.dataId) as Int32Array;
  const inner = tf.util.sizeFromShape(x.shape.slice(segmentIds.shape.length));
  const out = x.dtype === 'int32' ? new Int32Array(numSegments * inner) : new Float32Array(numSegments * inner);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i]!;
    if (s < 0 || s >= numSegments) continue;
    const src = i * inner;
    const dst = s * inner;
    for (let k = 0; k < inner; k++) out[dst + k] = out[dst + k]! + xv[src + k]!;
  }
  return tf.tensor(out, [numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype);
}
