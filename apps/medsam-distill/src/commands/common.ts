// What every command shares: options, the loaded config and run folder, the tensor backend, the data.
import { join } from 'node:path';
import { loadConfig, type Io } from '@lossworks/cli-kit';
import { describeSelection, selectBackend, type BackendName } from '@lossworks/core-train';
import { configSchema, type Config } from '../config/schema.js';
import { runData, type RunData } from '../train/data.js';
import type { StageEnv, StageResult } from '../train/stages.js';

/** Options every run command takes. */
export interface RunOptions {
  /** Config file (see config.schema.json). */
  config: string;
  /** Run folder; default the config's `out`, else runs/<name>. */
  out?: string;
  /** Overrides the config's seed. */
  seed?: number;
  /** Tensor backend; default the fastest that loads (LOSSWORKS_BACKEND forces one). */
  backend?: BackendName;
  json?: boolean;
}

/** A loaded run: config (with overrides) and its folder. */
export interface Run {
  config: Config;
  out: string;
}

/** Reads and checks the config, applies overrides, and resolves the run folder. */
export async function openRun(opts: RunOptions): Promise<Run> {
  const config = await loadConfig(opts.config, configSchema);
  if (opts.seed !== undefined) config.seed = opts.seed;
  return { config, out: opts.out ?? config.out ?? join('runs', config.name) };
}

/** Activates the tensor backend and logs the choice; returns its name. */
export async function useBackend(opts: Pick<RunOptions, 'backend'>, io: Io): Promise<string> {
  const sel = await selectBackend(opts.backend ? { force: opts.backend } : {});
  io.stderr.write(`backend: ${sel.name}\n${describeSelection(sel).replace(/^/gm, '  ')}\n`);
  return sel.name;
}

/** A command's result when the real data is absent: a note, exit 0. */
export interface Skipped {
  skipped: true;
  missing: string[];
  summary: string;
}

/** The run's data, or a {@link Skipped} result when a real-data run finds none of its sets. */
export async function dataOrSkip(run: Run, io: Io): Promise<(RunData & { reused: boolean }) | Skipped> {
  const data = await runData(run.config, run.out, (line) => io.stderr.write(`${line}\n`));
  if (data.train.length + data.test.length === 0) {
    const missing = data.missing.length ? data.missing : run.config.data.sets;
    const summary = `${missing.join(', ')}: missing, skipped`;
    io.stderr.write(`${summary}\n`);
    return { skipped: true, missing, summary };
  }
  return data;
}

/** Whether a value is a {@link Skipped} result. */
export function isSkipped(v: unknown): v is Skipped {
  return typeof v === 'object' && v !== null && (v as Skipped).skipped === true;
}

/**
 * A training-stage command: opens the run (`check` may refuse its config), loads its data (or reports
 * it missing), selects the backend, runs `stage` and adds the one-line summary
 * `<label>: N steps in T s<note>, loss a → b`.
 */
export async function stageCommand<R extends StageResult>(
  opts: RunOptions,
  io: Io,
  stage: (env: StageEnv, data: RunData) => Promise<R>,
  label: (r: R) => string,
  { note = () => '', check = () => {} }: { note?: (r: R) => string; check?: (run: Run) => void } = {},
): Promise<(R & { summary: string }) | Skipped> {
  const run = await openRun(opts);
  check(run);
  const data = await dataOrSkip(run, io);
  if (isSkipped(data)) return data;
  await useBackend(opts, io);
  const r = await stage({ config: run.config, out: run.out, stderr: io.stderr }, data);
  return { ...r, summary: `${label(r)}: ${r.steps} steps in ${r.seconds.toFixed(1)} s${note(r)}, loss ${r.firstLoss.toFixed(4)} → ${r.lastLoss.toFixed(4)}\n  ${r.model}` };
}
