// Matrix-product kernels of the 'onnx' backend: BatchMatMul and _FusedMatMul as one ONNX graph each
// (Gemm for 2-D operands, MatMul with batch broadcasting otherwise).
import * as tf from '@tensorflow/tfjs';
import { attr } from '../onnx/proto.js';
import { emitActivation, type FusedActivation } from './conv-graphs.js';
import { GraphBuilder } from './graph-builder.js';
import { runGraph } from './kernels-conv.js';
import { NATIVE_ACTIVATION } from './native.js';
import { cpuKernel, type KernelFn, type OnnxCpuBackend } from './onnx-backend.js';

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
  activation?: FusedActivation;
  leakyreluAlpha?: number;
}

/**
 * Below this many multiply-adds the cpu kernel is used: an ONNX Runtime call costs ~10–20 µs, the
 * cpu backend's JavaScript loop about 1 ns per multiply-add.
 */
export const MATMUL_MIN_MACS = 8192;

function swapLast(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

/** Output shape of TF.js's batch matmul (numpy broadcasting of the batch dims). */
function outShape(a: readonly number[], b: readonly number[], ta: boolean, tb: boolean): number[] {
  const m = ta ? a[a.length - 1]! : a[a.length - 2]!;
  const n = tb ? b[b.length - 2]! : b[b.length - 1]!;
  const batch = tf.broadcast_util.assertAndGetBroadcastShape(a.slice(0, -2), b.slice(0, -2));
  return [...batch, m, n];
}

/** The ONNX graph of act(op(a)·op(b) + bias). */
export function matMulGraph(
  a: readonly number[],
  b: readonly number[],
  attrs: MatMulAttrs,
  bias: readonly number[] | null,
  prelu: readonly number[] | null,
): ReturnType<GraphBuilder['build']> {
  const g = new GraphBuilder();
  const ai = g.input(a);
  const bi = g.input(b);
  const biasIn = bias ? g.input(bias) : undefined;
  const preluIn = prelu ? g.input(prelu) : undefined;
  const out = outShape(a, b, attrs.transposeA, attrs.transposeB);
  let y: string;
  const [m, n] = [out[out.length - 2]!, out[out.length - 1]!];
  // Gemm's C broadcasts one way to [M, N]: [N], [1, N], [M, N] or a scalar.
  const gemmBias = bias !== null && (bias.length === 0 || (bias.length === 1 && (bias[0] === n || bias[0] === 1)) || (bias.length === 2 && (bias[0] === 1 || bias[0] === m) && (bias[1] === n || bias[1] === 1)));
  // Gemm (2-D, transposes built in) whenever the batch dims allow: both operands batch-free (TF.js's
  // matMul op hands kernels [1, M, K] operands), or a shared 2-D b with a's batch folded into M.
  // Measured for 64x64ᵀ · 64x256: Gemm 52 µs, Transpose + MatMul 81 µs.
  const batchA = tf.util.sizeFromShape(a.slice(0, -2));
  const batchB = tf.util.sizeFromShape(b.slice(0, -2));
  const foldA = batchB === 1 && !attrs.transposeA;
  if ((batchA === 1 && batchB === 1) || foldA) {
    const a2 = a.length === 2 ? ai : g.reshape(ai, batchA === 1 ? a.slice(-2) : [batchA * a[a.length - 2]!, a[a.length - 1]!]);
    const b2 = b.length === 2 ? bi : g.reshape(bi, b.slice(-2));
    const rows = batchA * m;
    const gemmBias2 = gemmBias && bias !== null && !(bias.length === 2 && bias[0] === m && m !== rows && m !== 1);
    const ins = [a2, b2];
    if (gemmBias2 && biasIn) ins.push(biasIn);
    y = g.op('Gemm', ins, { transA: attr.int(attrs.transposeA ? 1 : 0), transB: attr.int(attrs.transposeB ? 1 : 0) });
    if (out.length !== 2) y = g.reshape(y, out);
    if (biasIn && !gemmBias2) y = g.op('Add', [y, biasIn]);
  } else {
    const a2 = attrs.transposeA ? g.transpose(ai, swapLast(a.length)) : ai;
    const b2 = attrs.transposeB ? g.transpose(bi, swapLast(b.length)) : bi;
    y = g.op('MatMul', [a2, b2]);
    if (biasIn) y = g.op('Add', [y, biasIn]);
  }
  y = emitActivation(g, y, { bias, activation: attrs.activation ?? 'linear', prelu, leakyAlpha: attrs.leakyreluAlpha ?? 0.2 }, preluIn);
  g.output(y, out);
  return g.build('matmul');
}

/**
 * Whether a product runs in the native kernels: batches of small matrices (attention scores and
 * contexts), where one ONNX Runtime call per batch splits poorly and the native kernel splits the
 * batch over threads. Single large products stay in ONNX Runtime: the native GEMM matches MLAS alone
 * (1024³: 307 vs 294–338 GFLOP/s) but measured no faster inside train steps (Transformer block
 * 66 vs 65 ms, SGEMM step 9.5 vs 8.3 ms, LSTM 458 vs 459 ms).
 */
export function useNativeMatMul(a: readonly number[], b: readonly number[], out: readonly number[], k: number): boolean {
  const batch = tf.util.sizeFromShape(out.slice(0, -2));
  const m = out[out.length - 2]!;
  const n = out[out.length - 1]!;
  return batch > 1 && m * n * k < 1 << 20 && a.length >= 2 && b.length >= 2;
}

/**
 * The product in core-train's native kernels (packed panels, register-blocked, K in chunks that stay
 * in L2): batch dims equal or one side's all 1 (broadcast), bias absent or one value per column.
 * Measured on the 2-core target (2 threads): a batch of 128 64x64·64x64ᵀ 0.42 ms standalone, 0.61
 * in a train step (ONNX Runtime 0.77 ms). Returns null where it does not apply.
 */
function nativeMatMul(backend: OnnxCpuBackend, a: tf.TensorInfo, b: tf.TensorInfo, bias: tf.TensorInfo | undefined, attrs: MatMulAttrs, out: number[], k: number): tf.TensorInfo | null {
  const act = NATIVE_ACTIVATION[attrs.activation ?? 'linear'];
  if (act === undefined) return null;
  const [m, n] = [out[out.length - 2]!, out[out.length - 1]!];
  if (bias && tf.util.sizeFromShape(bias.shape) !== n) return null;
  const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
  const batch = tf.util.sizeFromShape(out.slice(0, -2));
  const same = a.shape.slice(0, -2).join() === b.shape.slice(0, -2).join();
  if (!same && batchA !== 1 && batchB !== 1) return null;
  const c = backend.alloc(batch * m * n);
  const dims = [batch, batchA === 1 ? 0 : m * k, batchB === 1 ? 0 : k * n, m, n, k, +attrs.transposeA, +attrs.transposeB];
  backend.native!.matMul(backend.f32(a), backend.f32(b), bias ? backend.f32(bias) : null, c, dims, act, attrs.leakyreluAlpha ?? 0.2, backend.nativeThreads());
  return backend.out(out, c);
}

function matMulKernel(name: string): KernelFn {
  const fallback = cpuKernel(name);
  return (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const attrs = args.attrs as unknown as MatMulAttrs;
    const ins = [a, b, bias, preluActivationWeights].filter((t): t is tf.TensorInfo => t !== undefined);
    if (!a || !b || ins.some((t) => t.dtype !== 'float32') || a.shape.length < 2 || b.shape.length < 2) return fallback(args);
    const out = outShape(a.shape, b.shape, attrs.transposeA, attrs.transposeB);
    const k = attrs.transposeA ? a.shape[a.shape.length - 2]! : a.shape[a.shape.length - 1]!;
    const size = tf.util.sizeFromShape(out);
    const backend = args.backend as OnnxCpuBackend;
    if (size > 0 && k > 0 && backend.native && !preluActivationWeights && useNativeMatMul(a.shape, b.shape, out, k)) {
      const done = nativeMatMul(backend, a, b, bias, attrs, out, k);
      if (done) return done;
    }
    if (size === 0 || size * k < MATMUL_MIN_MACS) return fallback(args);
    const key = `mm:${a.shape.join('x')}:${b.shape.join('x')}:${+attrs.transposeA}${+attrs.transposeB}:${bias?.shape.join('x') ?? '-'}:${attrs.activation ?? 'linear'}:${preluActivationWeights?.shape.join('x') ?? '-'}:${attrs.leakyreluAlpha ?? ''}`;
    return runGraph(backend, key, () => matMulGraph(a.shape, b.shape, attrs, bias?.shape ?? null, preluActivationWeights?.shape ?? null), ins, out, size * k);
  };
}

/** BatchMatMul and _FusedMatMul of the 'onnx' backend. */
export function matMulKernels(): Record<string, KernelFn> {
  return { BatchMatMul: matMulKernel('BatchMatMul'), _FusedMatMul: matMulKernel('_FusedMatMul') };
}
