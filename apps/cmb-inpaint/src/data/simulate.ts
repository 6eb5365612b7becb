// Simulated data sets: Gaussian skies drawn with healpix synfast from the run's spectrum (with the beam),
// white noise added to the observed copy, and the run's mask. A data set on disk (the run's data/ folder):
//   manifest.json                 what was simulated (nside, spectrum, beam, noise, counts, seeds, f_sky)
//   spectrum.txt                  the C_ℓ used (D_ℓ rows, CAMB layout)
//   mask.fits                     the mask at the working nside (RING, float64)
//   <split>.truth.f32             the noise-free skies, float32 little-endian, RING, μK, sky after sky
//   <split>.obs.f32               the same skies plus noise (only when sky.noise > 0)
//   test-000-truth.fits, test-000-observed.fits (UNSEEN in the hole): the first test sky for `inpaint`
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '@lossworks/cli-kit';
import { DataError, hashSeed } from '@lossworks/core-train';
import { gaussBeam, SeededRandom, serializeHealpixMap, synfast, UNSEEN, readHealpixMap, FitsError } from '@lossworks/healpix';
import { resolveDataPath, type LoadedConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { combineMasks, galacticCut, holeCount, pointSourceMask, readMaskFile, skyFraction } from './masks.js';
import { analyticSpectrum, clToLmax, formatSpectrum, parseSpectrum, readSpectrum, type Spectrum } from './spectrum.js';

/** The three splits of a data set. */
export const SPLITS = ['train', 'val', 'test'] as const;
/** A split name. */
export type Split = (typeof SPLITS)[number];

/** What manifest.json records. */
export interface Manifest {
  nside: number;
  lmax: number;
  ordering: 'RING';
  units: 'uK';
  spectrum: string;
  fwhmArcmin: number;
  noise: number;
  /** Expected rms of a simulated sky, √(Σ(2ℓ+1)C_ℓ b_ℓ²/4π) μK (the network's normalisation). */
  skyRms: number;
  fSky: number;
  holePixels: number;
  counts: Record<Split, number>;
  seed: number;
}

/** A split loaded in memory: `truth[i]` and `observed[i]` (= truth + noise; the same array without noise). */
export interface SkySet {
  truth: Float32Array[];
  observed: Float32Array[];
}

/** A data set: manifest, mask, signal spectrum and the skies of every split. */
export interface DataSet {
  manifest: Manifest;
  mask: Float64Array;
  /** C_ℓ of the spectrum (μK²), ℓ = 0..lmax. */
  cl: Float64Array;
  /** Signal spectrum of the maps S_ℓ = C_ℓ b_ℓ². */
  signalCl: Float64Array;
  splits: Record<Split, SkySet>;
}

/** lmax of the simulations at nside: 3·nside − 1 (healpy's default). */
export function lmaxOf(nside: number): number {
  return 3 * nside - 1;
}

/** The run's spectrum C_ℓ up to lmax: the configured file, or the analytic one. */
export async function loadSpectrum(loaded: LoadedConfig, lmax: number): Promise<Spectrum> {
  const { spectrum } = loaded.config;
  if (!spectrum.file) return analyticSpectrum(lmax);
  const path = resolveDataPath(spectrum.file, loaded.dir);
  const s = await readSpectrum(path, { units: spectrum.units, lmax });
  return { cl: clToLmax(s.cl, lmax), source: s.source };
}

/** The run's mask at the working nside (product of the configured parts), RING. */
export async function buildMask(loaded: LoadedConfig): Promise<Float64Array> {
  const { config, dir } = loaded;
  const { nside, mask } = config;
  const parts: Float64Array[] = [];
  if (mask.galactic) parts.push(galacticCut(nside, mask.galactic));
  if (mask.pointSources) parts.push(pointSourceMask(nside, mask.pointSources));
  if (mask.file) parts.push(await readMaskFile(resolveDataPath(mask.file.path, dir), { nside, field: mask.file.field }));
  const m = combineMasks(nside, parts);
  if (holeCount(m) === 0) throw new DataError(`buildMask: the mask of config '${config.name}' has no masked pixel (mask = 0) at nside ${nside}; nothing to inpaint.`);
  return m;
}

/** Beam window b_ℓ of the config's FWHM (ones when 0). */
export function beamWindow(config: Config, lmax: number): Float64Array {
  return gaussBeam((config.sky.fwhmArcmin / 60) * (Math.PI / 180), lmax);
}

/** S_ℓ = C_ℓ b_ℓ². */
export function signalSpectrum(cl: ArrayLike<number>, beam: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: cl.length }, (_, l) => cl[l]! * (l < beam.length ? beam[l]! ** 2 : 0));
}

