import * as tf from '@tensorflow/tfjs-core';
import { ValueError } from '../errors.js';
import { checkReduction, reduce, type ReductionOptions } from '../reduction.js';
import { asTensor, positive, type TensorInput } from '../validate.js';
import { checkClassAxis } from './categorical-cross-entropy.js';

/** Options of {@link zLoss}. */
export interface ZLossOptions extends ReductionOptions {
  /**
   * Sharpness a > 0 of the softplus. The paper tunes a and b per task and prescribes no default; a = 1, b = 1 are
   * our neutral starting point (z_c lies in [−√(C − 1), √(C − 1)]). Default 1.
   */
  a?: number;
  /** Location b (finite) of the softplus hinge on the z-score of the target class. Default 1. */
  b?: number;
  /**
   * Variance floor: σ = √(var + ε) so that constant outputs give z = 0 instead of 0/0 (and a finite gradient);
   * negligible against any real spread of the outputs in float32. Default 1e-12.
   */
  eps?: number;
}

/**
 * Z-loss of the spherical family (de Brébisson & Vincent, "The Z-loss: a shift and scale invariant classification
 * loss belonging to the Spherical Family", arXiv:1604.08859, 2016): with μ and σ the mean and (population) standard
 * deviation of the outputs o over the class axis and z_k = (o_k − μ)/σ, L = (1/a)·softplus(a·(b − z_c)) for the
 * target class c. Shift- and scale-invariant in o. Soft targets give the expectation Σ_k y_k·(1/a)·softplus(a(b − z_k)).
 * This is NOT PaLM's auxiliary log-partition penalty (also called "z-loss"). `none` drops the class axis; C ≥ 2.
 */
export function zLoss(yTrue: TensorInput, yPred: TensorInput, { a = 1, b = 1, eps = 1e-12, ...rest }: ZLossOptions = {}): tf.Tensor {
  const fn = 'zLoss';
  positive(a, 'a', fn);
  if (!(typeof b === 'number' && Number.isFinite(b))) throw new ValueError(`${fn}: option 'b' must be a finite number. Value: ${String(b)}.`);
  positive(eps, 'eps', fn);
  const reduction = checkReduction(rest.reduction, fn);
  return tf.tidy(() => {
    const t = asTensor(yTrue, 'yTrue', fn);
    const o = asTensor(yPred, 'yPred', fn);
    checkClassAxis(t, o, fn, 2);
    const centred = tf.sub(o, tf.mean(o, -1, true));
    const sigma = tf.sqrt(tf.add(tf.mean(tf.square(centred), -1, true), eps));
    const z = tf.div(centred, sigma);
    // softplus(u) = log(1 + e^u) is evaluated stably by tfjs (thresholded), and |u| ≤ a(|b| + √(C − 1)) here anyway.
    const perClass = tf.div(tf.softplus(tf.mul(tf.sub(b, z), a)), a);
    return reduce(tf.sum(tf.mul(t, perClass), -1), reduction);
  });
}
