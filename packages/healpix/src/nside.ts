import { HealpixError } from './errors.js';

/** Largest nside this package accepts: 12·8192² = 805,306,368 pixels keeps every index below 2^31. */
export const MAX_NSIDE = 8192;

/** healpy's UNSEEN sentinel for missing pixels, −1.6375·10³⁰. */
export const UNSEEN = -1.6375e30;

/** Pixel ordering scheme of a HEALPix map. */
export type Ordering = 'RING' | 'NESTED';

/** Selects the NESTED scheme (default false: RING), as healpy's `nest` argument. */
export interface SchemeOptions {
  /** true: NESTED indices; false (default): RING indices. */
  nest?: boolean;
}

/** A float map: Float64Array for full precision, Float32Array where memory matters. */
export type FloatArray = Float64Array | Float32Array;

/** True when `nside` is a power of two (1, 2, 4, … 8192). */
export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0;
}

/** True when nside is valid: an integer in [1, MAX_NSIDE], and a power of two if `nest` is set (healpy isnsideok). */
export function isNsideOk(nside: number, { nest = false }: SchemeOptions = {}): boolean {
  if (!Number.isInteger(nside) || nside < 1 || nside > MAX_NSIDE) return false;
  return !nest || isPowerOfTwo(nside);
}

/** Throws HealpixError unless nside is valid for the scheme; returns nside. */
export function checkNside(nside: number, fn: string, { nest = false }: SchemeOptions = {}): number {
  if (!isNsideOk(nside, { nest })) {
    const need = nest ? `a power of two in [1, ${MAX_NSIDE}]` : `an integer in [1, ${MAX_NSIDE}]`;
    throw new HealpixError(`${fn}: 'nside' must be ${need}${nest ? ' for the NESTED scheme' : ''}. Value: ${nside}.`);
  }
  return nside;
}

/** Number of pixels 12·nside². */
export function nside2npix(nside: number): number {
  checkNside(nside, 'nside2npix');
  return 12 * nside * nside;
}

/** nside of a full-sky map with `npix` pixels; throws HealpixError if npix is not 12·nside². */
export function npix2nside(npix: number): number {
  const nside = Math.round(Math.sqrt(npix / 12));
  if (!Number.isInteger(npix) || nside < 1 || 12 * nside * nside !== npix || nside > MAX_NSIDE) {
    throw new HealpixError(`npix2nside: 'npix' must be 12·nside² for an integer nside in [1, ${MAX_NSIDE}]. Value: ${npix}.`);
  }
  return nside;
}

/** True when npix = 12·nside² for a valid nside (healpy isnpixok). */
export function isNpixOk(npix: number): boolean {
  const nside = Math.round(Math.sqrt(npix / 12));
  return Number.isInteger(npix) && nside >= 1 && nside <= MAX_NSIDE && 12 * nside * nside === npix;
}

/** log2(nside) for a power-of-two nside (the HEALPix "order"); throws otherwise. */
export function nside2order(nside: number): number {
  checkNside(nside, 'nside2order', { nest: true });
  return 31 - Math.clz32(nside);
}

/** nside = 2^order. */
export function order2nside(order: number): number {
  if (!Number.isInteger(order) || order < 0 || order > 13) {
    throw new HealpixError(`order2nside: 'order' must be an integer in [0, 13]. Value: ${order}.`);
  }
  return 1 << order;
}

/** Pixel area 4π/Npix in steradians. */
export function nside2pixarea(nside: number): number {
  return (4 * Math.PI) / nside2npix(nside);
}

/** Approximate pixel size √(4π/Npix) in radians (healpy nside2resol). */
export function nside2resol(nside: number): number {
  return Math.sqrt(nside2pixarea(nside));
}

/** Throws HealpixError unless `pix` is an integer pixel index in [0, npix). */
export function checkPixel(pix: number, npix: number, fn: string): void {
  if (!Number.isInteger(pix) || pix < 0 || pix >= npix) {
    throw new HealpixError(`${fn}: pixel index must be an integer in [0, ${npix - 1}]. Value: ${pix}.`);
  }
}
