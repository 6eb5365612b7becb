/** Base class of every error core-losses throws on purpose. */
export class CoreError extends Error {
  override name = 'CoreError';
}

/** An option or argument value out of its domain. */
export class ValueError extends CoreError {
  override name = 'ValueError';
}

/** Tensor shapes that do not fit together. */
export class ShapeError extends CoreError {
  override name = 'ShapeError';
  constructor(
    message: string,
    readonly actualShape: readonly number[],
    readonly expectedShape: readonly number[],
  ) {
    super(message);
  }
}

/** A name looked up in a registry that does not hold it; the message lists the known names. */
export class UnknownKeyError extends CoreError {
  override name = 'UnknownKeyError';
  constructor(
    readonly kind: string,
    readonly key: string,
    readonly known: readonly string[],
  ) {
    super(`Unknown ${kind} '${key}'. Known: ${known.join(', ')}.`);
  }
}
