export { listTempFiles, nodeIo, writeFileAtomic, type AtomicIo } from './atomic.js';
export {
  decodeSafetensors,
  encodeSafetensors,
  fromRawTensor,
  readSafetensors,
  toRawTensor,
  writeSafetensors,
  type RawTensor,
  type SafetensorsData,
  type SafetensorsDtype,
  type SafetensorsFile,
} from './safetensors.js';
