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
import { ORT_MIN_ELEMENTS } from './kernels-elementwise.js';
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

/** An elementwise gradient kernel: a JS loop below ORT_MIN_ELEMENTS, a graph of the same ops above. */
function elementwiseGrad(name: string, js: (dy: Float32Array, y: Float32Array, out: Float32Array) => void, graph: (g: GraphBuilder, dy: string, y: string) => string): KernelFn {
  return (args) => {
    const { dy, y } = args.inputs as { dy: Info; y: Info };
    const backend = args.backend as OnnxCpuBackend;
    const n = tf.util.sizeFromShape(dy.shape);
    if (n >= ORT_MIN_ELEMENTS) {
      return runGraph(
        backend,
        `${name}:${dy.shape.join('x')}`,
        () => {
          const g = new GraphBuilder();
          const d = g.input(dy.shape);
          g.output(graph(g, d, g.input(y.shape)), dy.shape);
          return g.build(name);
        },
        [dy, y],
        dy.shape,
        n,
      );
    }
    const out = backend.alloc(n);
    js(backend.f32(dy), backend.f32(y), out);
    return backend.out(dy.shape, out);
  };
}

function softmaxGradKernel(): KernelFn {
  return (args) => {
    const { dy, y } = args.inputs as { dy: Info; y: Info };
    const backend = args.backend as OnnxCpuBackend;
    const n = tf.util.sizeFromShape(dy.shape);
    const rank = dy.shape.length;
    if (n >= 4 * ORT_MIN_ELEMENTS) {
      return runGraph(
        backend,
        `${SOFTMAX_GRAD}:${dy.shape.join('x')}`,
        () => {
          const g = new GraphBuilder();
          const d = g.input(dy.shape);
          const yi = g.input(y.shape);
          const t = g.op('Mul', [d, yi]);
          const s = g.op('ReduceSum', [t, g.i64([rank - 1])], { keepdims: attr.int(1) });
          g.output(g.op('Sub', [t, g.op('Mul', [s, yi])]), dy.shape);
          return g.build('softmax_grad');
        },
        [dy, y],
        dy.shape,
        n,
      );
    }
    const out = backend.alloc(n);
    softmaxGradJs(backend.f32(dy), backend.f32(y), dy.shape[rank - 1]!, out);
    return backend.out(dy.shape, out);
  };
}

/** The fused gradient kernels of the 'onnx' backend. */
export function gradKernels(): Record<string, KernelFn> {
  return {
    [SIGMOID_GRAD]: elementwiseGrad(SIGMOID_GRAD, sigmoidGradJs, (g, d, y) => g.op('Mul', [d, g.op('Mul', [y, g.op('Sub', [g.f32([1], []), y])])])),
    [TANH_GRAD]: elementwiseGrad(TANH_GRAD, tanhGradJs, (g, d, y) => g.op('Mul', [g.op('Sub', [g.f32([1], []), g.op('Mul', [y, y])]), d])),
    [SOFTMAX_GRAD]: softmaxGradKernel(),
  };
}
