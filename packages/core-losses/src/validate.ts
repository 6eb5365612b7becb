import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, ValueError } from './errors.js';

/** Anything a loss accepts as an input: a tensor or nested numbers. */
export type TensorInput = tf.Tensor | tf.TensorLike;

/** Converts an input to a float32 tensor, naming the argument when it cannot. */
export function asTensor(x: TensorInput, arg: string, fn: string): tf.Tensor {
  if (x instanceof tf.Tensor) return x.dtype === 'float32' ? x : tf.cast(x, 'float32');
  try {
    return tf.tensor(x as tf.TensorLike, undefined, 'float32');
  } catch (err) {
    throw new ValueError(`${fn}: argument '${arg}' must be a tensor or nested numeric array.`, { cause: err });
  }
}

/** Throws ShapeError unless two tensors have the same shape. */
export function assertSameShape(a: tf.Tensor, b: tf.Tensor, fn: string, names: [string, string] = ['yTrue', 'yPred']): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new ShapeError(`${fn}: shapes of '${names[0]}' [${a.shape}] and '${names[1]}' [${b.shape}] must match.`, b.shape, a.shape);
  }
}

/** Throws ShapeError unless the tensor has at least `min` dimensions. */
export function assertRankAtLeast(x: tf.Tensor, min: number, arg: string, fn: string): void {
  if (x.rank < min) {
    throw new ShapeError(`${fn}: '${arg}' must have rank >= ${min}. Shape: [${x.shape}].`, x.shape, new Array<number>(min).fill(-1));
  }
}

/** Throws ShapeError unless the tensor has exactly `rank` dimensions. */
export function assertRank(x: tf.Tensor, rank: number, arg: string, fn: string): void {
  if (x.rank !== rank) {
    throw new ShapeError(`${fn}: '${arg}' must have rank ${rank}. Shape: [${x.shape}].`, x.shape, new Array<number>(rank).fill(-1));
  }
}

/** Option checks: each throws ValueError naming the function, option and value. */
export function positive(value: number, option: string, fn: string): number {
  if (!(typeof value === 'number' && value > 0 && Number.isFinite(value))) {
    throw new ValueError(`${fn}: option '${option}' must be > 0. Value: ${value}.`);
  }
  return value;
}

export function nonNegative(value: number, option: string, fn: string): number {
  if (!(typeof value === 'number' && value >= 0 && Number.isFinite(value))) {
    throw new ValueError(`${fn}: option '${option}' must be >= 0. Value: ${value}.`);
  }
  return value;
}

export function inRange(value: number, lo: number, hi: number, option: string, fn: string, { loOpen = false, hiOpen = false } = {}): number {
  const okLo = loOpen ? value > lo : value >= lo;
  const okHi = hiOpen ? value < hi : value <= hi;
  if (!(typeof value === 'number' && okLo && okHi)) {
    throw new ValueError(`${fn}: option '${option}' must be in ${loOpen ? '(' : '['}${lo}, ${hi}${hiOpen ? ')' : ']'}. Value: ${value}.`);
  }
  return value;
}

export function oneOf<T extends string>(value: T, allowed: readonly T[], option: string, fn: string): T {
  if (!allowed.includes(value)) {
    throw new ValueError(`${fn}: option '${option}' must be one of ${allowed.join(', ')}. Value: ${String(value)}.`);
  }
  return value;
}
