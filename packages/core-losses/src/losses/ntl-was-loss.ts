import * as tf from '@tensorflow/tfjs-core';
import { checkReduction } from '../reduction.js';
import type { TensorInput } from '../validate.js';
import { reduceMasked } from './distillation-utils.js';
import { checkNumberTokenOptions, numberTokenSetup, type NumberTokenOptions } from './number-token.js';

/** Options of {@link ntlWasLoss}. */
export type NtlWasOptions = NumberTokenOptions;

/**
 * Number-token loss, Wasserstein variant NTL-WAS (Zausinger et al. 2025, "Regress, Don't Guess – A Regression-like
 * Loss on Number Tokens for Language Models", ICML; the `ntloss` package's default): with p = softmax over the
 * logits of the K number tokens only (yPred [..., V] → [..., K]) and token values v_k, the Wasserstein-1 distance
 * between Σ_k p_k δ_{v_k} and the target δ_y,
 *
 *   W₁ = Σ_k p_k |v_k − y|  (= ∫ |F_p − F_y|, the 1-D closed form over the sorted values),
 *
 * at every position whose target is a number token (`targets: 'ids'`) or every masked-in position
 * (`targets: 'values'`). `'none'` gives [...] with 0 at ignored positions, `'mean'` the mean over valid positions
 * (0 if none), `'sum'` their sum. Used beside cross-entropy (the paper adds λ·NTL, e.g. λ = 0.3).
 */
export function ntlWasLoss(yTrue: TensorInput, yPred: TensorInput, options: NtlWasOptions = {}): tf.Tensor {
  const fn = 'ntlWasLoss';
  checkNumberTokenOptions(options, fn);
  const reduction = checkReduction(options.reduction, fn);
  return tf.tidy(() => {
    const { probs, values, target, weights } = numberTokenSetup(yTrue, yPred, options, fn);
    const w1 = tf.sum(tf.mul(probs, tf.abs(tf.sub(values, tf.expandDims(target, -1)))), -1);
    return reduceMasked(w1, weights, reduction);
  });
}
