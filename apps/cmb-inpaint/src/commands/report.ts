import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Io } from '@lossworks/cli-kit';
import { DataError } from '@lossworks/core-train';
import { FitsError, isUnseen, readHealpixMap } from '@lossworks/healpix';
import { checkSharedData, readConfig, runDir } from '../config/load.js';
import { buildReport, type ReportInputs } from '../report/report.js';
import type { EvalResult } from './eval.js';

/** Options of `cmb-inpaint report`. */
export interface ReportOptions {
  config: string;
  out?: string;
  /** Mollweide image width (pixels). Default 640. */
  width?: number;
}

/** What `report` wrote. */
export interface ReportResult {
  summary: string;
  html: string;
  images: string[];
  plots: string[];
}

async function readJson<T>(path: string, what: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new DataError(`report: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)}); run 'cmb-inpaint ${what}' first.`, path, { cause: err });
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new DataError(`report: ${path} is not valid JSON: ${(err as Error).message}`, path, { cause: err });
  }
}

/** Writes <run>/report/report.html (+ PNGs) from eval/eval.json, the sky-1 maps and train.json. */
export async function report(opts: ReportOptions, io: Io): Promise<ReportResult> {
  const loaded = await readConfig(opts.config);
  checkSharedData(loaded);
  const { config } = loaded;
  const dir = runDir(config, opts.out);
  const evalResult = await readJson<EvalResult>(join(dir, 'eval', 'eval.json'), 'eval');
  const maps: Record<string, Float64Array> = {};
  for (const [name, path] of Object.entries(evalResult.maps)) {
    try {
      const m = (await readHealpixMap(path, { ordering: 'RING' })).maps[0]!;
      maps[name] = Float64Array.from(m, (v) => (isUnseen(v) ? NaN : v));
    } catch (err) {
      if (err instanceof FitsError) throw new DataError(`report: ${err.message}`, path, { cause: err });
      throw err;
    }
  }
  let train: ReportInputs['train'];
  try {
    train = await readJson<NonNullable<ReportInputs['train']>>(join(dir, 'train.json'), 'train');
  } catch {
    io.stderr.write('report: no train.json; the training section is left out\n');
  }
  const outDir = join(dir, 'report');
  await rm(outDir, { recursive: true, force: true }); // no stale images from an earlier report
  const files = await buildReport({
    name: config.name,
    outDir,
    evalResult,
    maps,
    ...(train ? { train } : {}),
    meta: {
      config: loaded.file,
      nside: config.nside,
      spectrum: config.spectrum.file ?? 'analytic',
      mask: config.mask,
      beamFwhmArcmin: config.sky.fwhmArcmin,
      noiseUk: config.sky.noise,
      skies: config.data,
      model: config.model,
      backend: evalResult.backend,
      evalSeconds: evalResult.seconds,
    },
    width: opts.width,
  });
  return {
    summary: `Report: ${files.html} (${files.images.length} maps, ${files.plots.length} plots).`,
    html: files.html,
    images: files.images,
    plots: files.plots,
  };
}
