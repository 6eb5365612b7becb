import { HealpixError } from './errors.js';

/**
 * Spherical-harmonic coefficients a_ℓm for 0 ≤ m ≤ min(ℓ, mmax), ℓ ≤ lmax, in healpy's layout: the
 * coefficient (ℓ, m) sits at `almIndex(l, m, lmax)` = m·(2·lmax + 1 − m)/2 + ℓ (all ℓ of one m are
 * contiguous). Real and imaginary parts are split into two Float64Arrays of `almSize(lmax, mmax)`; the
 * m < 0 coefficients of a real map follow from a_ℓ,−m = (−1)^m conj(a_ℓm). `almToInterleaved` gives
 * numpy's complex128 memory layout (re, im, re, im, …).
 */
export interface Alm {
  /** Largest ℓ. */
  lmax: number;
  /** Largest m (≤ lmax). */
  mmax: number;
  /** Real parts, healpy order. */
  re: Float64Array;
  /** Imaginary parts, healpy order. */
  im: Float64Array;
}

function checkLm(lmax: number, mmax: number, fn: string): void {
  if (!Number.isInteger(lmax) || lmax < 0) throw new HealpixError(`${fn}: 'lmax' must be a non-negative integer. Value: ${lmax}.`);
  if (!Number.isInteger(mmax) || mmax < 0 || mmax > lmax) throw new HealpixError(`${fn}: 'mmax' must be an integer in [0, lmax = ${lmax}]. Value: ${mmax}.`);
}

/** Number of coefficients for (lmax, mmax): mmax·(2·lmax + 1 − mmax)/2 + lmax + 1 (healpy Alm.getsize). */
export function almSize(lmax: number, mmax: number = lmax): number {
  checkLm(lmax, mmax, 'almSize');
  return (mmax * (2 * lmax + 1 - mmax)) / 2 + lmax + 1;
}

/** Index of a_ℓm: m·(2·lmax + 1 − m)/2 + ℓ (healpy Alm.getidx). */
export function almIndex(l: number, m: number, lmax: number): number {
  return (m * (2 * lmax + 1 - m)) / 2 + l;
}

/** lmax of an alm array of `size` coefficients with mmax = lmax (healpy Alm.getlmax); throws if none fits. */
export function almLmax(size: number): number {
  const l = (-3 + Math.sqrt(1 + 8 * size)) / 2;
  if (!Number.isInteger(l)) throw new HealpixError(`almLmax: ${size} coefficients do not make a triangular (mmax = lmax) alm array.`);
  return l;
}

/** Zero coefficients for (lmax, mmax = lmax). */
export function createAlm(lmax: number, mmax: number = lmax): Alm {
  const n = almSize(lmax, mmax);
  return { lmax, mmax, re: new Float64Array(n), im: new Float64Array(n) };
}

/** A deep copy. */
export function cloneAlm(alm: Alm): Alm {
  return { lmax: alm.lmax, mmax: alm.mmax, re: alm.re.slice(), im: alm.im.slice() };
}

/** Interleaved (re, im, re, im, …) copy, the memory layout of healpy's complex128 arrays. */
export function almToInterleaved(alm: Alm): Float64Array {
  const out = new Float64Array(2 * alm.re.length);
  for (let i = 0; i < alm.re.length; i++) {
    out[2 * i] = alm.re[i]!;
    out[2 * i + 1] = alm.im[i]!;
  }
  return out;
}

/** Alm from interleaved (re, im, …) values; lmax from the size when not given (mmax defaults to lmax). */
export function almFromInterleaved(values: ArrayLike<number>, lmax?: number, mmax?: number): Alm {
  if (values.length % 2 !== 0) throw new HealpixError(`almFromInterleaved: length must be even (re, im pairs). Value: ${values.length}.`);
  const n = values.length / 2;
  const l = lmax ?? almLmax(n);
  const alm = createAlm(l, mmax ?? l);
  if (alm.re.length !== n) throw new HealpixError(`almFromInterleaved: ${n} coefficients do not match lmax ${l}, mmax ${alm.mmax} (${alm.re.length}).`);
  for (let i = 0; i < n; i++) {
    alm.re[i] = values[2 * i]!;
    alm.im[i] = values[2 * i + 1]!;
  }
  return alm;
}

