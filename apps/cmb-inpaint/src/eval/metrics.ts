// Metrics of an inpainted sky against the true sky:
// - RMSE over the hole (mask = 0, the pixels no method saw);
// - SSIM over the hole: the SSIM map (Wang et al. 2004; Gaussian window σ = 1.5 px, 11 × 11 taps,
//   C1 = (0.01 R)², C2 = (0.03 R)², R = max − min of the true map) computed on each HEALPix base face padded
//   by the window radius from its neighbours, so every pixel of the sphere has a full window, then
//   averaged over the hole pixels;
// - angular power spectra by anafast, binned in ℓ, and the share of bins where the filled sky's C_b lies
//   within the cosmic-variance band of the true sky's, |C_b − C_b^true| ≤ C_b^true·√(2/Σ_{ℓ∈b}(2ℓ+1))
//   (one ℓ per bin: √(2/(2ℓ+1))·C_ℓ).
import { anafast } from '@lossworks/healpix';
import { DataError } from '@lossworks/core-train';
import { gaussianTaps } from '@lossworks/core-losses';
import { faceGeometry, gatherFace, type FaceGeometry } from '../model/faces.js';

function checkSame(a: ArrayLike<number>, b: ArrayLike<number>, fn: string): void {
  if (a.length !== b.length) throw new DataError(`${fn}: maps must have the same number of pixels. Values: ${a.length}, ${b.length}.`);
}

/** √(mean over hole pixels (mask = 0) of (filled − truth)²). */
export function holeRmse(filled: ArrayLike<number>, truth: ArrayLike<number>, mask: ArrayLike<number>): number {
  checkSame(filled, truth, 'holeRmse');
  checkSame(filled, mask, 'holeRmse');
  let s = 0;
  let n = 0;
  for (let p = 0; p < mask.length; p++) {
    if (mask[p] === 0) {
      s += (filled[p]! - truth[p]!) ** 2;
      n++;
    }
  }
  if (n === 0) throw new DataError('holeRmse: the mask has no hole pixel (mask = 0).');
  return Math.sqrt(s / n);
}

/** Options of {@link ssimMap}. */
export interface SphereSsimOptions {
  /** Data range R; default max − min of the true map. */
  dataRange?: number;
  /** Gaussian window σ in pixels. Default 1.5. */
  sigma?: number;
}

function filterValid(img: Float64Array, w: number, taps: readonly number[], out: Float64Array, tmp: Float64Array): void {
  const k = taps.length;
  const n = w - k + 1;
  // vertical: rows n, cols w
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += taps[t]! * img[(y + t) * w + x]!;
      tmp[y * w + x] = s;
    }
  }
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += taps[t]! * tmp[y * w + x + t]!;
      out[y * n + x] = s;
    }
  }
}

/** The SSIM value of every pixel of the sphere (RING), from windows on neighbour-padded base faces. */
export function ssimMap(filled: ArrayLike<number>, truth: ArrayLike<number>, options: SphereSsimOptions = {}): Float64Array {
  checkSame(filled, truth, 'ssimMap');
  const nside = Math.round(Math.sqrt(truth.length / 12));
  const taps = gaussianTaps(options.sigma ?? 1.5);
  const r = (taps.length - 1) / 2;
  if (r > nside) throw new DataError(`ssimMap: the ${taps.length}-tap window needs nside ≥ ${r}. Value: ${nside}.`);
  let lo = Infinity;
  let hi = -Infinity;
  for (let p = 0; p < truth.length; p++) {
    lo = Math.min(lo, truth[p]!);
    hi = Math.max(hi, truth[p]!);
  }
  const R = options.dataRange ?? (hi - lo || 1);
  const c1 = (0.01 * R) ** 2;
  const c2 = (0.03 * R) ** 2;
  const geo: FaceGeometry = faceGeometry(nside, r);
  const w = geo.width;
  const x = new Float64Array(w * w);
  const y = new Float64Array(w * w);
  const prod = new Float64Array(w * w);
  const tmp = new Float64Array(w * w);
  const mom = Array.from({ length: 5 }, () => new Float64Array(nside * nside));
  const out = new Float64Array(truth.length);
  for (let f = 0; f < 12; f++) {
    gatherFace(filled, geo, f, x);
    gatherFace(truth, geo, f, y);
    filterValid(x, w, taps, mom[0]!, tmp);
    filterValid(y, w, taps, mom[1]!, tmp);
    for (let i = 0; i < w * w; i++) prod[i] = x[i]! * x[i]!;
    filterValid(prod, w, taps, mom[2]!, tmp);
    for (let i = 0; i < w * w; i++) prod[i] = y[i]! * y[i]!;
    filterValid(prod, w, taps, mom[3]!, tmp);
    for (let i = 0; i < w * w; i++) prod[i] = x[i]! * y[i]!;
    filterValid(prod, w, taps, mom[4]!, tmp);
    const c = geo.centre[f]!;
    for (let i = 0; i < nside * nside; i++) {
      const mx = mom[0]![i]!;
      const my = mom[1]![i]!;
      const vx = mom[2]![i]! - mx * mx;
      const vy = mom[3]![i]! - my * my;
      const cxy = mom[4]![i]! - mx * my;
      out[c[i]!] = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
    }
  }
  return out;
}

