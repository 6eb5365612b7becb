import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, ValueError } from '../errors.js';
import { latitudeWeightTensor } from '../losses/latitude-weights.js';
import { asTensor, assertSameShape, type TensorInput } from '../validate.js';
import { StatMetric, type Metric } from './metric.js';

/** Options of {@link anomalyCorrelation}. */
export interface AccOptions {
  /** The climatology c the anomalies are taken from: a number or a tensor that broadcasts to yTrue (e.g. [lat, lon]). Required. */
  climatology: number | TensorInput;
  /** Latitudes in degrees along `latAxis` for area weights cos φ / mean cos φ (as WeatherBench). Default: unweighted. */
  latitudes?: ArrayLike<number>;
  /** The latitude axis (negative counts from the end). Default −2. */
  latAxis?: number;
  /** Subtract the (weighted) mean anomaly of each input first: the centred ACC. Default false (uncentred, as WeatherBench 2). */
  centered?: boolean;
}

const FN = 'anomalyCorrelation';

/** Anomalies ŷ − c and y − c and their weights (1 without latitudes), all of yTrue's shape. */
function anomalies(yTrue: TensorInput, yPred: TensorInput, { climatology, latitudes, latAxis }: AccOptions, fn: string): { f: tf.Tensor; o: tf.Tensor; w: tf.Tensor } {
  if (climatology === undefined || climatology === null) {
    throw new ValueError(`${fn}: option 'climatology' is required: the mean state the anomalies are taken from. Value: ${String(climatology)}.`);
  }
  const t = asTensor(yTrue, 'yTrue', fn);
  const p = asTensor(yPred, 'yPred', fn);
  assertSameShape(t, p, fn);
  const c = typeof climatology === 'number' ? tf.scalar(climatology) : asTensor(climatology, 'climatology', fn);
  const fits = c.rank <= t.rank && c.shape.every((d, i) => d === 1 || d === t.shape[t.rank - c.rank + i]);
  if (!fits) throw new ShapeError(`${fn}: option 'climatology' [${c.shape}] does not broadcast to 'yTrue' [${t.shape}].`, c.shape, t.shape);
  const w = latitudes === undefined ? tf.onesLike(t) : tf.broadcastTo(latitudeWeightTensor(t.shape, { latitudes, latAxis }, fn).w, t.shape);
  return { f: tf.sub(p, c), o: tf.sub(t, c), w };
}

function checkCentered(centered: unknown, fn: string): boolean {
  if (centered === undefined) return false;
  if (typeof centered !== 'boolean') throw new ValueError(`${fn}: option 'centered' must be a boolean. Value: ${String(centered)}.`);
  return centered;
}

/**
 * Anomaly correlation coefficient ACC = Σw f′o′ / √(Σw f′² · Σw o′²) with f′ = ŷ − c, o′ = y − c the
 * forecast and observed anomalies from a climatology c (WMO; Jolliffe & Stephenson 2012; WeatherBench 2,
 * Rasp et al. 2024), optionally latitude-weighted and centred; higher is better, in [−1, 1]. Pooled over
 * every element (one number; per-time ACC is a call per time step). NaN when an anomaly is all zero.
 */
export function anomalyCorrelation(yTrue: TensorInput, yPred: TensorInput, options: AccOptions): tf.Tensor {
  const centered = checkCentered(options?.centered, FN);
  return tf.tidy(() => {
    const a = anomalies(yTrue, yPred, options ?? ({} as AccOptions), FN);
    const w = a.w;
    let { f, o } = a;
    if (centered) {
      const sw = tf.sum(w);
      f = tf.sub(f, tf.div(tf.sum(tf.mul(w, f)), sw));
      o = tf.sub(o, tf.div(tf.sum(tf.mul(w, o)), sw));
    }
    const num = tf.sum(tf.mul(w, tf.mul(f, o)));
    return tf.div(num, tf.sqrt(tf.mul(tf.sum(tf.mul(w, tf.square(f))), tf.sum(tf.mul(w, tf.square(o))))));
  });
}

/** Accumulating ACC from weighted anomaly sums (float64 between batches); the climatology broadcasts to each batch. */
export function createAccMetric(options: AccOptions): Metric {
  const centered = checkCentered(options?.centered, 'createAccMetric');
  if (options?.climatology === undefined || options.climatology === null) {
    throw new ValueError(`createAccMetric: option 'climatology' is required: the mean state the anomalies are taken from. Value: ${String(options?.climatology)}.`);
  }
  return new StatMetric({
    name: 'acc',
    higherIsBetter: true,
    stats: (yTrue, yPred) => {
      const { f, o, w } = anomalies(yTrue, yPred, options, FN);
      const s = [tf.sum(tf.mul(w, tf.mul(f, o))), tf.sum(tf.mul(w, tf.square(f))), tf.sum(tf.mul(w, tf.square(o)))];
      return centered ? [...s, tf.sum(w), tf.sum(tf.mul(w, f)), tf.sum(tf.mul(w, o))] : s;
    },
    finalize: (s) => {
      let [fo, ff, oo] = [s[0] as number, s[1] as number, s[2] as number];
      if (centered) {
        const [sw, sf, so] = [s[3] as number, s[4] as number, s[5] as number];
        fo -= (sf * so) / sw;
        ff -= (sf * sf) / sw;
        oo -= (so * so) / sw;
      }
      return fo / Math.sqrt(ff * oo);
    },
  });
}
