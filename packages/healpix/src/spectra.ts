// Power spectra and Gaussian skies: anafast, synalm, synfast, smoothing (healpy conventions, spin 0).
import { alm2cl, almIndex, almxfl, createAlm, gaussBeam, type Alm } from './alm.js';
import { HealpixError } from './errors.js';
import { checkNside } from './nside.js';
import { reorder } from './pixel.js';
import { pixwin } from './pixwin.js';
import { SeededRandom } from './random.js';
import { alm2map, applyMask, badMask, map2alm } from './sht.js';

/** Options of anafast. */
export interface AnafastOptions {
  /** Largest ℓ. Default 3·nside − 1. */
  lmax?: number;
  /** Largest m. Default lmax. */
  mmax?: number;
  /** Jacobi iterations of map2alm (healpy default 3). */
  iter?: number;
}

/**
 * Angular power spectrum of a RING map, C_ℓ = Σ_m |a_ℓm|²/(2ℓ+1), ℓ = 0..lmax (healpy anafast); with a
 * second map, the cross spectrum Re Σ_m a_ℓm b*_ℓm/(2ℓ+1). UNSEEN pixels count as 0 (no mask correction).
 */
export function anafast(map1: ArrayLike<number>, map2?: ArrayLike<number>, options: AnafastOptions = {}): Float64Array {
  if (map2 !== undefined && map2.length !== map1.length) {
    throw new HealpixError(`anafast: both maps must have the same number of pixels. Values: ${map1.length}, ${map2.length}.`);
  }
  const a1 = map2alm(map1, options);
  const a2 = map2 === undefined ? a1 : map2alm(map2, options);
  return alm2cl(a1, a2);
}

/** Source of normal deviates: a seed or a SeededRandom to continue. */
export interface RandomOptions {
  /** Seed of a new SeededRandom (default 0), ignored when `rng` is given. */
  seed?: number;
  /** Generator to draw from (its state advances). */
  rng?: SeededRandom;
}

/** Options of synalm. */
export interface SynalmOptions extends RandomOptions {
  /** Largest ℓ. Default cl.length − 1; C_ℓ beyond the array count as 0. */
  lmax?: number;
  /** Largest m. Default lmax. */
  mmax?: number;
}

function checkCl(cl: ArrayLike<number>, fn: string): void {
  if (cl.length === 0) throw new HealpixError(`${fn}: 'cl' must hold at least C_0.`);
  for (let l = 0; l < cl.length; l++) {
    if (!(cl[l]! >= 0) || !Number.isFinite(cl[l]!)) throw new HealpixError(`${fn}: 'cl' must be finite and ≥ 0. Value at ℓ = ${l}: ${cl[l]}.`);
  }
}

/**
 * Gaussian a_ℓm with variance C_ℓ (healpy synalm): a_ℓ0 = √C_ℓ·N(0,1) real, a_ℓm = √(C_ℓ/2)·(N + iN) for m > 0.
 * Draws m-major (m = 0 first, ℓ ascending), re then im. Reproducible for a seed; not numpy's stream.
 */
export function synalm(cl: ArrayLike<number>, options: SynalmOptions = {}): Alm {
  checkCl(cl, 'synalm');
  const lmax = options.lmax ?? cl.length - 1;
  const mmax = options.mmax ?? lmax;
  const rng = options.rng ?? new SeededRandom(options.seed ?? 0);
  const alm = createAlm(lmax, mmax);
  for (let m = 0; m <= mmax; m++) {
    const base = almIndex(0, m, lmax);
    for (let l = m; l <= lmax; l++) {
      const c = l < cl.length ? cl[l]! : 0;
      if (m === 0) {
        alm.re[base + l] = Math.sqrt(c) * rng.normal();
      } else {
        const s = Math.sqrt(c / 2);
        alm.re[base + l] = s * rng.normal();
        alm.im[base + l] = s * rng.normal();
      }
    }
  }
  return alm;
}

