import * as tf from '@tensorflow/tfjs';
import { tolerance, type Tolerance } from './tolerances.js';

type Numeric = tf.Tensor | tf.TensorLike;

/** Flattens without going through float32, so float64 references keep every digit. */
function toFlat(x: Numeric): { values: Float64Array; shape: number[] } {
  if (x instanceof tf.Tensor) return { values: Float64Array.from(x.dataSync()), shape: x.shape };
  if (typeof x === 'number') return { values: Float64Array.of(x), shape: [] };
  if (ArrayBuffer.isView(x)) return { values: Float64Array.from(x as unknown as ArrayLike<number>), shape: [(x as unknown as ArrayLike<number>).length] };
  const shape: number[] = [];
  for (let level: unknown = x; Array.isArray(level); level = level[0]) shape.push(level.length);
  const values = Float64Array.from((x as unknown[]).flat(Infinity) as number[]);
  return { values, shape };
}

/** Where two arrays differ most, relative to the tolerance allowance. */
export interface Mismatch {
  index: number;
  actual: number;
  expected: number;
  diff: number;
  allowed: number;
}

/** Index of the element that uses most of its tolerance (NaN/Inf mismatches win), or null when all agree. */
export function worstMismatch(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance): Mismatch | null {
  let worst: Mismatch | null = null;
  let worstRatio = 1;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (a === e) continue; // includes matching infinities
    const diff = Math.abs(a - e);
    const allowed = tol.atol + tol.rtol * Math.abs(e);
    const ratio = Number.isFinite(diff) ? diff / allowed : Infinity;
    if (ratio > worstRatio || (ratio === Infinity && worstRatio !== Infinity)) {
      worstRatio = ratio;
      worst = { index: i, actual: a, expected: e, diff, allowed };
    }
  }
  return worst;
}

function unravel(index: number, shape: number[]): number[] {
  const out: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d] as number;
    out.unshift(index % n);
    index = Math.floor(index / n);
  }
  return out;
}

/**
 * Asserts |actual − expected| ≤ atol + rtol·|expected| element-wise (numpy.isclose semantics).
 * The error names the worst element: its index, both values, the difference and the allowance.
 */
export function expectTensorClose(actual: Numeric, expected: Numeric, tol: Partial<Tolerance> = {}, label = 'tensor'): void {
  const t = { ...tolerance(), ...tol };
  const a = toFlat(actual);
  const e = toFlat(expected);
  if (a.values.length !== e.values.length || (actual instanceof tf.Tensor && expected instanceof tf.Tensor && a.shape.join() !== e.shape.join())) {
    throw new Error(`${label}: shape [${a.shape}] does not match expected [${e.shape}].`);
  }
  const w = worstMismatch(a.values, e.values, t);
  if (w) {
    const at = a.shape.length > 0 ? `[${unravel(w.index, a.shape).join(', ')}]` : '(scalar)';
    throw new Error(
      `${label}: element ${at} is ${w.actual}, expected ${w.expected} ` +
        `(|Δ| ${w.diff.toExponential(3)} > atol ${t.atol} + rtol ${t.rtol}·|expected| = ${w.allowed.toExponential(3)}).`,
    );
  }
}
