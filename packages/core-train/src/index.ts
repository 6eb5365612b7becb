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
