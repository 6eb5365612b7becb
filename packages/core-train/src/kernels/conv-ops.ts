// Convolution gradients composed from forward TF.js ops, for any backend, any stride, dilation and
// padding (NHWC). They back the dilated-conv gradients on backends without dilation-aware backprop
// kernels (cpu, wasm, tfjs-node) and the kernels that wasm lacks (Conv2DBackpropFilter,
// DepthwiseConv2dNativeBackpropInput/Filter). Only forward kernels run (Conv2D, DepthwiseConv2dNative,
// Pad, Slice, Transpose, Reverse, Mul, Sum), all of which every TF.js backend has.
import * as tf from '@tensorflow/tfjs';
import { geometryOf, type ConvGeometry, type TfConvInfo } from './conv-geometry.js';

/** The TF.js attributes that define a convolution's geometry. */
export interface ConvSpec {
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** Geometry of an NHWC convolution of `xShape` by `filterShape`. */
export function convGeometry(xShape: readonly number[], filterShape: readonly number[], spec: ConvSpec, depthwise: boolean): ConvGeometry {
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    spec.strides,
    spec.dilations ?? 1,
    spec.pad as 'same',
    spec.dimRoundingMode,
    depthwise,
    'channelsLast',
  );
  return geometryOf(info as unknown as TfConvInfo, depthwise);
}

/** Inserts s−1 zero rows (columns) between the rows (columns) of an NHWC tensor. */
function zeroInsert(x: tf.Tensor4D, sH: number, sW: number): tf.Tensor4D {
  let y = x;
  const [n, h, w, c] = y.shape;
  if (sH > 1) {
    const z = tf.zeros([n, h, sH - 1, w, c]);
    y = tf.reshape(tf.concat([tf.reshape(y, [n, h, 1, w, c]), z], 2), [n, h * sH, w, c]);
    y = tf.slice(y, [0, 0, 0, 0], [n, (h - 1) * sH + 1, w, c]);
  }
  if (sW > 1) {
    const [n2, h2, w2, c2] = y.shape;
    const z = tf.zeros([n2, h2, w2, sW - 1, c2]);
    y = tf.reshape(tf.concat([tf.reshape(y, [n2, h2, w2, 1, c2]), z], 3), [n2, h2, w2 * sW, c2]);
    y = tf.slice(y, [0, 0, 0, 0], [n2, h2, (w2 - 1) * sW + 1, c2]);
  }
  return y;
}

/**
 * dx of an NHWC convolution (or depthwise convolution): a stride-1 convolution of dy (zero-inserted
 * when the forward stride is > 1) with the filter flipped spatially and its in/out axes swapped,
 * padded by (dilated kernel − 1 − forward padding) before and whatever restores the input size after.
 */
export function convInputGrad(xShape: readonly number[], dy: tf.Tensor4D, filter: tf.Tensor4D, spec: ConvSpec, depthwise: boolean): tf.Tensor4D {
  return tf.tidy(() => {
    const geo = convGeometry(xShape, filter.shape, spec, depthwise);
    const up = zeroInsert(dy, geo.sH, geo.sW);
    const [, upH, upW] = up.shape;
    const effH = (geo.kH - 1) * geo.dH + 1;
    const effW = (geo.kW - 1) * geo.dW + 1;
    const top = effH - 1 - geo.top;
    const left = effW - 1 - geo.left;
    const bottom = geo.inH - 1 + effH - upH - top;
    const right = geo.inW - 1 + effW - upW - left;
    // Negative pads: rows of dy that no input position reaches (padding wider than the kernel).
    const cropped = tf.slice(up, [0, Math.max(0, -top), Math.max(0, -left), 0], [-1, upH - Math.max(0, -top) - Math.max(0, -bottom), upW - Math.max(0, -left) - Math.max(0, -right), -1]);
    const pads: [[number, number], [number, number], [number, number], [number, number]] = [
      [0, 0],
      [Math.max(0, top), Math.max(0, bottom)],
      [Math.max(0, left), Math.max(0, right)],
      [0, 0],
    ];
    const flipped = tf.reverse(filter, [0, 1]) as tf.Tensor4D;
    const dil: [number, number] = [geo.dH, geo.dW];
    if (!depthwise) return tf.conv2d(cropped, tf.transpose(flipped, [0, 1, 3, 2]), 1, pads, 'NHWC', dil);
    const m = geo.multiplier;
    if (m === 1) return tf.depthwiseConv2d(cropped, flipped, 1, pads, 'NHWC', dil);
    // dx[c] = Σ_j conv(dy[c·m + j], flip(w[:, :, c, j])): one depthwise conv per multiplier index.
    const [n, h, w] = cropped.shape;
    const perJ = tf.split(tf.reshape(cropped, [n, h, w, geo.inC, m]), m, 4);
    const wJ = tf.split(flipped, m, 3);
    return tf.addN(perJ.map((d, j) => tf.depthwiseConv2d(tf.reshape(d, [n, h, w, geo.inC]) as tf.Tensor4D, wJ[j] as tf.Tensor4D, 1, pads, 'NHWC', dil)));
  });
}

