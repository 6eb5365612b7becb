export { BackendError, CheckpointError, DataError, OnnxExportError } from './errors.js';
// The base error classes from @lossworks/core-losses, so callers can catch them without importing it.
export { CoreError, ShapeError, UnknownKeyError, ValueError } from './errors.js';
export {
  BACKEND_ORDER,
  describeSelection,
  registerBackendLoader,
  selectBackend,
  type BackendAttempt,
  type BackendName,
  type BackendSelection,
  type ModuleImporter,
  type SelectBackendOptions,
} from './backend.js';
// Gradients of dilated convolutions and missing training kernels, on every backend (selectBackend calls it).
export { installKernelsAndGradients } from './kernels/gradients.js';
// Training: optimizers, schedules, data, checkpoints, fit, callbacks, distillation.
export * from './optimizers/index.js';
export * from './schedules/index.js';
export * from './data/index.js';
export * from './checkpoint/index.js';
// ONNX export and inference (onnxruntime-node is imported lazily, on OnnxPredictor.load); more at '@lossworks/core-train/onnx'.
export {
  exportOnnx,
  toOnnx,
  OnnxPredictor,
  type ExportOnnxOptions,
  type OnnxBuild,
  type OnnxExportResult,
  type OnnxIoInfo,
  type OnnxLayerLowering,
  type OnnxLoweringContext,
  type OnnxModelInfo,
  type OnnxInput,
  type OnnxOutput,
  type OnnxPredictorOptions,
  type OnnxTensorInfo,
} from './onnx/index.js';
// Run reports: one self-contained HTML file with inline SVG plots (vega and resvg load lazily, on write); more at '@lossworks/core-train/report'.
export {
  Report,
  readJsonlLog,
  parseJsonlLog,
  historySeries,
  type HistoryLike,
  type ImageOptions,
  type ImageSource,
  type LossCurveOptions,
  type ReportFiles,
  type ReportOptions,
  type TableOptions,
  type TableRows,
} from './report/index.js';
export * from './fit/index.js';
export * from './distill/index.js';
export * from './callbacks/index.js';