/** Mean SSIM over the hole pixels (mask = 0); see {@link ssimMap}. */
export function holeSsim(filled: ArrayLike<number>, truth: ArrayLike<number>, mask: ArrayLike<number>, options: SphereSsimOptions = {}): number {
  checkSame(filled, mask, 'holeSsim');
  const m = ssimMap(filled, truth, options);
  let s = 0;
  let n = 0;
  for (let p = 0; p < mask.length; p++) {
    if (mask[p] === 0) {
      s += m[p]!;
      n++;
    }
  }
  if (n === 0) throw new DataError('holeSsim: the mask has no hole pixel (mask = 0).');
  return s / n;
}

/** ℓ bins [lo, hi] of width `width` from lmin to lmax (the last bin may be narrower). */
export function ellBins(lmin: number, lmax: number, width: number): [number, number][] {
  if (!(Number.isInteger(lmin) && Number.isInteger(lmax) && lmin >= 0 && lmax >= lmin)) throw new DataError(`ellBins: need integers 0 ≤ lmin ≤ lmax. Values: ${lmin}, ${lmax}.`);
  if (!(Number.isInteger(width) && width >= 1)) throw new DataError(`ellBins: 'width' must be an integer ≥ 1. Value: ${width}.`);
  const out: [number, number][] = [];
  for (let lo = lmin; lo <= lmax; lo += width) out.push([lo, Math.min(lmax, lo + width - 1)]);
  return out;
}

/** Binned spectrum: the mean of C_ℓ over each bin. */
export function binSpectrum(cl: ArrayLike<number>, bins: readonly [number, number][]): Float64Array {
  return Float64Array.from(bins, ([lo, hi]) => {
    let s = 0;
    for (let l = lo; l <= hi; l++) s += cl[l]!;
    return s / (hi - lo + 1);
  });
}

/** Cosmic-variance half-width of each bin: C_b·√(2/Σ_{ℓ∈b}(2ℓ+1)). */
export function cosmicVarianceBand(binned: ArrayLike<number>, bins: readonly [number, number][]): Float64Array {
  return Float64Array.from(bins, ([lo, hi], i) => {
    let modes = 0;
    for (let l = lo; l <= hi; l++) modes += 2 * l + 1;
    return binned[i]! * Math.sqrt(2 / modes);
  });
}

/** Share of bins where |C_b − C_b^true| ≤ the cosmic-variance half-width of C_b^true. */
export function shareWithinBand(binned: ArrayLike<number>, trueBinned: ArrayLike<number>, band: ArrayLike<number>): number {
  let inside = 0;
  for (let i = 0; i < band.length; i++) if (Math.abs(binned[i]! - trueBinned[i]!) <= band[i]!) inside++;
  return band.length > 0 ? inside / band.length : NaN;
}

/** Spectrum comparison of one filled sky: its C_ℓ (anafast), the binned values and the in-band share. */
export interface SpectrumComparison {
  cl: Float64Array;
  binned: Float64Array;
  share: number;
}

/** Binned spectrum of the true sky and its band, for {@link compareSpectrum}. */
export interface TrueSpectrum {
  cl: Float64Array;
  bins: [number, number][];
  binned: Float64Array;
  band: Float64Array;
}

/** anafast of the true sky, binned, with its cosmic-variance band. */
export function trueSpectrum(truth: ArrayLike<number>, { lmin, lmax, binWidth }: { lmin: number; lmax: number; binWidth: number }): TrueSpectrum {
  const cl = anafast(truth, undefined, { lmax });
  const bins = ellBins(lmin, lmax, binWidth);
  const binned = binSpectrum(cl, bins);
  return { cl, bins, binned, band: cosmicVarianceBand(binned, bins) };
}

/** anafast of a filled sky compared with the true sky's spectrum. */
export function compareSpectrum(filled: ArrayLike<number>, ref: TrueSpectrum): SpectrumComparison {
  const lmax = ref.cl.length - 1;
  const cl = anafast(filled, undefined, { lmax });
  const binned = binSpectrum(cl, ref.bins);
  return { cl, binned, share: shareWithinBand(binned, ref.binned, ref.band) };
}
