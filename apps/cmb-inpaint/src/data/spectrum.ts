// CMB temperature power spectra: text files in the Planck Legacy Archive or CAMB layout, and an embedded
// analytic ΛCDM-like TT spectrum for runs without a file.
//
// File layout (both formats): one row per multipole, whitespace-separated numbers, first column ℓ and
// second column TT. Planck PLA theory files start with a header row ("L TT TE EE BB PP"), observed
// spectra with "# l Dl -dDl +dDl"; CAMB / healpy files (ell TT EE BB TE) have no header or a '#' one.
// Values are D_ℓ = ℓ(ℓ+1)C_ℓ/2π in μK² (both formats' convention); `units: 'cl'` reads plain C_ℓ.
// Header lines (non-numeric first token) may only precede the data; '#' comments and blank lines may
// appear anywhere. Multipoles must increase by one; ℓ below the first row get C_ℓ = 0.
import { readFile } from 'node:fs/promises';
import { DataError } from '@lossworks/core-train';

/** A TT power spectrum C_ℓ (μK²) for ℓ = 0..lmax, with where it came from. */
export interface Spectrum {
  /** C_ℓ in μK², index ℓ (C_0 = C_1 = 0 unless the file gives them). */
  cl: Float64Array;
  /** A short description: the file name or 'analytic'. */
  source: string;
}

/** Units of the TT column of a spectrum file. */
export type SpectrumUnits = 'dl' | 'cl';

/** Options of {@link parseSpectrum}. */
export interface ParseSpectrumOptions {
  /** 'dl' (default): the column holds D_ℓ = ℓ(ℓ+1)C_ℓ/2π; 'cl': it holds C_ℓ. */
  units?: SpectrumUnits;
  /** Keep ℓ ≤ lmax only (default: every row). Rows must reach lmax. */
  lmax?: number;
  /** Column of TT (0-based; default 1). */
  column?: number;
}

/** D_ℓ = ℓ(ℓ+1)C_ℓ/2π → C_ℓ (C_0 stays 0). */
export function dlToCl(dl: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: dl.length }, (_, l) => (l === 0 ? 0 : (2 * Math.PI * dl[l]!) / (l * (l + 1))));
}

/** C_ℓ → D_ℓ = ℓ(ℓ+1)C_ℓ/2π. */
export function clToDl(cl: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: cl.length }, (_, l) => (l * (l + 1) * cl[l]!) / (2 * Math.PI));
}

/**
 * Parses a Planck or CAMB spectrum text (see the module comment) into C_ℓ, ℓ = 0..lmax; `file` names the
 * source in errors. Throws DataError naming the file and line for a malformed row.
 */
export function parseSpectrum(text: string, file: string, options: ParseSpectrumOptions = {}): Spectrum {
  const { units = 'dl', column = 1, lmax } = options;
  const values: number[] = [];
  let first = -1;
  let seenData = false;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const tokens = line.split(/\s+/);
    const nums = tokens.map(Number);
    if (!seenData && !Number.isFinite(nums[0])) continue; // a header row such as "L TT TE EE BB PP"
    const where = `${file}:${i + 1}`;
    if (tokens.length <= column) {
      throw new DataError(`parseSpectrum: ${where}: expected at least ${column + 1} columns (ℓ, …, TT), found ${tokens.length}: '${line}'.`, file);
    }
    const ell = nums[0]!;
    const v = nums[column]!;
    if (!Number.isInteger(ell) || ell < 0 || !Number.isFinite(v)) {
      throw new DataError(`parseSpectrum: ${where}: expected an integer ℓ ≥ 0 and a finite TT value, got '${line}'.`, file);
    }
    if (!seenData) {
      first = ell;
      seenData = true;
    } else if (ell !== first + values.length) {
      throw new DataError(`parseSpectrum: ${where}: multipoles must increase by 1; expected ℓ = ${first + values.length}, got ${ell}.`, file);
    }
    if (lmax !== undefined && ell > lmax) break;
    values.push(v);
  }
  if (!seenData) throw new DataError(`parseSpectrum: ${file}: no data rows (expected lines 'ℓ TT …').`, file);
  const top = first + values.length - 1;
  if (lmax !== undefined && top < lmax) {
    throw new DataError(`parseSpectrum: ${file}: the file stops at ℓ = ${top}, but ℓ up to ${lmax} is needed.`, file);
  }
  const raw = new Float64Array(top + 1);
  values.forEach((v, k) => (raw[first + k] = v));
  const cl = units === 'dl' ? dlToCl(raw) : raw;
  for (let l = 0; l < cl.length; l++) {
    if (!(cl[l]! >= 0)) throw new DataError(`parseSpectrum: ${file}: TT must be ≥ 0; ℓ = ${l} has ${raw[l]}.`, file);
  }
  return { cl, source: file };
}

