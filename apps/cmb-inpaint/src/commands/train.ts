import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic, type Io } from '@lossworks/cli-kit';
import { describeSelection, jsonlLog, progressBar, selectBackend, type BackendName, type History } from '@lossworks/core-train';
import { checkSharedData, readConfig, runDir } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { readDataSet, type DataSet } from '../data/simulate.js';
import { trainNet } from '../fit.js';
import { faceGeometry } from '../model/faces.js';
import { saveNet } from '../model/io.js';
import { buildNet, type SkyReconNet } from '../model/skyreconnet.js';

/** Options of `cmb-inpaint train`. */
export interface TrainOptions {
  config: string;
  out?: string;
  /** Override train.steps. */
  steps?: number;
  /** Override train.alpha. */
  alpha?: number;
  /** Override train.seed. */
  seed?: number;
  /** Override train.backend. */
  backend?: Config['train']['backend'];
}

/** What `train` did. */
export interface TrainResult {
  summary: string;
  model: string;
  log: string;
  backend: string;
  steps: number;
  seconds: number;
  stepsPerSecond: number;
  parameterCount: number;
  finalLoss: number;
}

/** Selects the TF.js backend: a named one, or selectBackend()'s choice for 'auto'. */
export async function useBackend(name: Config['train']['backend'], io: Io): Promise<string> {
  const sel = await selectBackend(name === 'auto' ? {} : { force: name as BackendName });
  io.stderr.write(`${describeSelection(sel)}\n`);
  return sel.name;
}

/** Trains one network on a data set with the config's settings (α, steps and seed as given). */
export async function trainOne(config: Config, data: DataSet, o: { alpha: number; steps: number; seed: number; logPath?: string; io: Io }): Promise<{ net: SkyReconNet; history: History; seconds: number }> {
  const t = config.train;
  const net = buildNet({ nside: config.nside, ...config.model }, o.seed);
  const geo = faceGeometry(config.nside, config.model.pad);
  const scale = data.manifest.skyRms;
  const callbacks = [progressBar({ stream: o.io.stderr as NodeJS.WritableStream })];
  if (o.logPath) callbacks.push(jsonlLog(o.logPath));
  const t0 = performance.now();
  try {
    const history = await trainNet(
      net,
      { skies: data.splits.train, mask: data.mask, geo, scale, prefill: net.config.prefill },
      data.splits.val.truth.length > 0 ? { skies: data.splits.val, mask: data.mask, geo, scale, prefill: net.config.prefill } : null,
      { ...t, alpha: o.alpha, steps: o.steps, seed: o.seed, callbacks },
    );
    return { net, history, seconds: (performance.now() - t0) / 1000 };
  } catch (err) {
    net.dispose();
    throw err;
  }
}

/** Trains the network on <run>/data and writes <run>/model.safetensors, train-log.jsonl and train.json. */
export async function train(opts: TrainOptions, io: Io): Promise<TrainResult> {
  const loaded = await readConfig(opts.config);
  checkSharedData(loaded);
  const config = loaded.config;
  const dir = runDir(config, opts.out);
  const data = await readDataSet(join(dir, 'data'), ['train', 'val']);
  const backend = await useBackend(opts.backend ?? config.train.backend, io);
  const alpha = opts.alpha ?? config.train.alpha;
  const steps = opts.steps ?? config.train.steps;
  const seed = opts.seed ?? config.train.seed;
  const log = join(dir, 'train-log.jsonl');
  await rm(log, { force: true });
  io.stderr.write(`train: ${steps} steps of ${config.train.batchSize} faces, α = ${alpha}, on ${backend}\n`);
  const { net, history, seconds } = await trainOne(config, data, { alpha, steps, seed, logPath: log, io });
  try {
    const model = join(dir, 'model.safetensors');
    await saveNet(net, { scale: data.manifest.skyRms, alpha, steps, spectrum: data.manifest.spectrum }, model);
    const loss = history.history.loss ?? [];
    const finalLoss = loss.at(-1) ?? NaN;
    const result: TrainResult = {
      summary: '',
      model,
      log,
      backend,
      steps,
      seconds,
      stepsPerSecond: steps / seconds,
      parameterCount: net.parameterCount,
      finalLoss,
    };
    await writeJsonAtomic(join(dir, 'train.json'), { ...result, alpha, batchSize: config.train.batchSize, history: history.history, epochs: history.epoch });
    result.summary = `Trained ${net.parameterCount} parameters for ${steps} steps in ${seconds.toFixed(1)} s (${result.stepsPerSecond.toFixed(2)} steps/s on ${backend}); final loss ${finalLoss.toFixed(4)}.\nModel: ${model}`;
    return result;
  } finally {
    net.dispose();
  }
}
