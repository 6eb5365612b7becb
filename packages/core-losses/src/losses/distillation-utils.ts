// Internal helpers of the distribution and distillation losses (not exported from the package index).
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, ValueError } from '../errors.js';
import type { Reduction } from '../reduction.js';
import { asTensor, type TensorInput } from '../validate.js';

/** A sample of points: rank 2 [N, D] as is, rank 1 [N] as N points in one dimension; anything else is a ShapeError. */
export function asPointCloud(x: TensorInput, arg: string, fn: string): tf.Tensor2D {
  const t = asTensor(x, arg, fn);
  if (t.rank === 1) return tf.reshape(t, [t.shape[0]!, 1]);
  if (t.rank !== 2) {
    throw new ShapeError(`${fn}: '${arg}' must be a sample of points [N, D] (or [N]). Shape: [${t.shape}].`, t.shape, [-1, -1]);
  }
  if (t.shape[0] === 0) throw new ShapeError(`${fn}: '${arg}' must hold at least one point. Shape: [${t.shape}].`, t.shape, [-1, -1]);
  return t as tf.Tensor2D;
}

/** Throws ShapeError unless two point clouds live in the same dimension D. */
export function assertSameDim(x: tf.Tensor2D, y: tf.Tensor2D, fn: string): void {
  if (x.shape[1] !== y.shape[1]) {
    throw new ShapeError(
      `${fn}: 'yTrue' [${x.shape}] and 'yPred' [${y.shape}] must be points of the same dimension (last axis ${x.shape[1]} vs ${y.shape[1]}).`,
      y.shape,
      [-1, x.shape[1]],
    );
  }
}

/**
 * Squared Euclidean distances ‖x_i − y_j‖² [N, M], from explicit differences (not ‖x‖² + ‖y‖² − 2x·y), so that
 * coincident points give exactly 0 and nearby points keep their precision.
 */
export function pairwiseSqDist(x: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor2D {
  return tf.sum(tf.square(tf.sub(tf.expandDims(x, 1), tf.expandDims(y, 0))), -1) as tf.Tensor2D;
}

/** x / max(‖x‖₂, eps) along `axis` (torch.nn.functional.normalize); the clamp keeps the gradient finite at x = 0. */
export function l2Normalize(x: tf.Tensor, axis: number, eps = 1e-12): tf.Tensor {
  const sq = tf.sum(tf.square(x), axis, true);
  return tf.mul(x, tf.rsqrt(tf.maximum(sq, eps * eps)));
}

/**
 * Reduction of per-position losses with per-position weights w (0 = ignored): 'none' keeps w·ℓ, 'sum' gives Σ w·ℓ,
 * 'mean' gives Σ w·ℓ / Σ w — the mean over valid positions, as torch's cross_entropy with ignore_index — and 0
 * when no position is valid (torch gives NaN there; 0 keeps a training step finite).
 */
export function reduceMasked(losses: tf.Tensor, weights: tf.Tensor, reduction: Reduction): tf.Tensor {
  const w = tf.mul(losses, weights);
  if (reduction === 'none') return w;
  const total = tf.sum(w);
  if (reduction === 'sum') return total;
  const den = tf.sum(weights);
  return tf.div(total, tf.where(tf.greater(den, 0), den, tf.onesLike(den)));
}

/** Throws ValueError unless `value` is an integer ≥ `min`. */
export function integerAtLeast(value: number, min: number, option: string, fn: string): number {
  if (!(typeof value === 'number' && Number.isInteger(value) && value >= min)) {
    throw new ValueError(`${fn}: option '${option}' must be an integer >= ${min}. Value: ${value}.`);
  }
  return value;
}

/**
 * Token ids (yTrue) for logits [..., V]: checks the shape is yPred's without its last axis and that every id is an
 * integer in [0, V) or `ignoreIndex` (one read of the ids; a wrong id would otherwise be a silent all-zero one-hot).
 * Returns the ids clamped into [0, V) as int32 and a float 0/1 tensor marking the positions that are not ignored.
 */
export function tokenIds(
  yTrue: TensorInput,
  logits: tf.Tensor,
  ignoreIndex: number,
  fn: string,
): { ids: tf.Tensor; kept: tf.Tensor } {
  const t = asTensor(yTrue, 'yTrue', fn);
  const expected = logits.shape.slice(0, -1);
  if (t.rank !== expected.length || t.shape.some((d, i) => d !== expected[i])) {
    throw new ShapeError(
      `${fn}: 'yTrue' (token ids) must have the shape of 'yPred' (logits) without its last axis: expected [${expected}], got [${t.shape}] for yPred [${logits.shape}].`,
      t.shape,
      expected,
    );
  }
  const v = logits.shape[logits.rank - 1]!;
  const data = t.dataSync();
  for (let i = 0; i < data.length; i++) {
    const id = data[i]!;
    if (id !== ignoreIndex && !(Number.isInteger(id) && id >= 0 && id < v)) {
      throw new ValueError(`${fn}: 'yTrue' must hold token ids, integers in [0, ${v}) or ignoreIndex ${ignoreIndex}. Value: ${id} at flat index ${i}.`);
    }
  }
  const kept = tf.cast(tf.notEqual(t, ignoreIndex), 'float32');
  const ids = tf.cast(tf.clipByValue(t, 0, v - 1), 'int32');
  return { ids, kept };
}

/** A per-position weight tensor from an optional `mask` option of the given shape (ShapeError naming it otherwise). */
export function maskWeights(mask: TensorInput | undefined, shape: number[], fn: string): tf.Tensor | undefined {
  if (mask === undefined) return undefined;
  const m = asTensor(mask, 'mask', fn);
  if (m.rank !== shape.length || m.shape.some((d, i) => d !== shape[i])) {
    throw new ShapeError(`${fn}: option 'mask' must have shape [${shape}] (one weight per position). Shape: [${m.shape}].`, m.shape, shape);
  }
  return m;
}

/**
 * log softmax over the last axis as x − logSumExp(x) (max-shifted, so ±1e4 logits stay finite). Not tf.logSoftmax:
 * that op is a tf.customGrad, which the wasm backend's per-kernel leak check (on under IS_TEST) reports as a leak.
 */
export function logSoftmaxLast(x: tf.Tensor): tf.Tensor {
  return tf.sub(x, tf.logSumExp(x, -1, true));
}
