import * as tf from '@tensorflow/tfjs-core';
import { checkReduction } from '../reduction.js';
import { ValueError } from '../errors.js';
import type { TensorInput } from '../validate.js';
import { reduceMasked } from './distillation-utils.js';
import { checkNumberTokenOptions, numberTokenSetup, type NumberTokenOptions } from './number-token.js';

/** Options of {@link ntlMseLoss}. */
export interface NtlMseOptions extends NumberTokenOptions {
  /** Exponent p ≥ 1 of |ŷ − y|^p: 2 is NTL-MSE (default), 1 NTL-MAE. */
  p?: number;
}

/**
 * |d|^p with the gradient p·|d|^{p−1}·sign(d), sign(0) = 0 (as torch): |d| is written d·sign(d) because tf.abs's
 * own gradient at 0 is −1, which would push a perfect p = 1 prediction away from its target. (No tf.customGrad:
 * the wasm backend's leak check flags it.)
 */
function absPow(d: tf.Tensor, p: number): tf.Tensor {
  return tf.pow(tf.mul(d, tf.sign(d)), p);
}

/**
 * Number-token loss, Lp variant NTL-MSE (Zausinger et al. 2025, "Regress, Don't Guess – A Regression-like Loss on
 * Number Tokens for Language Models", ICML): with p = softmax over the logits of the K number tokens only
 * (yPred [..., V] → [..., K]) and token values v_k, the expected value ŷ = Σ_k p_k v_k is regressed on the target y:
 *
 *   ℓ = |ŷ − y|^p   (p = 2: (ŷ − y)², as the `ntloss` package's NTLossDotProduct with mse_loss).
 *
 * Positions, targets and reductions as {@link ntlWasLoss}. Note that ŷ can equal y while the mass sits on wrong
 * tokens (e.g. half on y − 1, half on y + 1); NTL-WAS does not have that blind spot.
 */
export function ntlMseLoss(yTrue: TensorInput, yPred: TensorInput, { p = 2, ...options }: NtlMseOptions = {}): tf.Tensor {
  const fn = 'ntlMseLoss';
  if (!(typeof p === 'number' && p >= 1 && Number.isFinite(p))) throw new ValueError(`${fn}: option 'p' must be a finite number >= 1. Value: ${p}.`);
  checkNumberTokenOptions(options, fn);
  const reduction = checkReduction(options.reduction, fn);
  return tf.tidy(() => {
    const { probs, values, target, weights } = numberTokenSetup(yTrue, yPred, options, fn);
    const diff = tf.sub(tf.sum(tf.mul(probs, values), -1), target);
    const lp = p === 2 ? tf.square(diff) : absPow(diff, p);
    return reduceMasked(lp, weights, reduction);
  });
}