/** Reads and parses a spectrum file (see {@link parseSpectrum}); a missing file is a DataError. */
export async function readSpectrum(path: string, options: ParseSpectrumOptions = {}): Promise<Spectrum> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new DataError(`readSpectrum: cannot read spectrum file ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)}).`, path, { cause: err });
  }
  return parseSpectrum(text, path, options);
}

/** Formats C_ℓ as a CAMB-style text file: a '#' header, then "ℓ D_ℓ" rows (μK²) from ℓ = 0. */
export function formatSpectrum(spectrum: Spectrum): string {
  const dl = clToDl(spectrum.cl);
  const rows = Array.from(dl, (d, l) => `${String(l).padStart(5)}  ${d.toExponential(8)}`);
  return `# TT spectrum, D_l = l(l+1)C_l/2pi in uK^2; source: ${spectrum.source}\n#    l  TT\n${rows.join('\n')}\n`;
}

/**
 * Parameters of the analytic TT spectrum, least-squares fitted to the Planck 2018 best-fit ΛCDM theory
 * spectrum for ℓ ≤ 2000 (fixtures/fit_analytic_spectrum.py; rms relative deviation 10%).
 */
export const ANALYTIC_TT = {
  /** Acoustic amplitude, μK². */
  A: 5222,
  /** Acoustic scale ℓ_A (peak spacing). */
  ellA: 307.9,
  /** Phase shift φ: peaks at ℓ_n ≈ ℓ_A(n − φ). */
  phi: 0.2697,
  /** Baryon-loading offset R (odd peaks higher than even ones). */
  R: 0.0814,
  /** Weight V of the Doppler (velocity) term that fills the troughs. */
  V: 0.6027,
  /** Silk damping scale ℓ_D. */
  ellD: 916.9,
  /** Damping exponent α_D. */
  alphaD: 1.347,
  /** Sachs–Wolfe plateau D_SW at ℓ = 10, μK². */
  Dsw: 685.1,
  /** ℓ of the hand-over from the plateau to the acoustic regime. */
  ellH: 56.9,
  /** Tilt of the plateau (ISW rise towards ℓ = 2). */
  nsw: -0.3331,
} as const;

/**
 * The embedded ΛCDM-like TT spectrum (a documented toy model, not a Boltzmann solution):
 * D_ℓ = D_SW (ℓ/10)^n (1 − h) + h · A e^{−(ℓ/ℓ_D)^α} [(cos θ − R)² + V sin² θ], θ = π(ℓ/ℓ_A + φ),
 * h = ℓ²/(ℓ² + ℓ_H²): a Sachs–Wolfe plateau, acoustic oscillations whose compression peaks (cos θ = −1)
 * exceed the rarefaction ones by the baryon offset R, a Doppler term filling the troughs, and Silk
 * damping. First peak at ℓ ≈ 221, later ones near 520, 820, 1130. Returns C_ℓ (μK²), ℓ = 0..lmax, C_0 = C_1 = 0.
 */
export function analyticSpectrum(lmax: number): Spectrum {
  if (!Number.isInteger(lmax) || lmax < 2) throw new DataError(`analyticSpectrum: 'lmax' must be an integer ≥ 2. Value: ${lmax}.`);
  const p = ANALYTIC_TT;
  const dl = new Float64Array(lmax + 1);
  for (let l = 2; l <= lmax; l++) {
    const th = Math.PI * (l / p.ellA + p.phi);
    const h = (l * l) / (l * l + p.ellH * p.ellH);
    const acoustic = p.A * Math.exp(-((l / p.ellD) ** p.alphaD)) * ((Math.cos(th) - p.R) ** 2 + p.V * Math.sin(th) ** 2);
    dl[l] = p.Dsw * (l / 10) ** p.nsw * (1 - h) + h * acoustic;
  }
  return { cl: dlToCl(dl), source: 'analytic' };
}

/** C_ℓ truncated or zero-extended to ℓ = 0..lmax. */
export function clToLmax(cl: ArrayLike<number>, lmax: number): Float64Array {
  return Float64Array.from({ length: lmax + 1 }, (_, l) => (l < cl.length ? cl[l]! : 0));
}
