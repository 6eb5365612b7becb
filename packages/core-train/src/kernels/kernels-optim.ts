// The optimizer-update kernels of src/optimizers/fused.ts: a whole Adam/AdamW or SGD step of one
// parameter in one kernel call. On the 'onnx' backend a large Adam step runs as one ONNX graph (the
// same float32 ops, vectorised, one call; ./kernels-optim-ort.ts); smaller ones, and every parameter
// on the cpu backend (which has no ONNX Runtime), run one JavaScript loop. This module imports no
// ONNX code: installKernelsAndGradients() registers its kernels on the cpu backend.
//
// Both forms give bit-for-bit the values of the optimizers' op-by-op updates: the graph is made of
// those very ops (Mul, Add, Div, Sqrt, Sub with the same float32 scalars), and the loops round to
// float32 (Math.fround) after every operation, in the same order — float32 +, −, ×, ÷ and √ computed
// in float64 and rounded once are correctly rounded (53 ≥ 2·24 + 2 bits), as the cpu kernels' and
// ONNX Runtime's are. Measured for the 786K parameters of a Transformer block (one thread): the JS
// loops take ~10 ms a step, the op-by-op path ~15 ms, the graphs ~4 ms.
import * as tf from '@tensorflow/tfjs';
import { ADAM_UPDATE_KERNEL, SGD_UPDATE_KERNEL, type AdamUpdateAttrs, type SgdUpdateAttrs } from '../optimizers/fused.js';
import type { KernelFn, OnnxCpuBackend } from './onnx-backend.js';

const f = Math.fround;

type Info = tf.TensorInfo;

/** Storage as both cpu-family backends keep it (OnnxCpuBackend adds a buffer pool). */
export interface JsBackend {
  data: { get(id: tf.DataId): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): Info;
  alloc?: (n: number) => Float32Array;
  runtime?: OnnxCpuBackend['runtime'];
}

const valuesOf = (b: JsBackend, t: Info): Float32Array => b.data.get(t.dataId).values as Float32Array;
const allocOn = (b: JsBackend, n: number): Float32Array => (b.alloc ? b.alloc(n) : new Float32Array(n));

/** Adam's float32 constants, in the order the loop reads them. */
function adamConstants(a: AdamUpdateAttrs): Float32Array {
  return Float32Array.from([a.beta1, a.beta2, 1 - a.beta1, 1 - a.beta2, a.eps, a.bc2Sqrt, a.stepSize, a.weightDecay, 1 - a.lr * a.weightDecay]);
}

/** 0: no decay, 1: AdamW's p·(1 − ηλ), 2: Adam's g + p·λ. */
function adamMode(a: AdamUpdateAttrs): number {
  return a.weightDecay === 0 ? 0 : a.decoupled ? 1 : 2;
}

/**
 * One Adam step over every element (m0/v0: the previous moments, zeros on the first step), op for op
 * as AdamBase.update: decay; m ← m·β₁ + g·(1 − β₁); v ← v·β₂ + (g·g)·(1 − β₂);
 * p ← p − (m / (√v / √(1 − β₂ᵗ) + ε)) · η/(1 − β₁ᵗ).
 */
export function adamJs(p: Float32Array, g: Float32Array, m0: Float32Array, v0: Float32Array, k: Float32Array, mode: number, pOut: Float32Array, mOut: Float32Array, vOut: Float32Array): void {
  const b1 = k[0]!;
  const b2 = k[1]!;
  const ob1 = k[2]!;
  const ob2 = k[3]!;
  const eps = k[4]!;
  const bc2 = k[5]!;
  const step = k[6]!;
  const wd = k[7]!;
  const shrink = k[8]!;
  const n = p.length;
  for (let i = 0; i < n; i++) {
    let pi = p[i]!;
    let gi = g[i]!;
    if (mode === 1) pi = f(pi * shrink);
    else if (mode === 2) gi = f(gi + f(pi * wd));
    const mi = f(f(m0[i]! * b1) + f(gi * ob1));
    const vi = f(f(v0[i]! * b2) + f(f(gi * gi) * ob2));
    const denom = f(f(f(Math.sqrt(vi)) / bc2) + eps);
    pOut[i] = f(pi - f(f(mi / denom) * step));
    mOut[i] = mi;
    vOut[i] = vi;
  }
}

