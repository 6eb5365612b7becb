import * as tf from '@tensorflow/tfjs-core';
import { ValueError } from '../errors.js';
import { checkReduction, reduce, type ReductionOptions } from '../reduction.js';
import { asTensor, assertSameShape, type TensorInput } from '../validate.js';
import { l2Normalize } from './distillation-utils.js';

/** Options of {@link featureMseLoss}. */
export interface FeatureMseOptions extends ReductionOptions {
  /** L2-normalise teacher and student features along `axis` at every position first. Default false. */
  normalize?: boolean;
  /** The feature (channel) axis for `normalize`; negative counts from the end. Default −1 (channels last). */
  axis?: number;
}

/**
 * Feature-matching hint loss (FitNets, Romero et al. 2015, "FitNets: Hints for Thin Deep Nets"): element-wise
 * (s − t)² between teacher features t = yTrue and student features s = yPred of the same shape (any rank; the
 * student's regressor to the teacher's width is the caller's layer). With `normalize`, both are first divided by
 * max(‖·‖₂, 1e-12) along `axis` (torch.nn.functional.normalize), which makes the loss scale-free:
 * Σ_c (ŝ − t̂)² = 2 − 2 cos(s, t) per position.
 */
export function featureMseLoss(yTrue: TensorInput, yPred: TensorInput, { normalize = false, axis = -1, ...rest }: FeatureMseOptions = {}): tf.Tensor {
  const fn = 'featureMseLoss';
  if (typeof normalize !== 'boolean') throw new ValueError(`${fn}: option 'normalize' must be a boolean. Value: ${String(normalize)}.`);
  if (!Number.isInteger(axis)) throw new ValueError(`${fn}: option 'axis' must be an integer. Value: ${axis}.`);
  const reduction = checkReduction(rest.reduction, fn);
  return tf.tidy(() => {
    let t = asTensor(yTrue, 'yTrue', fn);
    let s = asTensor(yPred, 'yPred', fn);
    assertSameShape(t, s, fn);
    if (normalize) {
      if (axis < -s.rank || axis >= s.rank) {
        throw new ValueError(`${fn}: option 'axis' must be in [${-s.rank}, ${s.rank - 1}] for rank-${s.rank} features. Value: ${axis}.`);
      }
      t = l2Normalize(t, axis);
      s = l2Normalize(s, axis);
    }
    return reduce(tf.squaredDifference(s, t), reduction);
  });
}