/** √(Σ(2ℓ+1)S_ℓ/4π): the expected rms of a sky with signal spectrum S_ℓ. */
export function expectedRms(signalCl: ArrayLike<number>): number {
  let v = 0;
  for (let l = 0; l < signalCl.length; l++) v += ((2 * l + 1) * signalCl[l]!) / (4 * Math.PI);
  return Math.sqrt(v);
}

/** Seed of sky `index` of `split` for a data seed (distinct for every split and sky). */
export function skySeed(seed: number, split: Split, index: number): number {
  return hashSeed('cmb-inpaint', seed, split, index);
}

/** One simulated sky: noise-free truth and observed = truth + white noise (RING, μK). */
export function simulateSky(cl: ArrayLike<number>, config: Config, seed: number): { truth: Float32Array; observed: Float32Array } {
  const fwhm = (config.sky.fwhmArcmin / 60) * (Math.PI / 180);
  const truth = Float32Array.from(synfast(cl, config.nside, { fwhm, seed, lmax: lmaxOf(config.nside) }));
  if (!(config.sky.noise > 0)) return { truth, observed: truth };
  const rng = new SeededRandom(hashSeed('noise', seed));
  const observed = Float32Array.from(truth, (v) => v + config.sky.noise * rng.normal());
  return { truth, observed };
}

/** Simulates every split of a config in memory. */
export async function simulateDataSet(loaded: LoadedConfig): Promise<DataSet> {
  const { config } = loaded;
  const lmax = lmaxOf(config.nside);
  const spectrum = await loadSpectrum(loaded, lmax);
  const mask = await buildMask(loaded);
  const signalCl = signalSpectrum(spectrum.cl, beamWindow(config, lmax));
  const counts = { train: config.data.train, val: config.data.val, test: config.data.test };
  const splits = {} as Record<Split, SkySet>;
  for (const split of SPLITS) {
    const set: SkySet = { truth: [], observed: [] };
    for (let i = 0; i < counts[split]; i++) {
      const s = simulateSky(spectrum.cl, config, skySeed(config.data.seed, split, i));
      set.truth.push(s.truth);
      set.observed.push(s.observed);
    }
    splits[split] = set;
  }
  const manifest: Manifest = {
    nside: config.nside,
    lmax,
    ordering: 'RING',
    units: 'uK',
    spectrum: spectrum.source,
    fwhmArcmin: config.sky.fwhmArcmin,
    noise: config.sky.noise,
    skyRms: expectedRms(signalCl),
    fSky: skyFraction(mask),
    holePixels: holeCount(mask),
    counts,
    seed: config.data.seed,
  };
  return { manifest, mask, cl: spectrum.cl, signalCl, splits };
}

function concat(maps: readonly Float32Array[]): Uint8Array {
  const n = maps.reduce((s, m) => s + m.length, 0);
  const out = new Float32Array(n);
  let o = 0;
  for (const m of maps) {
    out.set(m, o);
    o += m.length;
  }
  return new Uint8Array(out.buffer);
}

/** The observed map as a FITS-ready array: data where mask > 0, UNSEEN in the hole. */
export function withUnseen(observed: ArrayLike<number>, mask: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: mask.length }, (_, p) => (mask[p]! > 0 ? observed[p]! : UNSEEN));
}

