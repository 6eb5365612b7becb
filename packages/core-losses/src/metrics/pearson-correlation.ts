import * as tf from '@tensorflow/tfjs-core';
import { asTensor, assertSameShape, type TensorInput } from '../validate.js';
import { StatMetric, type Metric } from './metric.js';

/** Options of {@link pearsonCorrelation} (none yet: every element is one observation). */
export type PearsonOptions = Record<string, never>;

/**
 * Pearson correlation r = Σ(y − ȳ)(ŷ − ŷ̄) / √(Σ(y − ȳ)² Σ(ŷ − ŷ̄)²) over all elements (as
 * scipy.stats.pearsonr; two passes, so large common offsets cost no digits), higher is better, in [−1, 1].
 * NaN when either input is constant (as scipy). A scalar tensor.
 */
export function pearsonCorrelation(yTrue: TensorInput, yPred: TensorInput, _options: PearsonOptions = {}): tf.Tensor {
  return tf.tidy(() => {
    const t = asTensor(yTrue, 'yTrue', 'pearsonCorrelation');
    const p = asTensor(yPred, 'yPred', 'pearsonCorrelation');
    assertSameShape(t, p, 'pearsonCorrelation');
    const tc = tf.sub(t, tf.mean(t));
    const pc = tf.sub(p, tf.mean(p));
    return tf.div(tf.sum(tf.mul(tc, pc)), tf.sqrt(tf.mul(tf.sum(tf.square(tc)), tf.sum(tf.square(pc)))));
  });
}

/**
 * Accumulating Pearson r from the sums n, Σy, Σŷ, Σy², Σŷ², Σyŷ (float64 between batches; each batch's sums
 * are float32, so r loses digits when |mean| ≫ std: centre the data first if that matters).
 */
export function createPearsonMetric(): Metric {
  return new StatMetric({
    name: 'pearson',
    higherIsBetter: true,
    stats: (yTrue, yPred) => {
      const t = asTensor(yTrue, 'yTrue', 'pearsonCorrelation');
      const p = asTensor(yPred, 'yPred', 'pearsonCorrelation');
      assertSameShape(t, p, 'pearsonCorrelation');
      return [tf.scalar(t.size), tf.sum(t), tf.sum(p), tf.sum(tf.square(t)), tf.sum(tf.square(p)), tf.sum(tf.mul(t, p))];
    },
    finalize: ([n, st, sp, stt, spp, stp]) => {
      const N = n as number;
      const cov = (stp as number) - ((st as number) * (sp as number)) / N;
      const vt = (stt as number) - ((st as number) * (st as number)) / N;
      const vp = (spp as number) - ((sp as number) * (sp as number)) / N;
      return cov / Math.sqrt(vt * vp);
    },
  });
}
