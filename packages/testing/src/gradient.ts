import * as tf from '@tensorflow/tfjs';
import { worstMismatch, type Mismatch } from './tensor-close.js';
import type { Tolerance } from './tolerances.js';

/** Options of {@link checkGradient}. */
export interface GradientCheckOptions {
  /**
   * Central-difference step h. Default 1e-2: in float32 the truncation error is O(h²·f''') ≈ 1e-4 and
   * the roundoff error ≈ ε·|f|/h ≈ 6e-8·|f|/1e-2 ≈ 6e-6·|f|, so both stay below the default tolerance.
   */
  step?: number;
  /** Relative tolerance. Default 1e-2 (finite differences in float32 are good to ~3 significant digits). */
  rtol?: number;
  /** Absolute tolerance. Default 1e-3·max(1, max|analytic gradient|). */
  atol?: number;
  /** Indices of the inputs to differentiate with respect to. Default: all. */
  wrt?: number[];
  /**
   * A closed-form gradient: returns ∂f/∂x_i for every input in `wrt` order. When given, the autodiff
   * gradient is compared with it (at rtol 1e-4 unless stated) instead of with finite differences.
   */
  expected?: (...xs: tf.Tensor[]) => Array<tf.Tensor | number[]>;
  label?: string;
}

/** What {@link checkGradient} compared, per input. */
export interface GradientReport {
  analytic: Float32Array[];
  reference: Float64Array[];
  worst: Array<Mismatch | null>;
}

function scalarOf(f: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[]): tf.Scalar {
  const y = f(...xs);
  return (y.rank === 0 ? y : tf.sum(y)) as tf.Scalar;
}

/**
 * Checks tf.grads of `f` (summed to a scalar when it is not one) against float32 central differences
 * (f(x + h·e_j) − f(x − h·e_j)) / 2h, or against a closed-form gradient. Throws naming the input, the
 * worst element, both values and the tolerance; returns the report when every element agrees.
 */
export function checkGradient(
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  inputs: Array<tf.Tensor | tf.TensorLike>,
  options: GradientCheckOptions = {},
): GradientReport {
  const { step = 1e-2, label = 'gradient' } = options;
  const xs = inputs.map((x) => (x instanceof tf.Tensor ? x.clone() : tf.tensor(x as tf.TensorLike)));
  const wrt = options.wrt ?? xs.map((_, i) => i);
  try {
    const grads = tf.tidy(() => {
      const g = tf.grads((...args: tf.Tensor[]) => {
        const full = xs.map((x, i) => (wrt.includes(i) ? (args[wrt.indexOf(i)] as tf.Tensor) : x));
        return scalarOf(f, full);
      });
      return g(wrt.map((i) => xs[i] as tf.Tensor));
    });
    const analytic = grads.map((g) => Float32Array.from(g.dataSync()));
    tf.dispose(grads);

    let reference: Float64Array[];
    let rtol = options.rtol ?? 1e-2;
    if (options.expected) {
      const exp = tf.tidy(() => options.expected!(...xs).map((e) => (e instanceof tf.Tensor ? e : tf.tensor(e))));
      reference = exp.map((e) => Float64Array.from(e.dataSync()));
      tf.dispose(exp);
      rtol = options.rtol ?? 1e-4;
    } else {
      reference = wrt.map((i) => {
        const x = xs[i] as tf.Tensor;
        const base = x.dataSync().slice() as Float32Array;
        const out = new Float64Array(base.length);
        for (let j = 0; j < base.length; j++) {
          const evalAt = (delta: number): number => {
            const v = base.slice();
            v[j] = (v[j] as number) + delta;
            const y = tf.tidy(() => {
              const xp = tf.tensor(v, x.shape);
              return scalarOf(f, xs.map((orig, k) => (k === i ? xp : orig)));
            });
            const value = y.dataSync()[0] as number;
            y.dispose();
            return value;
          };
          out[j] = (evalAt(step) - evalAt(-step)) / (2 * step);
        }
        return out;
      });
    }
    const worst = analytic.map((a, k) => {
      const ref = reference[k] as Float64Array;
      let scale = 1;
      for (const v of a) scale = Math.max(scale, Math.abs(v));
      const tol: Tolerance = { rtol, atol: options.atol ?? (options.expected ? 1e-5 : 1e-3) * scale };
      const w = worstMismatch(a, ref, tol);
      if (w) {
        throw new Error(
          `${label}: ∂f/∂input${wrt[k]}[${w.index}] is ${w.actual} by autodiff but ${w.expected} by ` +
            `${options.expected ? 'the closed form' : `central differences (h ${step})`} ` +
            `(|Δ| ${w.diff.toExponential(3)} > allowed ${w.allowed.toExponential(3)}).`,
        );
      }
      return w;
    });
    return { analytic, reference, worst };
  } finally {
    tf.dispose(xs);
  }
}
