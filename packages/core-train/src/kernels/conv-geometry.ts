// Convolution geometry shared by the ONNX graphs (conv-graphs.ts) and the op-composed gradients
// (conv-ops.ts): TF.js's conv info turned into the pads that ONNX needs.

/** Convolution geometry in TF.js terms, with the ONNX pads that reproduce TF.js's output size (bottom/right negative: unused trailing input rows). */
export interface ConvGeometry {
  n: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  kH: number;
  kW: number;
  sH: number;
  sW: number;
  dH: number;
  dW: number;
  /** Padding before/after each spatial axis (TF.js's padInfo, bottom/right adjusted to the output size). */
  top: number;
  bottom: number;
  left: number;
  right: number;
  /** Depthwise: outC = inC · multiplier. */
  depthwise: boolean;
  multiplier: number;
}

/** The subset of TF.js's Conv2DInfo used here (tf.backend_util.computeConv2DInfo). */
export interface TfConvInfo {
  batchSize: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  filterHeight: number;
  filterWidth: number;
  padInfo: { top: number; bottom: number; left: number; right: number };
}

/**
 * Geometry from TF.js's conv info. The bottom/right pads are recomputed so that ONNX's
 * floor((in + pads − effective kernel) / stride) + 1 equals TF.js's output size: TF.js may round up
 * ('same', ceil rounding: extra zero rows) or leave trailing input rows unused (valid with stride > 1).
 */
export function geometryOf(info: TfConvInfo, depthwise: boolean): ConvGeometry {
  const effH = (info.filterHeight - 1) * info.dilationHeight + 1;
  const effW = (info.filterWidth - 1) * info.dilationWidth + 1;
  const { top, left } = info.padInfo;
  const bottom = (info.outHeight - 1) * info.strideHeight + effH - info.inHeight - top;
  const right = (info.outWidth - 1) * info.strideWidth + effW - info.inWidth - left;
  return {
    n: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    kH: info.filterHeight,
    kW: info.filterWidth,
    sH: info.strideHeight,
    sW: info.strideWidth,
    dH: info.dilationHeight,
    dW: info.dilationWidth,
    top,
    left,
    // Negative: the last input rows are never read (cropped by a Slice in the graphs).
    bottom,
    right,
    depthwise,
    multiplier: depthwise ? info.outChannels / info.inChannels : 1,
  };
}

/** A stable cache key for a geometry. */
export function geometryKey(g: ConvGeometry): string {
  return [g.n, g.inH, g.inW, g.inC, g.outH, g.outW, g.outC, g.kH, g.kW, g.sH, g.sW, g.dH, g.dW, g.top, g.bottom, g.left, g.right, g.depthwise ? 'dw' : 'c'].join(',');
}
