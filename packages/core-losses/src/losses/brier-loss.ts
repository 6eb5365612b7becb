import * as tf from '@tensorflow/tfjs-core';
import { checkReduction, reduce, type ReductionOptions } from '../reduction.js';
import { asTensor, oneOf, type TensorInput } from '../validate.js';
import { checkClassAxis, checkFlag } from './categorical-cross-entropy.js';

/** Options of {@link brierLoss}. */
export interface BrierOptions extends ReductionOptions {
  /** `yPred` holds logits (softmax is applied over the last axis). Default false. */
  fromLogits?: boolean;
  /**
   * How the per-class squared errors of one sample combine. 'sum' (default): Brier's original multi-class score,
   * range [0, 2], equal to sklearn.metrics.brier_score_loss on an (n, C) probability matrix (sklearn ≥ 1.7,
   * scale_by_half='auto') and, with C = 1, to the binary sklearn score. 'mean': divided by C (the element-wise MSE).
   */
  classReduction?: 'sum' | 'mean';
}

/**
 * Multi-class Brier score Σ_c (p_c − z_c)² per sample over the last (class) axis (Brier, "Verification of forecasts
 * expressed in terms of probability", Monthly Weather Review 1950), or its mean over classes with
 * `classReduction: 'mean'`. `none` keeps one value per sample; 'mean' over samples is sklearn's brier_score_loss.
 */
export function brierLoss(yTrue: TensorInput, yPred: TensorInput, { fromLogits = false, classReduction = 'sum', ...rest }: BrierOptions = {}): tf.Tensor {
  const fn = 'brierLoss';
  checkBrierOptions({ fromLogits, classReduction }, fn);
  const reduction = checkReduction(rest.reduction, fn);
  return tf.tidy(() => reduce(brierPerSample(yTrue, yPred, { fromLogits, classReduction }, fn), reduction));
}

/** Per-sample Brier terms (the last axis reduced), for {@link brierLoss} and the Brier metric; call inside a tidy. */
export function brierPerSample(yTrue: TensorInput, yPred: TensorInput, { fromLogits = false, classReduction = 'sum' }: Omit<BrierOptions, 'reduction'>, fn: string): tf.Tensor {
  const t = asTensor(yTrue, 'yTrue', fn);
  const x = asTensor(yPred, 'yPred', fn);
  checkClassAxis(t, x, fn);
  const p = fromLogits ? tf.softmax(x, -1) : x;
  const se = tf.squaredDifference(p, t);
  return classReduction === 'sum' ? tf.sum(se, -1) : tf.mean(se, -1);
}

/** Checks `fromLogits` and `classReduction` (ValueError naming the option and value). */
export function checkBrierOptions({ fromLogits = false, classReduction = 'sum' }: Omit<BrierOptions, 'reduction'>, fn: string): void {
  checkFlag(fromLogits, 'fromLogits', fn);
  oneOf(classReduction, ['sum', 'mean'], 'classReduction', fn);
}
