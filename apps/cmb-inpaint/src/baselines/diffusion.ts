// Diffusive inpainting on the sphere: the hole (mask = 0) is filled by repeated neighbour averaging,
// v(p) ← v(p) + ω·(mean of p's HEALPix neighbours − v(p)), with every observed pixel held at its data.
// The fixed point is the discrete harmonic interpolant (Laplace's equation in the hole with the
// observed ring as boundary). Gauss–Seidel sweeps with over-relaxation ω ∈ (0, 2) (ω = 1: plain
// averaging) converge to the same fixed point, only faster; the start is the mean fill.
import { neighbours } from '@lossworks/healpix';
import { DataError } from '@lossworks/core-train';
import { observedMean } from './mean-fill.js';

/** Options of {@link diffusionFill}. */
export interface DiffusionOptions {
  /** Most sweeps. Default 5000. */
  maxIter?: number;
  /** Stop when the largest update of a sweep is below tol × (std of the observed data). Default 1e-5. */
  tol?: number;
  /** Over-relaxation factor ω in (0, 2). Default 1.8. */
  omega?: number;
}

/** What {@link diffusionFill} returns: the filled map and how the iteration ended. */
export interface DiffusionResult {
  map: Float64Array;
  iterations: number;
  /** Largest update of the last sweep, relative to the data's std. */
  lastChange: number;
  converged: boolean;
}

const tables = new Map<number, Int32Array>();

/** RING neighbour table [npix × 8] (−1 where a pixel has only 7 neighbours), cached per nside. */
export function neighbourTable(nside: number): Int32Array {
  let t = tables.get(nside);
  if (t) return t;
  const npix = 12 * nside * nside;
  t = new Int32Array(npix * 8);
  for (let p = 0; p < npix; p++) t.set(neighbours(nside, p), p * 8);
  tables.set(nside, t);
  return t;
}

/** Diffusive (iterative neighbour-average) inpainting of the hole; output m·x + (1 − m)·v as every method. */
export function diffusionFill(observed: ArrayLike<number>, mask: ArrayLike<number>, options: DiffusionOptions = {}): DiffusionResult {
  const { maxIter = 5000, tol = 1e-5, omega = 1.8 } = options;
  if (!(omega > 0 && omega < 2)) throw new DataError(`diffusionFill: option 'omega' must be in (0, 2). Value: ${omega}.`);
  const npix = mask.length;
  const nside = Math.round(Math.sqrt(npix / 12));
  if (12 * nside * nside !== npix || observed.length !== npix) throw new DataError(`diffusionFill: map and mask must both have 12·nside² pixels. Values: ${observed.length}, ${npix}.`);
  const nb = neighbourTable(nside);
  const mean = observedMean(observed, mask);
  let ss = 0;
  let n = 0;
  for (let p = 0; p < npix; p++) {
    if (mask[p]! > 0) {
      ss += (observed[p]! - mean) ** 2;
      n++;
    }
  }
  const scale = Math.sqrt(ss / Math.max(1, n)) || 1;
  const v = Float64Array.from({ length: npix }, (_, p) => (mask[p]! > 0 ? observed[p]! : mean));
  const hole: number[] = [];
  for (let p = 0; p < npix; p++) if (mask[p] === 0) hole.push(p);
  let it = 0;
  let change = 0;
  for (; it < maxIter && hole.length > 0; ) {
    it++;
    change = 0;
    for (const p of hole) {
      let s = 0;
      let k = 0;
      for (let j = p * 8; j < p * 8 + 8; j++) {
        const q = nb[j]!;
        if (q >= 0) {
          s += v[q]!;
          k++;
        }
      }
      const d = omega * (s / k - v[p]!);
      v[p]! += d;
      if (Math.abs(d) > change) change = Math.abs(d);
    }
    if (change < tol * scale) break;
  }
  const map = Float64Array.from({ length: npix }, (_, p) => mask[p]! * observed[p]! + (1 - mask[p]!) * v[p]!);
  return { map, iterations: it, lastChange: change / scale, converged: hole.length === 0 || change < tol * scale };
}