/** Beam options shared by synfast and smoothing. */
export interface BeamOptions {
  /** Gaussian beam full width at half maximum, radians. Default 0 (no beam). */
  fwhm?: number;
  /** Gaussian σ in radians; overrides fwhm. */
  sigma?: number;
  /** Any beam window b_ℓ; overrides fwhm and sigma. */
  beamWindow?: ArrayLike<number>;
}

function beamOf(options: BeamOptions, lmax: number, fn: string): Float64Array | null {
  if (options.beamWindow !== undefined) return Float64Array.from(options.beamWindow);
  if (options.sigma !== undefined) {
    if (!(options.sigma >= 0)) throw new HealpixError(`${fn}: option 'sigma' must be ≥ 0 (radians). Value: ${options.sigma}.`);
    return gaussBeam(options.sigma * Math.sqrt(8 * Math.log(2)), lmax);
  }
  const fwhm = options.fwhm ?? 0;
  if (!(fwhm >= 0) || !Number.isFinite(fwhm)) throw new HealpixError(`${fn}: option 'fwhm' must be a finite angle ≥ 0 in radians. Value: ${fwhm}.`);
  return fwhm > 0 ? gaussBeam(fwhm, lmax) : null;
}

/** Options of synfast. */
export interface SynfastOptions extends RandomOptions, BeamOptions {
  /** Largest ℓ. Default 3·nside − 1 (healpy's default). */
  lmax?: number;
  /** Largest m. Default lmax. */
  mmax?: number;
  /** Multiply by the pixel window of nside (pixwin). Default false. */
  pixwin?: boolean;
}

/**
 * Gaussian sky in RING order from a spectrum C_ℓ (healpy synfast): alm2map(almxfl(synalm(cl), b_ℓ·W_ℓ)),
 * b_ℓ the beam window and W_ℓ the pixel window when `pixwin`. Same seed, same map.
 */
export function synfast(cl: ArrayLike<number>, nside: number, options: SynfastOptions = {}): Float64Array {
  checkNside(nside, 'synfast');
  const lmax = options.lmax ?? 3 * nside - 1;
  const alm = synalm(cl, { lmax, mmax: options.mmax ?? lmax, ...(options.rng ? { rng: options.rng } : { seed: options.seed ?? 0 }) });
  let fl = beamOf(options, lmax, 'synfast');
  if (options.pixwin) {
    if (lmax > 4 * nside) throw new HealpixError(`synfast: with 'pixwin', 'lmax' must be ≤ 4·nside = ${4 * nside}. Value: ${lmax}.`);
    const pw = pixwin(nside, { lmax });
    fl = fl ? Float64Array.from(pw, (w, l) => w * (l < fl!.length ? fl![l]! : 0)) : pw;
  }
  if (fl) almxfl(alm, fl, { inplace: true });
  return alm2map(alm, nside);
}

/** Options of smoothing. */
export interface SmoothingOptions extends BeamOptions {
  /** Largest ℓ. Default 3·nside − 1. */
  lmax?: number;
  /** Largest m. Default lmax. */
  mmax?: number;
  /** Jacobi iterations of map2alm (healpy default 3). */
  iter?: number;
  /** The map is NESTED (reordered to RING and back). Default false. */
  nest?: boolean;
}

/**
 * Beam-smoothed map (healpy smoothing): map2alm (iter), multiply by the beam window, alm2map. UNSEEN
 * pixels enter as 0 and are UNSEEN again in the output. Returns a Float64Array in the input ordering.
 */
export function smoothing(map: ArrayLike<number>, options: SmoothingOptions = {}): Float64Array {
  const src = options.nest ? reorder(Float64Array.from(map), 'n2r') : map;
  const nside = Math.round(Math.sqrt(map.length / 12));
  const mask = badMask(src);
  const alm = map2alm(src, { lmax: options.lmax, mmax: options.mmax, iter: options.iter });
  const fl = beamOf(options, alm.lmax, 'smoothing');
  if (fl) almxfl(alm, fl, { inplace: true });
  const out = applyMask(alm2map(alm, nside), mask);
  return options.nest ? reorder(out, 'r2n') : out;
}
