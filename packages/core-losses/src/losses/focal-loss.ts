import * as tf from '@tensorflow/tfjs-core';
import { ValueError } from '../errors.js';
import { checkReduction, reduce, type ReductionOptions } from '../reduction.js';
import { asTensor, assertSameShape, nonNegative, oneOf, type TensorInput } from '../validate.js';
import { checkBinaryOptions, probabilityBce, sigmoidCrossEntropyWithLogits } from './binary-cross-entropy.js';
import { checkClassAxis, logProbabilities } from './categorical-cross-entropy.js';

/** Options of {@link focalLoss}. */
export interface FocalLossOptions extends ReductionOptions {
  /**
   * 'binary' (default): element-wise sigmoid focal loss, `none` keeps the input shape. 'categorical': softmax
   * focal loss over the last (class) axis, `none` drops that axis.
   */
  mode?: 'binary' | 'categorical';
  /** Focusing parameter γ ≥ 0 (γ = 0 gives α-weighted cross-entropy). Default 2 (the paper's choice). */
  gamma?: number;
  /**
   * Class weight α. Binary: α ∈ [0, 1] weighs positives and 1 − α negatives. Categorical: one α ∈ [0, 1] for every
   * class (Keras) or an array of C non-negative per-class weights. `null` turns weighting off. Default 0.25 (paper).
   */
  alpha?: number | readonly number[] | null;
  /** `yPred` holds logits rather than probabilities. Default false. */
  fromLogits?: boolean;
  /** Probability path only: p is clipped to [ε, 1 − ε]; ε ∈ [1e-7, 0.5). Default 1e-7. */
  eps?: number;
}

// 1 − p_t is floored here before the power: (1 − p_t)^γ has an infinite derivative at 0 when γ < 1, and 0·∞ = NaN.
// Where the floor binds the true gradient is below ~1e-30 anyway.
const TINY = 1e-30;

/**
 * Focal loss FL = −α_t·(1 − p_t)^γ·log p_t (Lin et al., "Focal Loss for Dense Object Detection", ICCV 2017).
 * Binary (as torchvision.ops.sigmoid_focal_loss, soft targets allowed): p_t = p·z + (1 − p)(1 − z),
 * α_t = α·z + (1 − α)(1 − z), and −log p_t is the binary cross-entropy (stable on logits, see
 * {@link sigmoidCrossEntropyWithLogits}). Categorical (as Keras CategoricalFocalCrossentropy):
 * −Σ_c α_c·(1 − p_c)^γ·z_c·log p_c over the last axis, log p from log-softmax on logits.
 */
export function focalLoss(
  yTrue: TensorInput,
  yPred: TensorInput,
  { mode = 'binary', gamma = 2, alpha = 0.25, fromLogits = false, eps = 1e-7, ...rest }: FocalLossOptions = {},
): tf.Tensor {
  const fn = 'focalLoss';
  oneOf(mode, ['binary', 'categorical'], 'mode', fn);
  nonNegative(gamma, 'gamma', fn);
  checkBinaryOptions(fn, 0, eps, fromLogits);
  checkAlpha(alpha, mode, fn);
  const reduction = checkReduction(rest.reduction, fn);
  return tf.tidy(() => {
    const t = asTensor(yTrue, 'yTrue', fn);
    const p = asTensor(yPred, 'yPred', fn);
    if (mode === 'binary') {
      assertSameShape(t, p, fn);
      let ce: tf.Tensor;
      let q: tf.Tensor; // 1 − p_t = p(1 − z) + (1 − p)z, from σ(x) and σ(−x) on logits so that it keeps its digits
      if (fromLogits) {
        ce = sigmoidCrossEntropyWithLogits(p, t);
        q = tf.add(tf.mul(tf.sigmoid(p), tf.sub(1, t)), tf.mul(tf.sigmoid(tf.neg(p)), t));
      } else {
        const pc = tf.clipByValue(p, eps, 1 - eps);
        ce = probabilityBce(t, p, eps);
        q = tf.add(tf.mul(pc, tf.sub(1, t)), tf.mul(tf.sub(1, pc), t));
      }
      let losses = tf.mul(tf.pow(tf.maximum(q, TINY), gamma), ce);
      if (alpha !== null) losses = tf.mul(losses, tf.add(tf.mul(t, alpha as number), tf.mul(tf.sub(1, t), 1 - (alpha as number))));
      return reduce(losses, reduction);
    }
    const c = checkClassAxis(t, p, fn);
    if (Array.isArray(alpha) && alpha.length !== c) {
      throw new ValueError(`${fn}: option 'alpha' must have one weight per class (${c}). Value: [${alpha.join(', ')}].`);
    }
    const logp = logProbabilities(p, fromLogits, eps);
    const prob = fromLogits ? tf.exp(logp) : tf.clipByValue(p, eps, 1 - eps);
    let terms = tf.mul(tf.pow(tf.maximum(tf.sub(1, prob), TINY), gamma), tf.mul(t, logp));
    if (alpha !== null) terms = tf.mul(terms, typeof alpha === 'number' ? alpha : tf.tensor1d(alpha as number[]));
    return reduce(tf.neg(tf.sum(terms, -1)), reduction);
  });
}

function checkAlpha(alpha: unknown, mode: 'binary' | 'categorical', fn: string): void {
  if (alpha === null) return;
  if (typeof alpha === 'number') {
    if (!(alpha >= 0 && alpha <= 1)) throw new ValueError(`${fn}: option 'alpha' must be in [0, 1] or null. Value: ${alpha}.`);
    return;
  }
  if (mode === 'categorical' && Array.isArray(alpha) && alpha.every((a) => typeof a === 'number' && a >= 0 && Number.isFinite(a))) return;
  const shown = Array.isArray(alpha) ? `[${alpha.join(', ')}]` : String(alpha);
  throw new ValueError(
    `${fn}: option 'alpha' must be a number in [0, 1], null${mode === 'categorical' ? ', or an array of non-negative per-class weights' : ''}. Value: ${shown}.`,
  );
}
