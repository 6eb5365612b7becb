export { BackendError, CheckpointError, DataError, OnnxExportError } from './errors.js';
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
// Training: optimizers, schedules, data, checkpoints, fit, callbacks, distillation.
export * from './optimizers/index.js';
export * from './schedules/index.js';
export * from './data/index.js';
export * from './checkpoint/index.js';
