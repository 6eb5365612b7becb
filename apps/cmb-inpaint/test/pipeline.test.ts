// simulate → train (2 steps) → eval → report → inpaint on a tiny config, through the command functions.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readHealpixMap, UNSEEN, writeHealpixMap } from '@lossworks/healpix';
import { simulate } from '../src/commands/simulate.js';
import { train } from '../src/commands/train.js';
import { evaluate, wienerNote } from '../src/commands/eval.js';
import { report } from '../src/commands/report.js';
import { inpaint } from '../src/commands/inpaint.js';
import { readDataSet } from '../src/data/simulate.js';
import { loadNet } from '../src/model/io.js';
import { predictMap } from '../src/fit.js';
import { captureIo, writeTinyConfig } from './helpers.js';

describe('pipeline on a tiny config', () => {
  let cfg: { dir: string; config: string; out: string };
  const io = captureIo();

  beforeAll(async () => {
    cfg = await writeTinyConfig();
  });

  it('simulate writes the data set, reproducibly', async () => {
    const r = await simulate({ config: cfg.config, out: cfg.out }, io);
    expect(r.manifest.nside).toBe(16);
    expect(r.manifest.counts).toEqual({ train: 3, val: 1, test: 1 });
    expect(r.manifest.holePixels).toBeGreaterThan(0);
    const data = await readDataSet(join(cfg.out, 'data'));
    expect(data.splits.train.truth.length).toBe(3);
    // observed = truth + noise (σ 0.5 μK)
    const t = data.splits.test.truth[0]!;
    const o = data.splits.test.observed[0]!;
    let s = 0;
    for (let p = 0; p < t.length; p++) s += (o[p]! - t[p]!) ** 2;
    expect(Math.sqrt(s / t.length)).toBeGreaterThan(0.4);
    expect(Math.sqrt(s / t.length)).toBeLessThan(0.6);
    const again = await simulate({ config: cfg.config, out: join(cfg.dir, 'again') }, io);
    expect(readFileSync(join(again.dataDir, 'train.truth.f32'))).toEqual(readFileSync(join(r.dataDir, 'train.truth.f32')));
  });

  it('train runs 2 steps without leaking tensors and saves a model that loads back', async () => {
    const before = tf.memory().numTensors;
    const r = await train({ config: cfg.config, out: cfg.out }, io);
    expect(tf.memory().numTensors).toBe(before);
    expect(r.steps).toBe(2);
    expect(Number.isFinite(r.finalLoss)).toBe(true);
    expect(existsSync(r.model)).toBe(true);
    const log = readFileSync(r.log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(log.filter((l) => l.type === 'step').length).toBe(2);
    const { net, meta } = await loadNet(r.model);
    expect(meta.steps).toBe(2);
    expect(net.config.nside).toBe(16);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('eval scores every method and report writes the page', async () => {
    const r = await evaluate({ config: cfg.config, out: cfg.out }, io);
    expect(r.table.map((row) => row.method)).toEqual(['mean fill', 'diffusion', 'Wiener filter', 'constrained realisation', 'network (α = 0.84)']);
    const wiener = r.table[2]!;
    expect(wiener['RMSE / Wiener']).toBe(1);
    expect(r.table[1]!['RMSE hole (μK)']).toBeLessThan(r.table[0]!['RMSE hole (μK)']); // diffusion beats mean fill
    for (const row of r.table) {
      expect(row['ℓ bins in CV band']).toBeGreaterThanOrEqual(0);
      expect(row['ℓ bins in CV band']).toBeLessThanOrEqual(1);
    }
    expect(r.summary).toMatch(/× the Wiener filter's/);
    // the Wiener filter's CG convergence is reported (tiny config: tol 1e-5 within 200 iterations)
    expect(r.headline.wienerConverged).toBe(r.scores[0]!.rmse.length);
    expect(r.headline.wienerWorstResidual).toBeLessThan(1e-5);
    expect(r.summary).toMatch(/Wiener filter: CG converged \(relative residual < 0.00001\) on all 1 test skies/);
    expect(wienerNote({ wienerConverged: 2, wienerWorstResidual: 3e-4 }, 8, { tol: 1e-6, maxIter: 500 })).toMatch(
      /^Warning: the Wiener filter's CG reached the relative residual 0.000001 on 2 of 8 test skies within 500 iterations \(worst 3.0e-4\)/,
    );
    const rep = await report({ config: cfg.config, out: cfg.out, width: 64 }, io);
    const html = readFileSync(rep.html, 'utf8');
    expect(html).toContain('Wiener filter');
    expect(html).toContain('CG converged');
    expect(rep.images.length).toBeGreaterThanOrEqual(8);
  });

  it('inpaint fills a FITS map (FITS in, FITS out) and keeps every observed pixel', async () => {
    const data = await readDataSet(join(cfg.out, 'data'), ['test']);
    const input = join(cfg.out, 'data', 'test-000-observed.fits');
    for (const method of ['network', 'diffusion', 'wiener', 'mean'] as const) {
      const output = join(cfg.dir, `filled-${method}.fits`);
      const r = await inpaint({ input, output, method, model: join(cfg.out, 'model.safetensors'), fwhmArcmin: 400 }, io);
      expect(r.holePixels).toBe(data.manifest.holePixels); // the UNSEEN pixels of the observed file are the hole
      const filled = (await readHealpixMap(output)).maps[0]!;
      const observed = (await readHealpixMap(input)).maps[0]!;
      for (let p = 0; p < filled.length; p++) {
        expect(Number.isFinite(filled[p])).toBe(true);
        if (observed[p] !== UNSEEN) expect(filled[p]).toBeCloseTo(observed[p]!, 3); // float32 file
      }
    }
    // the network's FITS output equals its in-memory prediction
    const { net, meta } = await loadNet(join(cfg.out, 'model.safetensors'));
    const mask = Float64Array.from((await readHealpixMap(input)).maps[0]!, (v) => (v === UNSEEN ? 0 : 1));
    const mem = await predictMap(net, (await readHealpixMap(input)).maps[0]!, mask, meta.scale);
    net.dispose();
    const file = (await readHealpixMap(join(cfg.dir, 'filled-network.fits'))).maps[0]!;
    for (let p = 0; p < mem.length; p++) expect(file[p]).toBeCloseTo(mem[p]!, 2);
    await expect(inpaint({ input, output: join(cfg.dir, 'filled-mean.fits'), method: 'mean' }, io)).rejects.toThrow(/exists; pass --overwrite/);
    await expect(inpaint({ input, output: join(cfg.dir, 'x.fits'), method: 'network' }, io)).rejects.toThrow(/needs --model/);
    const bad = join(cfg.dir, 'nside8.fits');
    await writeHealpixMap(bad, new Float64Array(768).fill(UNSEEN).map((v, p) => (p % 2 ? 1 : v)));
    await expect(inpaint({ input: bad, output: join(cfg.dir, 'y.fits'), model: join(cfg.out, 'model.safetensors') }, io)).rejects.toThrow(/works at nside 16, the map .* has nside 8/);
  });
});
