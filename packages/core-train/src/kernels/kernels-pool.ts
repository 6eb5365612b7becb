// 2-D max and average pooling of the 'onnx' backend (NHWC, float32) and their gradients, as plain
// JavaScript loops with the channel loop innermost (contiguous in NHWC). TF.js's cpu kernels walk the
// channels outermost and index through tf.buffer get/set: profiled in a conv classifier at batch 32,
// its MaxPoolGrad took ~750 ms of a 676 ms onnx-backend train step (both cores busy), nearly all of it.
// Pooling reads each input element about (filter / stride)² times and does no arithmetic worth a
// native call, so JavaScript at memory speed is the right place (no NHWC↔NCHW transposes around
// ONNX Runtime's MaxPool).
//
// Every kernel computes what TF.js's cpu kernel computes, in the same order:
// - MaxPool: the largest value of each window (NaN never wins a comparison; an all-NaN or empty
//   window gives -Infinity); AvgPool: the float64 sum of the window's in-bounds values divided by
//   their count.
// - MaxPoolGrad: each window's dy goes to the first (raster order) position holding its maximum.
// - AvgPoolGrad: each window's dy times 1 / (filterHeight · filterWidth) goes to every in-bounds
//   position of the window. Note that TF.js divides by the full window size here even where the
//   forward pass divided by the in-bounds count ('same' padding at the borders); this kernel keeps
//   TF.js's values so that every backend trains alike.
// Sums that several windows contribute to (stride < filter) accumulate in float64 and round once, as
// the cpu kernels do.
import * as tf from '@tensorflow/tfjs';
import { cpuKernel, type KernelFn, type OnnxCpuBackend } from './onnx-backend.js';

interface PoolAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

type PoolInfo = ReturnType<typeof tf.backend_util.computePool2DInfo>;

function poolInfo(xShape: readonly number[], attrs: PoolAttrs, rounding: boolean): PoolInfo {
  return tf.backend_util.computePool2DInfo(
    xShape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    rounding ? attrs.dimRoundingMode : undefined,
  );
}

/** Whether the kernel can take this input: NHWC float32, non-empty, not the 1x1 identity pool. */
function eligible(x: tf.TensorInfo | undefined, info: PoolInfo): boolean {
  if (!x || x.dtype !== 'float32' || x.shape.length !== 4 || tf.util.sizeFromShape(x.shape) === 0) return false;
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return false;
  return !(info.filterHeight === 1 && info.filterWidth === 1 && tf.util.arraysEqual(info.inShape, info.outShape));
}

/** Whether the window is 2x2 with stride 2 and no padding (tf.layers' default pooling): the fast loops. */
function is2x2(info: PoolInfo): boolean {
  const p = info.padInfo;
  return (
    info.filterHeight === 2 && info.filterWidth === 2 && info.strideHeight === 2 && info.strideWidth === 2 &&
    p.top === 0 && p.left === 0 && info.outHeight * 2 <= info.inHeight && info.outWidth * 2 <= info.inWidth
  );
}

/** 2x2/2 max pool: out = the largest non-NaN of the four values (-Infinity when none), as pool(). */
function maxPool2x2(x: Float32Array, info: PoolInfo, out: Float32Array): Float32Array {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  const rowStride = w * c;
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let yr = 0; yr < oh; yr++) {
      const row0 = (b * h + 2 * yr) * rowStride;
      for (let yc = 0; yc < ow; yc++) {
        const i00 = row0 + 2 * yc * c;
        const i10 = i00 + rowStride;
        for (let ch = 0; ch < c; ch++, o++) {
          let m = -Infinity;
          const v0 = x[i00 + ch]!;
          if (v0 > m) m = v0;
          const v1 = x[i00 + c + ch]!;
          if (v1 > m) m = v1;
          const v2 = x[i10 + ch]!;
          if (v2 > m) m = v2;
          const v3 = x[i10 + c + ch]!;
          if (v3 > m) m = v3;
          out[o] = m;
        }
      }
    }
  }
  return out;
}