/**
 * One SGD step, op for op as Sgd.update: g ← g + p·λ; b ← g (b0 null) or b·μ + g·(1 − τ);
 * g ← g + b·μ (Nesterov) or b; p ← p − g·η. `bOut` null: no momentum.
 */
export function sgdJs(p: Float32Array, g: Float32Array, b0: Float32Array | null, a: SgdUpdateAttrs, pOut: Float32Array, bOut: Float32Array | null): void {
  const wd = f(a.weightDecay);
  const mom = f(a.momentum);
  const damp = f(1 - a.dampening);
  const lr = f(a.lr);
  const decay = a.weightDecay !== 0;
  const nesterov = a.nesterov;
  const n = p.length;
  for (let i = 0; i < n; i++) {
    const pi = p[i]!;
    let gi = decay ? f(g[i]! + f(pi * wd)) : g[i]!;
    if (bOut) {
      const bi = b0 ? f(f(b0[i]! * mom) + f(gi * damp)) : gi;
      bOut[i] = bi;
      gi = nesterov ? f(gi + f(bi * mom)) : bi;
    }
    pOut[i] = f(pi - f(gi * lr));
  }
}

/**
 * Runs an Adam step elsewhere (ONNX Runtime) and returns true, or returns false to leave it to the
 * JavaScript loop. Inputs p, g, m0, v0 and the constants of adamConstants(); outputs p, m, v.
 */
export type AdamRunner = (backend: JsBackend, n: number, mode: number, inputs: Float32Array[], outs: readonly Float32Array[]) => boolean;

/** The Adam kernel; `runner` may take large steps elsewhere. */
export function adamKernel(runner?: AdamRunner): KernelFn {
  return (args) => {
    const { param, grad, m, v } = args.inputs as Record<string, Info | undefined>;
    const a = args.attrs as unknown as AdamUpdateAttrs;
    const backend = args.backend as JsBackend;
    const n = tf.util.sizeFromShape(param!.shape);
    const shape = [...param!.shape];
    const zeros = m && v ? undefined : new Float32Array(n);
    const [m0, v0] = m && v ? [valuesOf(backend, m), valuesOf(backend, v)] : [zeros!, zeros!];
    const outs = [allocOn(backend, n), allocOn(backend, n), allocOn(backend, n)] as const;
    const k = adamConstants(a);
    const mode = adamMode(a);
    const p = valuesOf(backend, param!);
    const g = valuesOf(backend, grad!);
    if (!runner?.(backend, n, mode, [p, g, m0, v0, k], outs)) adamJs(p, g, m0, v0, k, mode, ...outs);
    return outs.map((o) => backend.makeTensorInfo(shape, 'float32', o));
  };
}

/** The SGD kernel (JavaScript: a few operations per element, no faster in ONNX Runtime). */
export function sgdKernel(): KernelFn {
  return (args) => {
    const { param, grad, momentum } = args.inputs as Record<string, Info | undefined>;
    const a = args.attrs as unknown as SgdUpdateAttrs;
    const backend = args.backend as JsBackend;
    const n = tf.util.sizeFromShape(param!.shape);
    const shape = [...param!.shape];
    const p1 = allocOn(backend, n);
    const b1 = a.momentum !== 0 ? allocOn(backend, n) : null;
    sgdJs(valuesOf(backend, param!), valuesOf(backend, grad!), momentum ? valuesOf(backend, momentum) : null, a, p1, b1);
    return [p1, ...(b1 ? [b1] : [])].map((o) => backend.makeTensorInfo(shape, 'float32', o));
  };
}

/** The optimizer-update kernels as JavaScript loops (what the cpu backend gets). */
export function jsOptimizerKernels(): Record<string, KernelFn> {
  return { [ADAM_UPDATE_KERNEL]: adamKernel(), [SGD_UPDATE_KERNEL]: sgdKernel() };
}
