// `distill`: stage 1, the CNN student encoder distilled from the frozen teacher encoder.
import type { Io } from '@lossworks/cli-kit';
import { distillEncoder, type StageResult } from '../train/stages.js';
import { dataOrSkip, isSkipped, openRun, useBackend, type RunOptions, type Skipped } from './common.js';

/** Runs stage 1 and writes `<out>/models/student-encoder.safetensors`. */
export async function distillCommand(opts: RunOptions, io: Io): Promise<(StageResult & { teacherRuns: number; summary: string }) | Skipped> {
  const run = await openRun(opts);
  const data = await dataOrSkip(run, io);
  if (isSkipped(data)) return data;
  await useBackend(opts, io);
  const r = await distillEncoder({ config: run.config, out: run.out, stderr: io.stderr }, data);
  return {
    ...r,
    summary: `distill: ${r.steps} steps in ${r.seconds.toFixed(1)} s (teacher ran on ${r.teacherRuns} new images), loss ${r.firstLoss.toFixed(4)} → ${r.lastLoss.toFixed(4)}\n  ${r.model}`,
  };
}
