// Shared set-up of the number-token losses (ntl-was-loss.ts, ntl-mse-loss.ts); internal.
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, ValueError } from '../errors.js';
import type { ReductionOptions } from '../reduction.js';
import { asTensor, assertRankAtLeast, oneOf, type TensorInput } from '../validate.js';
import { maskWeights, tokenIds } from './distillation-utils.js';

/** Options shared by {@link ntlWasLoss} and {@link ntlMseLoss}. */
export interface NumberTokenOptions extends ReductionOptions {
  /**
   * The number tokens: token id → numeric value (e.g. the ids of "0" … "9" → 0 … 9), as a Map or a plain object
   * (JSON keys are strings). Ids must be integers in [0, V). Default: every token k of the V has value k
   * (ordinal classes).
   */
  tokenValues?: ReadonlyMap<number, number> | Readonly<Record<string, number>>;
  /**
   * What yTrue holds: `'ids'` (default) — target token ids [...], as a language model's labels; positions whose
   * target is not a number token (or is `ignoreIndex`) are ignored — or `'values'`: target numbers [...]
   * directly, every position valid unless `mask` says otherwise.
   */
  targets?: 'ids' | 'values';
  /** Per-position weights with the shape of yTrue (1 keep, 0 ignore). */
  mask?: TensorInput;
  /** With `targets: 'ids'`, a label id that marks ignored positions. Default −100. */
  ignoreIndex?: number;
}

/** What both losses need: number-token probabilities, the token values, targets and per-position weights. */
export interface NumberTokenSetup {
  /** softmax over the number-token logits only [..., K]. */
  probs: tf.Tensor;
  /** Values of the K number tokens [K]. */
  values: tf.Tensor;
  /** Target numbers [...] (0 where a position is invalid). */
  target: tf.Tensor;
  /** Per-position weights [...]: 0 where ignored. */
  weights: tf.Tensor;
}

/** Checks the options that need no tensors (call before tf.tidy). */
export function checkNumberTokenOptions(options: NumberTokenOptions, fn: string): void {
  oneOf(options.targets ?? 'ids', ['ids', 'values'], 'targets', fn);
  if (options.ignoreIndex !== undefined && !Number.isInteger(options.ignoreIndex)) {
    throw new ValueError(`${fn}: option 'ignoreIndex' must be an integer. Value: ${options.ignoreIndex}.`);
  }
}

/** The sorted (id, value) pairs of the number tokens, checked against the vocabulary size V. */
function numberTokens(tokenValues: NumberTokenOptions['tokenValues'], v: number, fn: string): Array<[number, number]> {
  if (tokenValues === undefined) return Array.from({ length: v }, (_, k) => [k, k]);
  if (typeof tokenValues !== 'object' || tokenValues === null) {
    throw new ValueError(`${fn}: option 'tokenValues' must be a Map or an object from token id to value. Value: ${String(tokenValues)}.`);
  }
  const entries: Array<[unknown, unknown]> = tokenValues instanceof Map ? [...tokenValues.entries()] : Object.entries(tokenValues);
  if (entries.length === 0) throw new ValueError(`${fn}: option 'tokenValues' must name at least one number token. Value: {}.`);
  const pairs = entries.map(([key, value]): [number, number] => {
    const id = typeof key === 'number' ? key : Number(key);
    if (!(Number.isInteger(id) && id >= 0 && id < v)) {
      throw new ValueError(`${fn}: option 'tokenValues' keys must be token ids, integers in [0, ${v}). Value: ${String(key)}.`);
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new ValueError(`${fn}: option 'tokenValues' values must be finite numbers. Value: ${String(value)} for token ${id}.`);
    }
    return [id, value];
  });
  pairs.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < pairs.length; i++) {
    if (pairs[i]![0] === pairs[i - 1]![0]) throw new ValueError(`${fn}: option 'tokenValues' names token ${pairs[i]![0]} twice.`);
  }
  return pairs;
}

/**
 * logits[..., ids] as a product with a one-hot [V, K] selection matrix: the gradient of tf.gather needs the
 * UnsortedSegmentSum kernel, which the wasm backend lacks.
 */
function selectColumns(logits: tf.Tensor, ids: number[]): tf.Tensor {
  const v = logits.shape[logits.rank - 1]!;
  const select = tf.transpose(tf.cast(tf.oneHot(tf.tensor1d(ids, 'int32'), v), 'float32'));
  // ±∞ logits (masked vocabulary entries) would give 0·∞ = NaN in the product: clamp them to ±1e30 first.
  const flat = tf.reshape(tf.clipByValue(logits, -1e30, 1e30), [-1, v]);
  return tf.reshape(tf.matMul(flat, select), [...logits.shape.slice(0, -1), ids.length]);
}

/** Builds probabilities, values, targets and weights (call inside tf.tidy). */
export function numberTokenSetup(yTrue: TensorInput, yPred: TensorInput, options: NumberTokenOptions, fn: string): NumberTokenSetup {
  const { tokenValues, targets = 'ids', mask, ignoreIndex = -100 } = options;
  const logits = asTensor(yPred, 'yPred', fn);
  assertRankAtLeast(logits, 1, 'yPred', fn);
  const v = logits.shape[logits.rank - 1]!;
  const pairs = numberTokens(tokenValues, v, fn);
  const ids = pairs.map(([id]) => id);
  const values = tf.tensor1d(pairs.map(([, value]) => value));
  const probs = tf.softmax(ids.length === v ? logits : selectColumns(logits, ids));
  const posShape = logits.shape.slice(0, -1);
  let target: tf.Tensor;
  let weights: tf.Tensor;
  if (targets === 'ids') {
    const { ids: labels, kept } = tokenIds(yTrue, logits, ignoreIndex, fn);
    const table = new Float32Array(v);
    const isNumber = new Float32Array(v);
    for (const [id, value] of pairs) {
      table[id] = value;
      isNumber[id] = 1;
    }
    target = tf.gather(tf.tensor1d(table), labels);
    weights = tf.mul(kept, tf.gather(tf.tensor1d(isNumber), labels));
  } else {
    target = asTensor(yTrue, 'yTrue', fn);
    if (target.rank !== posShape.length || target.shape.some((d, i) => d !== posShape[i])) {
      throw new ShapeError(
        `${fn}: with targets 'values', 'yTrue' must have the shape of 'yPred' without its last axis [${posShape}]. Shape: [${target.shape}].`,
        target.shape,
        posShape,
      );
    }
    weights = tf.onesLike(target);
  }
  const m = maskWeights(mask, posShape, fn);
  if (m) weights = tf.mul(weights, m);
  return { probs, values, target, weights };
}
