import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Io } from '@lossworks/cli-kit';
import type { ConfigInput } from '../src/config/schema.js';

/** A tiny run config (nside 16, a few skies, a 4-channel network) for tests. */
export function tinyConfig(overrides: Partial<ConfigInput> = {}): ConfigInput {
  return {
    name: 'tiny',
    nside: 16,
    sky: { fwhmArcmin: 400, noise: 0.5 },
    mask: { galactic: { b0: 15, apodization: 4 }, pointSources: { count: 3, radius: 6, seed: 2 } },
    data: { train: 3, val: 1, test: 1, seed: 5 },
    model: { channels: 4, pad: 4, rates: [1, 2, 4] },
    train: { steps: 2, batchSize: 4, stepsPerEpoch: 1, backend: 'cpu' },
    eval: { wiener: { tol: 1e-5, maxIter: 200 }, diffusion: { maxIter: 2000, tol: 1e-5, omega: 1.8 }, lmin: 2, binWidth: 4 },
    ...overrides,
  };
}

/** Writes a config to a fresh temp folder; returns the config path and the run folder to use. */
export async function writeTinyConfig(overrides: Partial<ConfigInput> = {}): Promise<{ dir: string; config: string; out: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'cmb-inpaint-'));
  const config = join(dir, 'tiny.json');
  await writeFile(config, JSON.stringify(tinyConfig(overrides), null, 2));
  return { dir, config, out: join(dir, 'run') };
}

/** An Io that collects what a command writes. */
export function captureIo(): Io & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const sink = (add: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, cb) {
        add(String(chunk));
        cb();
      },
    });
  return { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)), out: () => out, err: () => err };
}
