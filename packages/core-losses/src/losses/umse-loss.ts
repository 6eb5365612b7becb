import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '../errors.js';
import { checkReduction, reduce, type ReductionOptions } from '../reduction.js';
import { asTensor, type TensorInput } from '../validate.js';

/** Options of {@link umseLoss}. */
export type UmseOptions = ReductionOptions;

/**
 * Per-element uMSE terms (a − f)² − (b − c)²/2 from yTrue [...S, K] (K = 3: a, b, c; K = 2: a, b with
 * c := a) and yPred f [...S]. Call inside a tidy; throws ShapeError naming `fn` on bad shapes.
 */
export function umseTerms(yTrue: TensorInput, yPred: TensorInput, fn: string): tf.Tensor {
  const t = asTensor(yTrue, 'yTrue', fn);
  const p = asTensor(yPred, 'yPred', fn);
  const k = t.shape[t.rank - 1];
  const lead = t.shape.slice(0, -1);
  if (t.rank !== p.rank + 1 || (k !== 2 && k !== 3) || lead.some((d, i) => d !== p.shape[i])) {
    throw new ShapeError(
      `${fn}: 'yTrue' must be yPred's shape plus a last axis of 2 or 3 noisy references ([${p.shape},3] or [${p.shape},2]); shapes of 'yTrue' [${t.shape}] and 'yPred' [${p.shape}].`,
      t.shape,
      [...p.shape, 3],
    );
  }
  const refs = tf.unstack(t, t.rank - 1);
  const a = refs[0]!;
  const b = refs[1]!;
  const c = refs[2] ?? a;
  return tf.sub(tf.squaredDifference(a, p), tf.mul(tf.squaredDifference(b, c), 0.5));
}

/**
 * Unsupervised MSE (Marcos-Morales, Leibovich, Mohan, …, Fernandez-Granda, ICML 2023, "Evaluating
 * unsupervised denoising requires unsupervised metrics"): uMSE = (1/n) Σ_i (a_i − f(y)_i)² − (b_i − c_i)²/2,
 * where f(y) (`yPred`) is the denoised estimate of a noisy image y and a, b, c are three further noisy
 * realisations of the same clean image with noise independent of y's and of each other (zero-mean, same
 * variance σ² per pixel). E[(a − f)²] = MSE + σ² and E[(b − c)²]/2 = σ², so uMSE estimates the supervised
 * MSE against the unseen clean image; it is consistent as n grows and can be negative on little data.
 * Inputs: `yTrue` stacks the references along a new last axis, [...S, 3] = (a, b, c); with only two
 * references, [...S, 2] = (a, b) uses c := a, still unbiased by linearity of expectation but with the two
 * terms correlated (the paper's variance analysis assumes three). `yPred` has shape S (any rank).
 * `reduction: 'none'` gives the per-element terms [S]; 'mean' (default) is uMSE. As a training loss it is
 * Noise2Noise's MSE to `a` (Lehtinen et al. 2018) minus a term that does not depend on yPred.
 */
export function umseLoss(yTrue: TensorInput, yPred: TensorInput, options: UmseOptions = {}): tf.Tensor {
  const reduction = checkReduction(options.reduction, 'umseLoss');
  return tf.tidy(() => reduce(umseTerms(yTrue, yPred, 'umseLoss'), reduction));
}