/** Options of almxfl. */
export interface AlmxflOptions {
  /** Multiply the given alm in place instead of a copy. Default false. */
  inplace?: boolean;
}

/** a_ℓm · f_ℓ, as healpy almxfl: coefficients with ℓ ≥ fl.length are multiplied by 0. */
export function almxfl(alm: Alm, fl: ArrayLike<number>, { inplace = false }: AlmxflOptions = {}): Alm {
  const out = inplace ? alm : cloneAlm(alm);
  const { lmax, mmax } = out;
  for (let m = 0; m <= mmax; m++) {
    const base = almIndex(0, m, lmax);
    for (let l = m; l <= lmax; l++) {
      const f = l < fl.length ? fl[l]! : 0;
      out.re[base + l]! *= f;
      out.im[base + l]! *= f;
    }
  }
  return out;
}

/** Options of alm2cl. */
export interface Alm2clOptions {
  /** Largest ℓ of the result. Default: the alm's lmax. */
  lmaxOut?: number;
}

/**
 * Angular power spectrum C_ℓ = (1/(2ℓ+1)) Σ_m a_ℓm b*_ℓm (real part; b = a when `alm2` is absent), as healpy
 * alm2cl: m = 0 once and m > 0 twice; with mmax < lmax the missing m still count in the 2ℓ+1.
 */
export function alm2cl(alm1: Alm, alm2: Alm = alm1, { lmaxOut }: Alm2clOptions = {}): Float64Array {
  if (alm1.lmax !== alm2.lmax || alm1.mmax !== alm2.mmax) {
    throw new HealpixError(`alm2cl: both alm must have the same lmax and mmax. Values: (${alm1.lmax}, ${alm1.mmax}) and (${alm2.lmax}, ${alm2.mmax}).`);
  }
  const { lmax, mmax } = alm1;
  const lout = lmaxOut ?? lmax;
  if (!Number.isInteger(lout) || lout < 0) throw new HealpixError(`alm2cl: option 'lmaxOut' must be a non-negative integer. Value: ${lout}.`);
  const cl = new Float64Array(lout + 1);
  for (let m = 0; m <= mmax; m++) {
    const base = almIndex(0, m, lmax);
    const w = m === 0 ? 1 : 2;
    for (let l = m; l <= Math.min(lmax, lout); l++) {
      const i = base + l;
      cl[l]! += w * (alm1.re[i]! * alm2.re[i]! + alm1.im[i]! * alm2.im[i]!);
    }
  }
  for (let l = 0; l <= Math.min(lmax, lout); l++) cl[l]! /= 2 * l + 1;
  return cl;
}

/** Gaussian beam window b_ℓ = exp(−ℓ(ℓ+1)σ²/2), σ = fwhm/√(8 ln 2) (fwhm in radians), ℓ = 0..lmax (healpy gauss_beam). */
export function gaussBeam(fwhm: number, lmax: number): Float64Array {
  if (!(fwhm >= 0) || !Number.isFinite(fwhm)) throw new HealpixError(`gaussBeam: 'fwhm' must be a finite angle ≥ 0 in radians. Value: ${fwhm}.`);
  if (!Number.isInteger(lmax) || lmax < 0) throw new HealpixError(`gaussBeam: 'lmax' must be a non-negative integer. Value: ${lmax}.`);
  const sigma = fwhm / Math.sqrt(8 * Math.log(2));
  const s2 = sigma * sigma;
  return Float64Array.from({ length: lmax + 1 }, (_, l) => Math.exp(-0.5 * l * (l + 1) * s2));
}
