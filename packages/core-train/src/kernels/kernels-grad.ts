// One-kernel gradients of the 'onnx' backend for activations whose TF.js gradients are chains of
// small elementwise ops: sigmoid (3 kernels: sub, mul, mul), tanh (3: square, sub, mul) and softmax
// (4: mul, sum, mul, sub). A recurrent net runs these once per time step and gate (a 2×LSTM(64) train
// step over 214 steps: ~4,300 kernel calls, each paying TF.js's per-call bookkeeping and a temporary
// tensor). ./gradients.ts registers gradients that call these kernels where the backend has them,
// and TF.js's own op chains elsewhere.
//
// Values: sigmoid and tanh compute TF.js's float32 operations in the same order (rounding after
// each, Math.fround in JavaScript; the same ops as one graph in ONNX Runtime), so they are bit-for-bit
// TF.js's. Softmax does too where this backend's op chain would: below 4·ORT_MIN_ELEMENTS its Sum
// adds each row in float64 (as the loop here), above it runs ONNX Runtime's ReduceSum (as the graph
// here).
import * as tf from '@tensorflow/tfjs';
import { attr } from '../onnx/proto.js';
import { nativeBinary, ORT_MIN_ELEMENTS } from './kernels-elementwise.js';
import { NATIVE_BINARY } from './native.js';
import { runGraph } from './kernels-conv.js';
import { GraphBuilder } from './graph-builder.js';
import { SIGMOID_GRAD, SOFTMAX_GRAD, TANH_GRAD } from './kernel-names.js';
import type { KernelFn, OnnxCpuBackend } from './onnx-backend.js';

const f = Math.fround;
type Info = tf.TensorInfo;

function sigmoidGradJs(dy: Float32Array, y: Float32Array, out: Float32Array): void {
  for (let i = 0; i < out.length; i++) {
    const v = y[i]!;
    out[i] = f(dy[i]! * f(v * f(1 - v)));
  }
}

function tanhGradJs(dy: Float32Array, y: Float32Array, out: Float32Array): void {
  for (let i = 0; i < out.length; i++) {
    const v = y[i]!;
    out[i] = f(f(1 - f(v * v)) * dy[i]!);
  }
}

function softmaxGradJs(dy: Float32Array, y: Float32Array, d: number, out: Float32Array): void {
  for (let r = 0; r < out.length; r += d) {
    let s = 0;
    for (let j = r; j < r + d; j++) {
      const t = f(dy[j]! * y[j]!);
      out[j] = t;
      s += t;
    }
    const sf = f(s);
    for (let j = r; j < r + d; j++) out[j] = f(out[j]! - f(sf * y[j]!));
  }
}

/**
 * A gradient kernel of (dy, y): a JavaScript loop below `minElements`, a graph of the same ops above
 * (elementwise ones switch at ORT_MIN_ELEMENTS; softmax, whose op chain switches its Sum at
 * 4·ORT_MIN_ELEMENTS, there).
 */
function gradKernel(
  name: string,
  minElements: number,
  js: (dy: Float32Array, y: Float32Array, out: Float32Array, shape: readonly number[]) => void,
  graph: (g: GraphBuilder, dy: string, y: string, shape: readonly number[]) => string,
  /** The op of core-train's native kernels that computes it (NATIVE_BINARY), if any. */
  nativeCode?: number,
): KernelFn {
  return (args) => {
    const { dy, y } = args.inputs as { dy: Info; y: Info };
    const backend = args.backend as OnnxCpuBackend;
    const n = tf.util.sizeFromShape(dy.shape);
    if (backend.native && nativeCode !== undefined && dy.shape.join() === y.shape.join()) {
      return backend.out(dy.shape, nativeBinary(backend, nativeCode, backend.f32(dy), backend.f32(y), { dims: [n], sa: [1], sb: [1] }, n));
    }
    if (n >= minElements) {
      return runGraph(
        backend,
        `${name}:${dy.shape.join('x')}`,
        () => {
          const g = new GraphBuilder();
          const d = g.input(dy.shape);
          g.output(graph(g, d, g.input(y.shape), dy.shape), dy.shape);
          return g.build(name);
        },
        [dy, y],
        dy.shape,
        n,
      );
    }
    const out = backend.alloc(n);
    js(backend.f32(dy), backend.f32(y), out, dy.shape);
    return backend.out(dy.shape, out);
  };
}

/** The softmax gradient kernel: native where the native kernels loaded (their Sum is the chain's), else `inner`. */
function nativeSoftmaxGrad(...spec: Parameters<typeof gradKernel>): KernelFn {
  const inner = gradKernel(...spec);
  return (args) => {
    const { dy, y } = args.inputs as { dy: Info; y: Info };
    const backend = args.backend as OnnxCpuBackend;
    if (!backend.native || dy.shape.join() !== y.shape.join() || dy.shape.length === 0) return inner(args);
    const n = tf.util.sizeFromShape(dy.shape);
    const out = backend.alloc(n);
    backend.native.softmaxGrad(out, backend.f32(dy), backend.f32(y), dy.shape[dy.shape.length - 1]!, backend.nativeThreads());
    return backend.out(dy.shape, out);
  };
}

/** dy·y − (Σ_last dy·y)·y as ONNX ops. */
function softmaxGradGraph(g: GraphBuilder, d: string, y: string, shape: readonly number[]): string {
  const t = g.op('Mul', [d, y]);
  const s = g.op('ReduceSum', [t, g.i64([shape.length - 1])], { keepdims: attr.int(1) });
  return g.op('Sub', [t, g.op('Mul', [s, y])]);
}

/** The fused gradient kernels of the 'onnx' backend. */
export function gradKernels(): Record<string, KernelFn> {
  return {
    [SIGMOID_GRAD]: gradKernel(SIGMOID_GRAD, ORT_MIN_ELEMENTS, sigmoidGradJs, (g, d, y) => g.op('Mul', [d, g.op('Mul', [y, g.op('Sub', [g.f32([1], []), y])])]), NATIVE_BINARY.sigmoidGrad),
    [TANH_GRAD]: gradKernel(TANH_GRAD, ORT_MIN_ELEMENTS, tanhGradJs, (g, d, y) => g.op('Mul', [g.op('Sub', [g.f32([1], []), g.op('Mul', [y, y])]), d]), NATIVE_BINARY.tanhGrad),
    [SOFTMAX_GRAD]: nativeSoftmaxGrad(SOFTMAX_GRAD, 4 * ORT_MIN_ELEMENTS, (dy, y, out, shape) => softmaxGradJs(dy, y, shape[shape.length - 1]!, out), softmaxGradGraph),
  };
}
