// @lossworks/core-train/onnx: TF.js → ONNX export and onnxruntime-node inference.
// Supported tfjs-layers classes: ONNX_LOWERINGS' keys (each has a parity test against onnxruntime);
// other layers take a lowering through ExportOnnxOptions.customLayers or a toOnnx() method.
export {
  exportOnnx,
  toOnnx,
  type ExportOnnxOptions,
  type OnnxBuild,
  type OnnxExportResult,
  type OnnxIoInfo,
  type OnnxLayerLowering,
  type OnnxLoweringContext,
  type OnnxModelInfo,
} from './export.js';
export {
  OnnxPredictor,
  type OnnxArray,
  type OnnxInput,
  type OnnxOutput,
  type OnnxPredictorOptions,
  type OnnxTensorInfo,
} from './predictor.js';
export { LOWERINGS as ONNX_LOWERINGS } from './layers.js';
export { SUPPORTED_ACTIVATIONS as ONNX_ACTIVATIONS } from './activations.js';
export { attr, decodeModel, encodeModel, type OnnxAttr, type OnnxModelSpec, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './proto.js';
export { OnnxExportError } from '../errors.js';