/** 2x2/2 max-pool gradient: each window's dy to its first maximum (windows do not overlap). */
function maxPoolGrad2x2(x: Float32Array, dy: Float32Array, info: PoolInfo, dx: Float32Array): Float32Array {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  const rowStride = w * c;
  dx.fill(0);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let yr = 0; yr < oh; yr++) {
      const row0 = (b * h + 2 * yr) * rowStride;
      for (let yc = 0; yc < ow; yc++) {
        const i00 = row0 + 2 * yc * c;
        const i10 = i00 + rowStride;
        for (let ch = 0; ch < c; ch++, o++) {
          let m = -Infinity;
          let at = -1;
          const v0 = x[i00 + ch]!;
          if (v0 > m) {
            m = v0;
            at = i00 + ch;
          }
          const v1 = x[i00 + c + ch]!;
          if (v1 > m) {
            m = v1;
            at = i00 + c + ch;
          }
          const v2 = x[i10 + ch]!;
          if (v2 > m) {
            m = v2;
            at = i10 + ch;
          }
          const v3 = x[i10 + c + ch]!;
          if (v3 > m) at = i10 + c + ch;
          if (at >= 0) dx[at] = dy[o]!;
        }
      }
    }
  }
  return dx;
}

/** MaxPool / AvgPool forward into `out` (NHWC). */
export function poolForward(kind: 'max' | 'avg', x: Float32Array, info: PoolInfo, out: Float32Array): Float32Array {
  if (kind === 'max' && is2x2(info)) return maxPool2x2(x, info, out);
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  const acc = new Float64Array(c);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let yr = 0; yr < oh; yr++) {
      const rc = yr * info.strideHeight - info.padInfo.top;
      const r0 = Math.max(0, rc);
      const r1 = Math.min(h, rc + info.effectiveFilterHeight);
      for (let yc = 0; yc < ow; yc++, o += c) {
        const cc = yc * info.strideWidth - info.padInfo.left;
        const c0 = Math.max(0, cc);
        const c1 = Math.min(w, cc + info.effectiveFilterWidth);
        if (kind === 'max') {
          for (let ch = 0; ch < c; ch++) out[o + ch] = -Infinity;
          for (let r = r0; r < r1; r++) {
            for (let col = c0; col < c1; col++) {
              const xi = ((b * h + r) * w + col) * c;
              for (let ch = 0; ch < c; ch++) {
                const v = x[xi + ch]!;
                if (v > out[o + ch]!) out[o + ch] = v;
              }
            }
          }
        } else {
          acc.fill(0);
          for (let r = r0; r < r1; r++) {
            for (let col = c0; col < c1; col++) {
              const xi = ((b * h + r) * w + col) * c;
              for (let ch = 0; ch < c; ch++) acc[ch]! += x[xi + ch]!;
            }
          }
          const count = Math.max(0, r1 - r0) * Math.max(0, c1 - c0);
          for (let ch = 0; ch < c; ch++) out[o + ch] = acc[ch]! / count;
        }
      }
    }
  }
  return out;
}

/** Whether windows overlap (an input position can receive gradient from several windows). */
function overlapping(info: PoolInfo): boolean {
  return info.strideHeight < info.effectiveFilterHeight || info.strideWidth < info.effectiveFilterWidth;
}

/** MaxPoolGrad into `dx` (NHWC, the input's shape): dy of each window to its first maximum. */
export function maxPoolGrad(x: Float32Array, dy: Float32Array, info: PoolInfo, dx: Float32Array): Float32Array {
  if (is2x2(info)) return maxPoolGrad2x2(x, dy, info, dx);
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  const best = new Float64Array(c);
  const pos = new Int32Array(c);
  const acc = overlapping(info) ? new Float64Array(dx.length) : null;
  if (!acc) dx.fill(0);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let yr = 0; yr < oh; yr++) {
      const rc = yr * info.strideHeight - info.padInfo.top;
      const r0 = Math.max(0, rc);
      const r1 = Math.min(h, rc + info.effectiveFilterHeight);
      for (let yc = 0; yc < ow; yc++, o += c) {
        const cc = yc * info.strideWidth - info.padInfo.left;
        const c0 = Math.max(0, cc);
        const c1 = Math.min(w, cc + info.effectiveFilterWidth);
        best.fill(-Infinity);
        pos.fill(-1);
        for (let r = r0; r < r1; r++) {
          for (let col = c0; col < c1; col++) {
            const xi = ((b * h + r) * w + col) * c;
            for (let ch = 0; ch < c; ch++) {
              const v = x[xi + ch]!;
              if (v > best[ch]!) {
                best[ch] = v;
                pos[ch] = xi;
              }
            }
          }
        }
        if (acc) {
          for (let ch = 0; ch < c; ch++) if (pos[ch]! >= 0) acc[pos[ch]! + ch]! += dy[o + ch]!;
        } else {
          for (let ch = 0; ch < c; ch++) if (pos[ch]! >= 0) dx[pos[ch]! + ch] = dy[o + ch]!;
        }
      }
    }
  }
  if (acc) for (let i = 0; i < dx.length; i++) dx[i] = acc[i]!;
  return dx;
}