/** The forward input zero-padded so that every tap of every output position is in range. */
function paddedInput(x: tf.Tensor4D, geo: ConvGeometry): tf.Tensor4D {
  const needH = (geo.kH - 1) * geo.dH + (geo.outH - 1) * geo.sH + 1;
  const needW = (geo.kW - 1) * geo.dW + (geo.outW - 1) * geo.sW + 1;
  const xp = tf.pad(x, [
    [0, 0],
    [geo.top, Math.max(0, needH - geo.inH - geo.top)],
    [geo.left, Math.max(0, needW - geo.inW - geo.left)],
    [0, 0],
  ]);
  return tf.slice(xp, [0, 0, 0, 0], [-1, needH, needW, -1]);
}

/**
 * dw of an NHWC convolution. Regular: the padded input with channels and batch swapped
 * ([C, H, W, N]) convolved ('valid') with dy as the filter ([outH, outW, N, outC]), stride = forward
 * dilation and dilation = forward stride (one of them is 1), then [C, kh, kw, out] → [kh, kw, C, out].
 * Depthwise: per tap, Σ over batch and positions of (strided slice of the padded input) · dy.
 */
export function convFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: readonly number[], spec: ConvSpec, depthwise: boolean): tf.Tensor4D {
  return tf.tidy(() => {
    const geo = convGeometry(x.shape, filterShape, spec, depthwise);
    const xp = paddedInput(x, geo);
    if (!depthwise) {
      const xT = tf.transpose(xp, [3, 1, 2, 0]) as tf.Tensor4D;
      const dyT = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
      const r = tf.conv2d(xT, dyT, [geo.dH, geo.dW], 'valid', 'NHWC', [geo.sH, geo.sW]);
      return tf.transpose(r, [1, 2, 0, 3]) as tf.Tensor4D;
    }
    const m = geo.multiplier;
    const dy5 = tf.reshape(dy, [geo.n, geo.outH, geo.outW, geo.inC, m]);
    const taps: tf.Tensor[] = [];
    for (let kh = 0; kh < geo.kH; kh++) {
      for (let kw = 0; kw < geo.kW; kw++) {
        const h0 = kh * geo.dH;
        const w0 = kw * geo.dW;
        const xs = tf.stridedSlice(xp, [0, h0, w0, 0], [geo.n, h0 + (geo.outH - 1) * geo.sH + 1, w0 + (geo.outW - 1) * geo.sW + 1, geo.inC], [1, geo.sH, geo.sW, 1]);
        taps.push(tf.sum(tf.mul(tf.reshape(xs, [geo.n, geo.outH, geo.outW, geo.inC, 1]), dy5), [0, 1, 2]));
      }
    }
    return tf.reshape(tf.stack(taps), [geo.kH, geo.kW, geo.inC, m]) as tf.Tensor4D;
  });
}
