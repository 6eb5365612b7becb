import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, ValueError } from '../errors.js';
import { checkReduction, type ReductionOptions } from '../reduction.js';
import { asTensor, assertRankAtLeast, type TensorInput } from '../validate.js';
import { logSoftmaxLast, maskWeights, reduceMasked, tokenIds } from './distillation-utils.js';

/** Options of {@link seqKdLoss}. */
export interface SeqKdOptions extends ReductionOptions {
  /**
   * Valid length of each sequence, [B] integers in [0, T], for logits [B, T, V]: positions t ≥ lengths[b] are
   * ignored (padding after the teacher's end of sequence).
   */
  lengths?: TensorInput;
  /** Per-token weights with the shape of yTrue (1 keep, 0 ignore); combined with `lengths` and `ignoreIndex`. */
  mask?: TensorInput;
  /** A token id that marks ignored positions (torch's ignore_index). Default −100. */
  ignoreIndex?: number;
}

/**
 * Sequence-level knowledge distillation (Kim & Rush 2016, "Sequence-Level Knowledge Distillation"): the student
 * is trained by cross-entropy on the teacher's decoded tokens, ℓ_{b,t} = −log softmax(s_{b,t})[ŷ_{b,t}], with
 * yTrue = teacher token ids [..., T] (integers, e.g. beam-search output) and yPred = student logits [..., T, V].
 *
 * Positions are valid unless beyond `lengths`, weighted 0 by `mask`, or equal to `ignoreIndex`; `'none'` gives
 * [..., T] with 0 at invalid positions, `'mean'` (default) the mean over valid tokens Σ w·ℓ / Σ w (0 when none is
 * valid), `'sum'` Σ w·ℓ — as torch's `cross_entropy(..., ignore_index)`. Ids are checked on the host (one read);
 * an id outside [0, V) throws ValueError. Not a tfjs-layers `compile` loss as is: the targets [B, T] are not
 * the shape of the logits [B, T, V].
 */
export function seqKdLoss(yTrue: TensorInput, yPred: TensorInput, { lengths, mask, ignoreIndex = -100, ...rest }: SeqKdOptions = {}): tf.Tensor {
  const fn = 'seqKdLoss';
  if (!Number.isInteger(ignoreIndex)) throw new ValueError(`${fn}: option 'ignoreIndex' must be an integer. Value: ${ignoreIndex}.`);
  const reduction = checkReduction(rest.reduction, fn);
  return tf.tidy(() => {
    const logits = asTensor(yPred, 'yPred', fn);
    assertRankAtLeast(logits, 2, 'yPred', fn);
    const { ids, kept } = tokenIds(yTrue, logits, ignoreIndex, fn);
    const posShape = logits.shape.slice(0, -1);
    const v = logits.shape[logits.rank - 1]!;
    let weights = kept;
    const m = maskWeights(mask, posShape, fn);
    if (m) weights = tf.mul(weights, m);
    if (lengths !== undefined) weights = tf.mul(weights, lengthMask(lengths, posShape, fn));
    const nll = tf.neg(tf.sum(tf.mul(tf.oneHot(ids, v), logSoftmaxLast(logits)), -1));
    return reduceMasked(nll, weights, reduction);
  });
}

/** [B, T] 0/1 mask t < lengths[b], after checking lengths is [B] integers in [0, T]. */
function lengthMask(lengths: TensorInput, posShape: number[], fn: string): tf.Tensor {
  if (posShape.length !== 2) {
    throw new ShapeError(`${fn}: option 'lengths' needs logits [B, T, V]; use 'mask' for other ranks. yPred positions: [${posShape}].`, posShape, [-1, -1]);
  }
  const [b, t] = posShape as [number, number];
  const len = asTensor(lengths, 'lengths', fn);
  if (len.rank !== 1 || len.shape[0] !== b) {
    throw new ShapeError(`${fn}: option 'lengths' must have shape [${b}] (one length per sequence). Shape: [${len.shape}].`, len.shape, [b]);
  }
  for (const l of len.dataSync()) {
    if (!(Number.isInteger(l) && l >= 0 && l <= t)) throw new ValueError(`${fn}: option 'lengths' must hold integers in [0, ${t}]. Value: ${l}.`);
  }
  return tf.cast(tf.less(tf.reshape(tf.range(0, t), [1, t]), tf.reshape(len, [b, 1])), 'float32');
}
