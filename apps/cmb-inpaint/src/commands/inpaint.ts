import { existsSync } from 'node:fs';
import type { Io } from '@lossworks/cli-kit';
import { UsageError } from '@lossworks/cli-kit';
import { DataError } from '@lossworks/core-train';
import { FitsError, gaussBeam, isUnseen, readHealpixMap, writeHealpixMap } from '@lossworks/healpix';
import { diffusionFill } from '../baselines/diffusion.js';
import { meanFill } from '../baselines/mean-fill.js';
import { wienerFilter } from '../baselines/wiener.js';
import { holeCount, readMaskFile, skyFraction } from '../data/masks.js';
import { analyticSpectrum, clToLmax, readSpectrum } from '../data/spectrum.js';
import { signalSpectrum } from '../data/simulate.js';
import { predictMap } from '../fit.js';
import { observedMap } from '../model/faces.js';
import { loadNet } from '../model/io.js';

/** Inpainting methods `inpaint` offers. */
export const INPAINT_METHODS = ['network', 'wiener', 'diffusion', 'mean'] as const;

/** Options of `cmb-inpaint inpaint`. */
export interface InpaintOptions {
  /** HEALPix FITS map to fill (μK; UNSEEN pixels count as masked). */
  input: string;
  /** Output FITS file. */
  output: string;
  /** HEALPix FITS mask (0 masked … 1 observed); default: the UNSEEN/NaN pixels of the input. */
  mask?: string;
  /** Method (default 'network'). */
  method?: (typeof INPAINT_METHODS)[number];
  /** Trained model (model.safetensors), for method 'network'. */
  model?: string;
  /** Spectrum file for method 'wiener' (default: the analytic spectrum). */
  spectrum?: string;
  /** Beam FWHM in arcmin of the map, for 'wiener'. Default 0. */
  fwhmArcmin?: number;
  /** Noise σ per pixel (μK) assumed by 'wiener'. Default 1. */
  noise?: number;
  /** Column of the input map. Default 0. */
  field?: number;
  /** Replace an existing output file. */
  overwrite?: boolean;
}

/** What `inpaint` did. */
export interface InpaintResult {
  summary: string;
  output: string;
  method: string;
  nside: number;
  holePixels: number;
  fSky: number;
  seconds: number;
}

async function readMap(path: string, field: number): Promise<{ map: Float64Array; nside: number }> {
  try {
    const f = await readHealpixMap(path, { fields: [field], ordering: 'RING' });
    return { map: f.maps[0]!, nside: f.nside };
  } catch (err) {
    if (err instanceof FitsError) throw new DataError(`inpaint: ${err.message}`, path, { cause: err });
    throw err;
  }
}

/** Fills the masked pixels of a HEALPix FITS map and writes the filled map (RING, float32) to a FITS file. */
export async function inpaint(opts: InpaintOptions, io: Io): Promise<InpaintResult> {
  const t0 = performance.now();
  const method = opts.method ?? 'network';
  if (!(INPAINT_METHODS as readonly string[]).includes(method)) throw new UsageError(`inpaint: --method must be one of ${INPAINT_METHODS.join(', ')}. Value: ${method}.`);
  if (method === 'network' && !opts.model) throw new UsageError("inpaint: --method network needs --model <model.safetensors> (written by 'cmb-inpaint train').");
  if (existsSync(opts.output) && !opts.overwrite) throw new UsageError(`inpaint: ${opts.output} exists; pass --overwrite to replace it.`);
  const { map, nside } = await readMap(opts.input, opts.field ?? 0);
  let mask: Float64Array;
  if (opts.mask) mask = await readMaskFile(opts.mask, { nside });
  else mask = Float64Array.from(map, (v) => (Number.isNaN(v) || isUnseen(v) ? 0 : 1));
  for (let p = 0; p < map.length; p++) if (mask[p]! > 0 && (Number.isNaN(map[p]!) || isUnseen(map[p]!))) mask[p] = 0; // unusable data
  const holes = holeCount(mask);
  if (holes === mask.length) throw new DataError(`inpaint: ${opts.input}: every pixel is masked; nothing to inpaint from.`, opts.input);
  const obs = observedMap(map, mask);
  io.stderr.write(`inpaint: ${opts.input} (nside ${nside}), ${holes} masked pixels, method ${method}\n`);
  let filled: Float64Array;
  if (method === 'mean') filled = meanFill(obs, mask);
  else if (method === 'diffusion') filled = diffusionFill(obs, mask).map;
  else if (method === 'wiener') {
    const lmax = 3 * nside - 1;
    const cl = opts.spectrum ? clToLmax((await readSpectrum(opts.spectrum, { lmax })).cl, lmax) : analyticSpectrum(lmax).cl;
    const beam = gaussBeam(((opts.fwhmArcmin ?? 0) / 60) * (Math.PI / 180), lmax);
    filled = wienerFilter(obs, mask, { signalCl: signalSpectrum(cl, beam), noise: opts.noise ?? 1 }).map;
  } else {
    const { net, meta } = await loadNet(opts.model!);
    try {
      if (net.config.nside !== nside) {
        throw new DataError(`inpaint: the model ${opts.model} works at nside ${net.config.nside}, the map ${opts.input} has nside ${nside}; ud_grade the map or train at its nside.`, opts.input);
      }
      filled = await predictMap(net, obs, mask, meta.scale);
    } finally {
      net.dispose();
    }
  }
  await writeHealpixMap(opts.output, Float32Array.from(filled), { dtype: 'E', coordsys: 'G', units: 'uK', overwrite: opts.overwrite ?? false, extraHeader: [['INPAINT', method, 'cmb-inpaint method']] });
  const seconds = (performance.now() - t0) / 1000;
  return {
    summary: `Filled ${holes} of ${mask.length} pixels with ${method} in ${seconds.toFixed(1)} s → ${opts.output}`,
    output: opts.output,
    method,
    nside,
    holePixels: holes,
    fSky: skyFraction(mask),
    seconds,
  };
}
