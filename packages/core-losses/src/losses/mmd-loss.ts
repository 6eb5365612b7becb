import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, ValueError } from '../errors.js';
import { inRange, oneOf, type TensorInput } from '../validate.js';
import { asPointCloud, assertSameDim, pairwiseSqDist } from './distillation-utils.js';

/** Options of {@link mmdLoss}. */
export interface MmdOptions {
  /** `'gaussian'` (default): Σ_σ exp(−‖x − y‖²/(2σ²)); `'riesz'`: −‖x − y‖^r (energy distance for r = 1). */
  kernel?: 'gaussian' | 'riesz';
  /** Gaussian bandwidths σ > 0; the kernel is the sum over them (multi-scale). Default [1]. */
  bandwidths?: readonly number[];
  /** Riesz exponent r ∈ (0, 2). Default 1. */
  r?: number;
  /** `'biased'` (default; V-statistic, MMD²(x, x) = 0) or `'unbiased'` (U-statistic, needs N, M ≥ 2; can be < 0). */
  estimator?: 'biased' | 'unbiased';
}

/**
 * ‖d‖^r from d² with a zero value and zero gradient at d = 0: pow's gradient (r/2)·(d²)^{r/2−1} is infinite there.
 * Built from tf.step (gradient 0): tfjs has no gradient for comparison ops on the differentiated path.
 */
function rieszDistance(d2: tf.Tensor, r: number): tf.Tensor {
  const nonzero = tf.step(d2); // 1 where d² > 0
  const safe = tf.add(d2, tf.sub(1, nonzero)); // d² where d² > 0, else 1
  return tf.mul(tf.pow(safe, r / 2), nonzero);
}

/**
 * Maximum mean discrepancy MMD² (Gretton et al. 2012, "A Kernel Two-Sample Test", JMLR) between samples
 * x = yTrue [N, D] and y = yPred [M, D]: E k(x, x') + E k(y, y') − 2 E k(x, y), with expectations over all pairs
 * (`'biased'`, eq. 5) or over distinct pairs within a sample (`'unbiased'`, eq. 3). Kernels: Gaussian with a
 * list of bandwidths (summed), or Riesz −‖x − y‖^r, r ∈ (0, 2), for which biased MMD² is the energy distance
 * 2E‖X − Y‖^r − E‖X − X'‖^r − E‖Y − Y'‖^r (Székely & Rizzo 2013; Sejdinovic et al. 2013). The Riesz kernel's
 * gradient at coincident points is taken as 0. A single number for the pair of samples: no `reduction`.
 */
export function mmdLoss(
  yTrue: TensorInput,
  yPred: TensorInput,
  { kernel = 'gaussian', bandwidths = [1], r = 1, estimator = 'biased' }: MmdOptions = {},
): tf.Tensor {
  const fn = 'mmdLoss';
  oneOf(kernel, ['gaussian', 'riesz'], 'kernel', fn);
  oneOf(estimator, ['biased', 'unbiased'], 'estimator', fn);
  if (!Array.isArray(bandwidths) || bandwidths.length === 0 || !bandwidths.every((s) => typeof s === 'number' && s > 0 && Number.isFinite(s))) {
    throw new ValueError(`${fn}: option 'bandwidths' must be a non-empty array of numbers > 0. Value: ${JSON.stringify(bandwidths)}.`);
  }
  inRange(r, 0, 2, 'r', fn, { loOpen: true, hiOpen: true });
  return tf.tidy(() => {
    const x = asPointCloud(yTrue, 'yTrue', fn);
    const y = asPointCloud(yPred, 'yPred', fn);
    assertSameDim(x, y, fn);
    const n = x.shape[0];
    const m = y.shape[0];
    if (estimator === 'unbiased' && (n < 2 || m < 2)) {
      throw new ShapeError(`${fn}: the unbiased estimator needs at least 2 points in each sample. Shapes: yTrue [${x.shape}], yPred [${y.shape}].`, [n, m], [2, 2]);
    }
    const k = (d2: tf.Tensor): tf.Tensor =>
      kernel === 'gaussian' ? tf.addN(bandwidths.map((s) => tf.exp(tf.div(d2, -2 * s * s)))) : tf.neg(rieszDistance(d2, r));
    const kxx = k(pairwiseSqDist(x, x));
    const kyy = k(pairwiseSqDist(y, y));
    const kxy = k(pairwiseSqDist(x, y));
    const within = (kk: tf.Tensor, q: number): tf.Tensor =>
      estimator === 'biased' ? tf.mean(kk) : tf.div(tf.sum(tf.mul(kk, tf.sub(1, tf.eye(q)))), q * (q - 1));
    return tf.sub(tf.add(within(kxx, n), within(kyy, m)), tf.mul(tf.mean(kxy), 2));
  });
}
