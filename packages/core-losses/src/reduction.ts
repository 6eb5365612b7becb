import * as tf from '@tensorflow/tfjs-core';
import { ValueError } from './errors.js';

/** How per-element losses become the result: kept, averaged or summed. */
export type Reduction = 'none' | 'mean' | 'sum';

/** The `reduction` option every reducible loss accepts. Default 'mean'. */
export interface ReductionOptions {
  reduction?: Reduction;
}

const REDUCTIONS: readonly Reduction[] = ['none', 'mean', 'sum'];

/** Checks a reduction option up front, before any tensor work. */
export function checkReduction(reduction: unknown, fn: string): Reduction {
  if (reduction === undefined) return 'mean';
  if (!REDUCTIONS.includes(reduction as Reduction)) {
    throw new ValueError(`${fn}: option 'reduction' must be one of ${REDUCTIONS.join(', ')}. Value: ${String(reduction)}.`);
  }
  return reduction as Reduction;
}

/** Applies a reduction to per-element losses (call inside the loss's tidy). */
export function reduce(losses: tf.Tensor, reduction: Reduction): tf.Tensor {
  switch (reduction) {
    case 'none':
      return losses;
    case 'sum':
      return tf.sum(losses);
    case 'mean':
      return tf.mean(losses);
  }
}

/** Reduction with per-element weights: 'mean' divides by the sum of weights (as torch's weighted losses). */
export function reduceWeighted(losses: tf.Tensor, weights: tf.Tensor, reduction: Reduction): tf.Tensor {
  const w = tf.mul(losses, weights);
  switch (reduction) {
    case 'none':
      return w;
    case 'sum':
      return tf.sum(w);
    case 'mean':
      return tf.div(tf.sum(w), tf.sum(tf.broadcastTo(weights, losses.shape)));
  }
}
