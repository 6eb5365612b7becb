import { join } from 'node:path';
import type { Io } from '@lossworks/cli-kit';
import { readConfig, runDir } from '../config/load.js';
import { simulateDataSet, writeDataSet, type Manifest } from '../data/simulate.js';

/** Options of `cmb-inpaint simulate`. */
export interface SimulateOptions {
  config: string;
  /** Run folder (default runs/<name>). */
  out?: string;
}

/** What `simulate` wrote. */
export interface SimulateResult {
  summary: string;
  dataDir: string;
  manifest: Manifest;
  files: string[];
  seconds: number;
}

/** Simulates the config's train/val/test skies and mask and writes them to <run>/data. */
export async function simulate(opts: SimulateOptions, io: Io): Promise<SimulateResult> {
  const t0 = performance.now();
  const loaded = await readConfig(opts.config);
  const dataDir = join(runDir(loaded.config, opts.out), 'data');
  const c = loaded.config;
  io.stderr.write(`simulate: ${c.data.train}/${c.data.val}/${c.data.test} skies at nside ${c.nside} → ${dataDir}\n`);
  const data = await simulateDataSet(loaded);
  const files = await writeDataSet(data, dataDir);
  const m = data.manifest;
  const seconds = (performance.now() - t0) / 1000;
  const summary = [
    `Simulated ${m.counts.train} train, ${m.counts.val} val and ${m.counts.test} test skies (nside ${m.nside}, lmax ${m.lmax}, spectrum ${m.spectrum}).`,
    `Sky rms ${m.skyRms.toFixed(2)} μK, beam ${m.fwhmArcmin}′ FWHM, noise ${m.noise} μK; mask f_sky ${m.fSky.toFixed(3)}, ${m.holePixels} hole pixels.`,
    `Wrote ${files.length} files to ${dataDir} in ${seconds.toFixed(1)} s.`,
  ].join('\n');
  return { summary, dataDir, manifest: m, files, seconds };
}
