// Sky masks in RING order with values in [0, 1]: 1 = observed, 0 = missing, in between = apodised edge.
// Maps are in Galactic coordinates (θ = colatitude, b = 90° − θ), as the WMAP and Planck products are.
// Apodisation is a cosine taper outside the hole: m = ½(1 − cos(π·d/w)) at distance d ∈ [0, w] from the
// hole's edge, so the hole itself (m = 0) keeps its nominal size.
import { ang2vec, FitsError, isUnseen, nside2npix, pix2ang, pix2vec, readHealpixMap, SeededRandom, udGrade } from '@lossworks/healpix';
import { DataError } from '@lossworks/core-train';

const DEG = Math.PI / 180;

/** The cosine taper ½(1 − cos(π·d/w)) for d ∈ [0, w]: 0 at the hole's edge, 1 at distance w (w = 0: a step). */
export function cosineTaper(d: number, width: number): number {
  if (d <= 0) return 0;
  if (width <= 0 || d >= width) return 1;
  return 0.5 * (1 - Math.cos((Math.PI * d) / width));
}

/** Options of {@link galacticCut}. */
export interface GalacticCutOptions {
  /** Half-width b0 of the cut in degrees: pixels with |b| < b0 are masked. */
  b0: number;
  /** Width of the cosine taper outside the cut, degrees (default 0: a sharp edge). */
  apodization?: number;
}

/** Galactic-plane cut |b| < b0 with an optional cosine-tapered edge, RING order. */
export function galacticCut(nside: number, { b0, apodization = 0 }: GalacticCutOptions): Float64Array {
  if (!(b0 >= 0 && b0 < 90)) throw new DataError(`galacticCut: 'b0' must be in [0, 90) degrees. Value: ${b0}.`);
  if (!(apodization >= 0)) throw new DataError(`galacticCut: 'apodization' must be ≥ 0 degrees. Value: ${apodization}.`);
  const npix = nside2npix(nside);
  const m = new Float64Array(npix);
  for (let p = 0; p < npix; p++) {
    const [theta] = pix2ang(nside, p);
    const absB = Math.abs(90 - theta / DEG);
    m[p] = cosineTaper(absB - b0, apodization);
  }
  return m;
}

/** Options of {@link pointSourceMask}. */
export interface PointSourceOptions {
  /** Number of holes. */
  count: number;
  /** Hole radius, degrees. */
  radius: number;
  /** Taper width outside each hole, degrees (default 0). */
  apodization?: number;
  /** Seed of the hole positions (uniform on the sphere). Default 0. */
  seed?: number;
}

/** Circular holes at seeded random positions (uniform on the sphere), RING order. */
export function pointSourceMask(nside: number, { count, radius, apodization = 0, seed = 0 }: PointSourceOptions): Float64Array {
  if (!(Number.isInteger(count) && count >= 0)) throw new DataError(`pointSourceMask: 'count' must be an integer ≥ 0. Value: ${count}.`);
  if (!(radius > 0)) throw new DataError(`pointSourceMask: 'radius' must be > 0 degrees. Value: ${radius}.`);
  const rng = new SeededRandom(seed);
  const centres: [number, number, number][] = [];
  for (let i = 0; i < count; i++) {
    const z = 2 * rng.uniform() - 1;
    const phi = 2 * Math.PI * rng.uniform();
    centres.push(ang2vec(Math.acos(z), phi));
  }
  const npix = nside2npix(nside);
  const m = new Float64Array(npix).fill(1);
  for (let p = 0; p < npix; p++) {
    const [x, y, z] = pix2vec(nside, p);
    for (const c of centres) {
      const dist = Math.acos(Math.min(1, Math.max(-1, x * c[0] + y * c[1] + z * c[2]))) / DEG;
      m[p] = Math.min(m[p]!, cosineTaper(dist - radius, apodization));
    }
  }
  return m;
}

/** Options of {@link readMaskFile}. */
export interface MaskFileOptions {
  /** Column of the FITS table (index or TTYPE name). Default 0. */
  field?: number | string;
  /** Working nside: the mask is up-graded (copied) or down-graded (averaged) to it. */
  nside: number;
}

/**
 * Reads a HEALPix FITS mask (any ordering) and brings it to the working nside in RING order. UNSEEN
 * and NaN pixels count as masked (0). Values must lie in [0, 1]; a file that is not a HEALPix map, or
 * has other values, throws DataError naming the file.
 */
export async function readMaskFile(path: string, { field = 0, nside }: MaskFileOptions): Promise<Float64Array> {
  let map: Float64Array;
  let fileNside: number;
  try {
    const file = await readHealpixMap(path, { fields: [field], ordering: 'RING' });
    map = file.maps[0]!;
    fileNside = file.nside;
  } catch (err) {
    if (err instanceof FitsError) throw new DataError(`readMaskFile: ${err.message}`, path, { cause: err });
    throw err;
  }
  for (let p = 0; p < map.length; p++) {
    const v = map[p]!;
    if (Number.isNaN(v) || isUnseen(v)) map[p] = 0;
    else if (!(v >= 0 && v <= 1)) throw new DataError(`readMaskFile: ${path}: mask values must lie in [0, 1]; pixel ${p} has ${v}.`, path);
  }
  if (fileNside === nside) return map;
  try {
    return udGrade(map, nside, { orderIn: 'RING' });
  } catch (err) {
    throw new DataError(`readMaskFile: ${path}: cannot change the mask's nside ${fileNside} to ${nside}: ${(err as Error).message}`, path, { cause: err });
  }
}

/** Product of masks (a pixel is observed only where every mask observes it). */
export function combineMasks(nside: number, masks: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(nside2npix(nside)).fill(1);
  for (const m of masks) {
    if (m.length !== out.length) throw new DataError(`combineMasks: every mask needs ${out.length} pixels (nside ${nside}). Value: ${m.length}.`);
    for (let p = 0; p < out.length; p++) out[p]! *= m[p]!;
  }
  return out;
}

/** Observed sky fraction f_sky = mean of the mask. */
export function skyFraction(mask: ArrayLike<number>): number {
  let s = 0;
  for (let p = 0; p < mask.length; p++) s += mask[p]!;
  return s / mask.length;
}

/** Indices of the hole pixels (mask == 0): the region where inpainting is judged. */
export function holePixels(mask: ArrayLike<number>): Int32Array {
  const out: number[] = [];
  for (let p = 0; p < mask.length; p++) if (mask[p] === 0) out.push(p);
  return Int32Array.from(out);
}

/** Number of hole pixels (mask == 0). */
export function holeCount(mask: ArrayLike<number>): number {
  let n = 0;
  for (let p = 0; p < mask.length; p++) if (mask[p] === 0) n++;
  return n;
}
