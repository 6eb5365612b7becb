import * as tf from '@tensorflow/tfjs-core';
import { checkReduction, reduce, type ReductionOptions } from '../reduction.js';
import { asTensor, assertRankAtLeast, assertSameShape, oneOf, positive, type TensorInput } from '../validate.js';
import { logSoftmaxLast } from './distillation-utils.js';

/** Options of {@link kdKlLoss}. */
export interface KdKlOptions extends ReductionOptions {
  /** Softening temperature τ > 0. Default 1 (Hinton et al. use 1–20). */
  temperature?: number;
  /**
   * What yTrue and yPred hold along their last (class) axis: `'logits'` (default; the stable path) or
   * `'probabilities'` (each row is turned into log-probabilities first; see {@link kdKlLoss}).
   */
  inputs?: 'logits' | 'probabilities';
}

/** Smallest normal float32: log() of anything below it loses precision, and its reciprocal stays finite. */
const FLOAT32_MIN_NORMAL = 1.1754943508222875e-38;
/** Stand-in for log(0): exp(−1e30/τ) is exactly 0 for every τ ≤ 1e29, and the value stays finite. */
const LOG_ZERO = -1e30;

/**
 * log p with exact zeros (and negatives) mapped to a huge negative finite logit, so they keep zero mass at every
 * temperature. Built from tf.step (gradient 0) rather than tf.where(tf.greater(...)): tfjs has no gradient for
 * comparison ops on the differentiated path.
 */
function logProbabilities(p: tf.Tensor): tf.Tensor {
  const isZero = tf.sub(1, tf.step(p));
  return tf.add(tf.log(tf.maximum(p, FLOAT32_MIN_NORMAL)), tf.mul(isZero, LOG_ZERO));
}

/**
 * Knowledge-distillation KL divergence (Hinton, Vinyals & Dean 2015, "Distilling the Knowledge in a Neural
 * Network"): per row, τ² · KL(softmax(t/τ) ‖ softmax(s/τ)) = τ² Σ_c p_c (log p_c − log q_c) with teacher
 * t = yTrue and student s = yPred, both [..., C] with classes on the last axis. The τ² factor keeps the gradient
 * scale independent of τ.
 *
 * Reductions act on rows: `'none'` gives [...] (one KL per row), `'mean'` averages rows — for [B, C] inputs this is
 * torch's `kl_div(log_softmax(s/τ), log_softmax(t/τ), log_target=True, reduction='batchmean') · τ²` (for
 * [B, T, C], torch's batchmean divides by B only, i.e. our `'sum'` / B) — and `'sum'` adds them.
 *
 * Numerics: both sides go through log-softmax (max-shifted), so logits of ±1e4 at τ = 0.5 stay finite in value
 * and gradient. With `inputs: 'probabilities'` rows are mapped to logits log p (then softened as softmax(log p / τ),
 * i.e. p^{1/τ} renormalised); probabilities down to 1e-30 are exact, below the float32 normal range (1.2e-38) they
 * are clamped, and an exact 0 keeps zero mass at every τ (a student 0 where the teacher has mass gives a huge but
 * finite value). Prefer logits: a probability that already underflowed to 0 cannot be re-softened.
 */
export function kdKlLoss(yTrue: TensorInput, yPred: TensorInput, { temperature = 1, inputs = 'logits', ...rest }: KdKlOptions = {}): tf.Tensor {
  positive(temperature, 'temperature', 'kdKlLoss');
  oneOf(inputs, ['logits', 'probabilities'], 'inputs', 'kdKlLoss');
  const reduction = checkReduction(rest.reduction, 'kdKlLoss');
  return tf.tidy(() => {
    const t = asTensor(yTrue, 'yTrue', 'kdKlLoss');
    const s = asTensor(yPred, 'yPred', 'kdKlLoss');
    assertSameShape(t, s, 'kdKlLoss');
    assertRankAtLeast(s, 1, 'yPred', 'kdKlLoss');
    const toLogits = inputs === 'logits' ? (x: tf.Tensor) => x : logProbabilities;
    const logP = logSoftmaxLast(tf.div(toLogits(t), temperature));
    const logQ = logSoftmaxLast(tf.div(toLogits(s), temperature));
    const kl = tf.sum(tf.mul(tf.exp(logP), tf.sub(logP, logQ)), -1);
    return reduce(tf.mul(kl, temperature * temperature), reduction);
  });
}
