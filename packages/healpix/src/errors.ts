/** Base class of every error @lossworks/healpix throws on purpose (bad arguments, inconsistent maps). */
export class HealpixError extends Error {
  override name = 'HealpixError';
}

/** A FITS file that cannot be read or written; `file` names it and the message says what is wrong. */
export class FitsError extends HealpixError {
  override name = 'FitsError';
  constructor(
    readonly file: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${detail}`, options);
  }
}