/** Writes a data set to `dir` (see the module comment); returns the files written. */
export async function writeDataSet(data: DataSet, dir: string): Promise<string[]> {
  const files: string[] = [];
  const put = async (name: string, bytes: string | Uint8Array): Promise<void> => {
    const path = join(dir, name);
    await writeFileAtomic(path, bytes);
    files.push(path);
  };
  await writeJsonAtomic(join(dir, 'manifest.json'), data.manifest);
  files.push(join(dir, 'manifest.json'));
  await put('spectrum.txt', formatSpectrum({ cl: data.cl, source: data.manifest.spectrum }));
  await put('mask.fits', serializeHealpixMap(data.mask, { dtype: 'D', coordsys: 'G', columnNames: ['MASK'] }));
  for (const split of SPLITS) {
    const set = data.splits[split];
    await put(`${split}.truth.f32`, concat(set.truth));
    if (data.manifest.noise > 0) await put(`${split}.obs.f32`, concat(set.observed));
  }
  const t = data.splits.test;
  if (t.truth.length > 0) {
    await put('test-000-truth.fits', serializeHealpixMap(t.truth[0]!, { dtype: 'E', coordsys: 'G', units: 'uK' }));
    await put('test-000-observed.fits', serializeHealpixMap(Float32Array.from(withUnseen(t.observed[0]!, data.mask)), { dtype: 'E', coordsys: 'G', units: 'uK' }));
  }
  return files;
}

async function readBytes(path: string, what: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataError(`readDataSet: cannot read ${what} ${path} (${code ?? String(err)}); run 'cmb-inpaint simulate' first.`, path, { cause: err });
  }
}

function splitMaps(bytes: Uint8Array, npix: number, count: number, path: string): Float32Array[] {
  if (bytes.byteLength !== npix * count * 4) {
    throw new DataError(`readDataSet: ${path} holds ${bytes.byteLength} bytes; ${count} skies of ${npix} float32 pixels need ${npix * count * 4}.`, path);
  }
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return Array.from({ length: count }, (_, i) => all.subarray(i * npix, (i + 1) * npix));
}

/** Reads a data set written by {@link writeDataSet}; `only` limits which splits load (others are empty). */
export async function readDataSet(dir: string, only: readonly Split[] = SPLITS): Promise<DataSet> {
  const manifestPath = join(dir, 'manifest.json');
  let manifest: Manifest;
  try {
    manifest = JSON.parse(new TextDecoder().decode(await readBytes(manifestPath, 'manifest'))) as Manifest;
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(`readDataSet: ${manifestPath} is not valid JSON: ${(err as Error).message}`, manifestPath, { cause: err });
  }
  const npix = 12 * manifest.nside * manifest.nside;
  let mask: Float64Array;
  try {
    mask = (await readHealpixMap(join(dir, 'mask.fits'), { ordering: 'RING' })).maps[0]!;
  } catch (err) {
    if (err instanceof FitsError) throw new DataError(`readDataSet: ${err.message}`, join(dir, 'mask.fits'), { cause: err });
    throw err;
  }
  const text = new TextDecoder().decode(await readBytes(join(dir, 'spectrum.txt'), 'spectrum'));
  const cl = parseSpectrum(text, join(dir, 'spectrum.txt')).cl;
  const beam = gaussBeam((manifest.fwhmArcmin / 60) * (Math.PI / 180), manifest.lmax);
  const splits = {} as Record<Split, SkySet>;
  for (const split of SPLITS) {
    const count = manifest.counts[split];
    if (!only.includes(split) || count === 0) {
      splits[split] = { truth: [], observed: [] };
      continue;
    }
    const tp = join(dir, `${split}.truth.f32`);
    const truth = splitMaps(await readBytes(tp, 'skies'), npix, count, tp);
    let observed = truth;
    if (manifest.noise > 0) {
      const op = join(dir, `${split}.obs.f32`);
      observed = splitMaps(await readBytes(op, 'skies'), npix, count, op);
    }
    splits[split] = { truth, observed };
  }
  return { manifest, mask, cl: clToLmax(cl, manifest.lmax), signalCl: signalSpectrum(clToLmax(cl, manifest.lmax), beam), splits };
}
