import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '../errors.js';
import { asTensor, assertSameShape, oneOf, type TensorInput } from '../validate.js';
import { StatMetric, type Metric } from './metric.js';

/** Options of {@link r2Score}. */
export interface R2Options {
  /**
   * 'flatten' (default): every element is one output. 'uniform_average' / 'variance_weighted': the last
   * axis holds the outputs (sklearn's 2-D convention): R² per output, then averaged plainly or weighted
   * by each output's total sum of squares.
   */
  multioutput?: 'flatten' | 'uniform_average' | 'variance_weighted';
}

const FN = 'r2Score';
const MODES = ['flatten', 'uniform_average', 'variance_weighted'] as const;

/** Rows × outputs view of the inputs for a multioutput mode. */
function asColumns(x: tf.Tensor, mode: R2Options['multioutput']): tf.Tensor2D {
  const cols = mode === 'flatten' || x.rank === 0 ? 1 : (x.shape[x.rank - 1] as number);
  return tf.reshape(x, [-1, cols]) as tf.Tensor2D;
}

/** R² per output from SS_res and SS_tot (sklearn's force_finite: SS_tot = 0 gives 1 if SS_res = 0, else 0). */
function scores(ssRes: tf.Tensor, ssTot: tf.Tensor): tf.Tensor {
  const varying = tf.greater(ssTot, 0); // depends on yTrue only: no gradient needed through it
  const ratio = tf.div(ssRes, tf.where(varying, ssTot, tf.onesLike(ssTot)));
  // greaterEqual(0, SS_res) is SS_res = 0; it is the comparison with a registered (zero) gradient.
  return tf.where(varying, tf.sub(1, ratio), tf.cast(tf.greaterEqual(0, ssRes), 'float32'));
}

function average(r2: tf.Tensor, ssTot: tf.Tensor, mode: R2Options['multioutput']): tf.Tensor {
  if (mode !== 'variance_weighted') return tf.mean(r2);
  const total = tf.sum(ssTot);
  // all outputs constant: no weights, fall back to the plain mean (as sklearn)
  return tf.where(tf.greater(total, 0), tf.div(tf.sum(tf.mul(r2, ssTot)), tf.where(tf.greater(total, 0), total, tf.onesLike(total))), tf.mean(r2));
}

/**
 * Coefficient of determination R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)² (as sklearn r2_score, computed in two
 * passes), higher is better: 1 is perfect, 0 predicts as well as the mean, < 0 worse. A constant target
 * scores 1 if predicted exactly, else 0 (sklearn's force_finite). A scalar tensor.
 */
export function r2Score(yTrue: TensorInput, yPred: TensorInput, { multioutput = 'flatten' }: R2Options = {}): tf.Tensor {
  oneOf(multioutput, MODES, 'multioutput', FN);
  return tf.tidy(() => {
    const t = asTensor(yTrue, 'yTrue', FN);
    const p = asTensor(yPred, 'yPred', FN);
    assertSameShape(t, p, FN);
    const tc = asColumns(t, multioutput);
    const pc = asColumns(p, multioutput);
    const ssRes = tf.sum(tf.squaredDifference(tc, pc), 0);
    const ssTot = tf.sum(tf.square(tf.sub(tc, tf.mean(tc, 0))), 0);
    return average(scores(ssRes, ssTot), ssTot, multioutput);
  });
}

/**
 * Accumulating R² (update per batch, compute at the end) from per-output sums n, Σy, Σy², Σ(y − ŷ)²,
 * kept in float64. Per-batch sums are float32, so SS_tot = Σy² − (Σy)²/n loses digits when |mean| ≫ std.
 */
export function createR2Metric({ multioutput = 'flatten' }: R2Options = {}): Metric {
  oneOf(multioutput, MODES, 'multioutput', 'createR2Metric');
  let outputs: number | undefined;
  return new StatMetric({
    name: 'r2',
    higherIsBetter: true,
    stats: (yTrue, yPred) => {
      const t = asTensor(yTrue, 'yTrue', FN);
      const p = asTensor(yPred, 'yPred', FN);
      assertSameShape(t, p, FN);
      const tc = asColumns(t, multioutput);
      const cols = tc.shape[1];
      if (outputs !== undefined && cols !== outputs) {
        throw new ShapeError(`createR2Metric: batch has ${cols} outputs (last axis) but earlier batches had ${outputs}.`, t.shape, [-1, outputs]);
      }
      outputs = cols;
      const pc = asColumns(p, multioutput);
      return [tf.scalar(tc.shape[0]), ...tf.unstack(tf.sum(tc, 0)), ...tf.unstack(tf.sum(tf.square(tc), 0)), ...tf.unstack(tf.sum(tf.squaredDifference(tc, pc), 0))];
    },
    finalize: (s) => {
      const c = (s.length - 1) / 3;
      const n = s[0] as number;
      const r2: number[] = [];
      const tot: number[] = [];
      for (let j = 0; j < c; j++) {
        const sum = s[1 + j] as number;
        const ssTot = Math.max((s[1 + c + j] as number) - (sum * sum) / n, 0);
        const ssRes = s[1 + 2 * c + j] as number;
        tot.push(ssTot);
        r2.push(ssTot > 0 ? 1 - ssRes / ssTot : ssRes === 0 ? 1 : 0);
      }
      const totalTot = tot.reduce((a, b) => a + b, 0);
      if (multioutput === 'variance_weighted' && totalTot > 0) return r2.reduce((a, v, j) => a + v * (tot[j] as number), 0) / totalTot;
      return r2.reduce((a, b) => a + b, 0) / c;
    },
  });
}