/** AvgPoolGrad into `dx`: dy / (filterHeight · filterWidth) to every in-bounds position of each window (as TF.js). */
export function avgPoolGrad(dy: Float32Array, info: PoolInfo, dx: Float32Array): Float32Array {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  const mult = 1 / (info.filterHeight * info.filterWidth);
  const acc = overlapping(info) ? new Float64Array(dx.length) : null;
  if (!acc) dx.fill(0);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let yr = 0; yr < oh; yr++) {
      const rc = yr * info.strideHeight - info.padInfo.top;
      const r0 = Math.max(0, rc);
      const r1 = Math.min(h, rc + info.effectiveFilterHeight);
      for (let yc = 0; yc < ow; yc++, o += c) {
        const cc = yc * info.strideWidth - info.padInfo.left;
        const c0 = Math.max(0, cc);
        const c1 = Math.min(w, cc + info.effectiveFilterWidth);
        for (let r = r0; r < r1; r++) {
          for (let col = c0; col < c1; col++) {
            const xi = ((b * h + r) * w + col) * c;
            if (acc) for (let ch = 0; ch < c; ch++) acc[xi + ch]! += dy[o + ch]!;
            else for (let ch = 0; ch < c; ch++) dx[xi + ch] = dy[o + ch]! * mult;
          }
        }
      }
    }
  }
  if (acc) for (let i = 0; i < dx.length; i++) dx[i] = acc[i]! * mult;
  return dx;
}

function forwardKernel(name: 'MaxPool' | 'AvgPool'): KernelFn {
  const fallback = cpuKernel(name);
  return (args) => {
    const { x } = args.inputs as { x?: tf.TensorInfo };
    if (!x || x.shape.length !== 4) return fallback(args);
    const info = poolInfo(x.shape, args.attrs as unknown as PoolAttrs, true);
    if (!eligible(x, info)) return fallback(args);
    const backend = args.backend as OnnxCpuBackend;
    const out = backend.alloc(tf.util.sizeFromShape(info.outShape));
    return backend.out(info.outShape, poolForward(name === 'MaxPool' ? 'max' : 'avg', backend.f32(x), info, out));
  };
}

function maxPoolGradKernel(): KernelFn {
  const fallback = cpuKernel('MaxPoolGrad');
  return (args) => {
    const { dy, input } = args.inputs as { dy?: tf.TensorInfo; input?: tf.TensorInfo };
    if (!dy || !input || input.shape.length !== 4 || dy.dtype !== 'float32') return fallback(args);
    const info = poolInfo(input.shape, args.attrs as unknown as PoolAttrs, true);
    if (!eligible(input, info) || !tf.util.arraysEqual(dy.shape, info.outShape)) return fallback(args);
    const backend = args.backend as OnnxCpuBackend;
    const dx = backend.alloc(tf.util.sizeFromShape(input.shape));
    return backend.out(input.shape, maxPoolGrad(backend.f32(input), backend.f32(dy), info, dx));
  };
}

function avgPoolGradKernel(): KernelFn {
  const fallback = cpuKernel('AvgPoolGrad');
  return (args) => {
    const { dy, input } = args.inputs as { dy?: tf.TensorInfo; input?: tf.TensorInfo };
    if (!dy || !input || input.shape.length !== 4 || dy.dtype !== 'float32') return fallback(args);
    const info = poolInfo(input.shape, args.attrs as unknown as PoolAttrs, false);
    if (!eligible(input, info) || !tf.util.arraysEqual(dy.shape, info.outShape)) return fallback(args);
    const backend = args.backend as OnnxCpuBackend;
    const dx = backend.alloc(tf.util.sizeFromShape(input.shape));
    return backend.out(input.shape, avgPoolGrad(backend.f32(dy), info, dx));
  };
}

/** MaxPool, AvgPool and their gradients for the 'onnx' backend. */
export function poolKernels(): Record<string, KernelFn> {
  return {
    MaxPool: forwardKernel('MaxPool'),
    AvgPool: forwardKernel('AvgPool'),
    MaxPoolGrad: maxPoolGradKernel(),
    AvgPoolGrad: avgPoolGradKernel(),
  };
}
