// `train-scratch`: the control, the same student from random weights with Dice only.
import type { Io } from '@lossworks/cli-kit';
import { trainScratch, type StageResult } from '../train/stages.js';
import { dataOrSkip, isSkipped, openRun, useBackend, type RunOptions, type Skipped } from './common.js';

/** Trains the scratch student and writes `<out>/models/student-scratch.safetensors`. */
export async function trainScratchCommand(opts: RunOptions, io: Io): Promise<(StageResult & { summary: string }) | Skipped> {
  const run = await openRun(opts);
  const data = await dataOrSkip(run, io);
  if (isSkipped(data)) return data;
  await useBackend(opts, io);
  const r = await trainScratch({ config: run.config, out: run.out, stderr: io.stderr }, data);
  return { ...r, summary: `scratch: ${r.steps} steps in ${r.seconds.toFixed(1)} s, loss ${r.firstLoss.toFixed(4)} → ${r.lastLoss.toFixed(4)}\n  ${r.model}` };
}
