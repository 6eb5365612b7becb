import { CoreError } from '@lossworks/core-losses';

export { CoreError, ShapeError, UnknownKeyError, ValueError } from '@lossworks/core-losses';

/** A tensor backend could not be selected or initialised. */
export class BackendError extends CoreError {
  override name = 'BackendError';
}

/** A checkpoint could not be written, read or resumed. */
export class CheckpointError extends CoreError {
  override name = 'CheckpointError';
}

/** A model could not be exported to ONNX (unsupported layer, bad file). */
export class OnnxExportError extends CoreError {
  override name = 'OnnxExportError';
}

/** Input data is missing or malformed; the message names the file and what is wrong. */
export class DataError extends CoreError {
  override name = 'DataError';
  constructor(
    message: string,
    readonly file?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
