import * as tf from '@tensorflow/tfjs-core';
import { ValueError } from '../errors.js';
import { checkReduction, reduce, type ReductionOptions } from '../reduction.js';
import { asTensor, assertRank, assertSameShape, positive, type TensorInput } from '../validate.js';
import { l2Normalize, logSoftmaxLast } from './distillation-utils.js';

/** Options of {@link infoNceLoss}: at most one of `logitScale`, `scale`, `temperature` (default logitScale ln(1/0.07)). */
export interface InfoNceOptions extends ReductionOptions {
  /**
   * CLIP's learnable log-scale s: logits are multiplied by exp(min(s, ln 100)). A number, or a scalar tensor —
   * typically a `tf.variable` trained with the model; the gradient flows to it (and is 0 while s > ln 100,
   * where the clamp holds it, as CLIP clamps the scale at 100).
   */
  logitScale?: number | tf.Tensor;
  /** A fixed multiplier on the cosine similarities (> 0). */
  scale?: number;
  /** A fixed temperature τ > 0: the multiplier is 1/τ. */
  temperature?: number;
}

/** CLIP's initial logit scale, ln(1/0.07). */
export const CLIP_INIT_LOGIT_SCALE = Math.log(1 / 0.07);
const LN_100 = Math.log(100);

/**
 * Symmetric InfoNCE (CLIP, Radford et al. 2021, "Learning Transferable Visual Models From Natural Language
 * Supervision"; InfoNCE: van den Oord et al. 2018): for paired embeddings a = yTrue [B, D] (e.g. teacher or image
 * side) and b = yPred [B, D], both L2-normalised, logits L = scale · â b̂ᵀ and, per pair i,
 * ℓ_i = ½(−log softmax(L_{i,:})_i − log softmax(L_{:,i})_i) — cross-entropy both ways with the matching pair as
 * the class. `'none'` gives [B], `'mean'` is CLIP's loss, `'sum'` B times it. There is no zero-loss prediction.
 * Stable at scale 100 with nearly identical embeddings (log-softmax is max-shifted; the norm is clamped at 1e-12).
 */
export function infoNceLoss(yTrue: TensorInput, yPred: TensorInput, options: InfoNceOptions = {}): tf.Tensor {
  const fn = 'infoNceLoss';
  const { logitScale, scale, temperature, ...rest } = options;
  const given = (['logitScale', 'scale', 'temperature'] as const).filter((k) => options[k] !== undefined);
  if (given.length > 1) {
    throw new ValueError(`${fn}: options 'logitScale', 'scale' and 'temperature' exclude each other. Given: ${given.join(', ')}.`);
  }
  if (scale !== undefined) positive(scale, 'scale', fn);
  if (temperature !== undefined) positive(temperature, 'temperature', fn);
  if (typeof logitScale === 'number' && !Number.isFinite(logitScale)) {
    throw new ValueError(`${fn}: option 'logitScale' must be a finite number or a scalar tensor. Value: ${logitScale}.`);
  }
  if (logitScale !== undefined && typeof logitScale !== 'number' && !(logitScale instanceof tf.Tensor && logitScale.size === 1)) {
    const shape = logitScale instanceof tf.Tensor ? `tensor of shape [${logitScale.shape}]` : String(logitScale);
    throw new ValueError(`${fn}: option 'logitScale' must be a finite number or a scalar tensor. Value: ${shape}.`);
  }
  const reduction = checkReduction(rest.reduction, fn);
  return tf.tidy(() => {
    const a = asTensor(yTrue, 'yTrue', fn);
    const b = asTensor(yPred, 'yPred', fn);
    assertSameShape(a, b, fn);
    assertRank(b, 2, 'yPred', fn);
    const n = b.shape[0]!;
    const multiplier: tf.Tensor | number =
      logitScale instanceof tf.Tensor
        ? tf.exp(tf.minimum(tf.reshape(tf.cast(logitScale, 'float32'), []), LN_100))
        : scale ?? (temperature !== undefined ? 1 / temperature : Math.exp(Math.min(logitScale ?? CLIP_INIT_LOGIT_SCALE, LN_100)));
    const logits = tf.mul(tf.matMul(l2Normalize(a, -1), l2Normalize(b, -1), false, true), multiplier);
    const eye = tf.eye(n);
    const rows = tf.neg(tf.sum(tf.mul(logSoftmaxLast(logits), eye), -1));
    const cols = tf.neg(tf.sum(tf.mul(logSoftmaxLast(tf.transpose(logits)), eye), -1));
    return reduce(tf.mul(tf.add(rows, cols), 0.5), reduction);
  });
}
