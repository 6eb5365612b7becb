// `train-teacher`: the ViT teacher (encoder + decoder) trained end to end on the training split.
import type { Io } from '@lossworks/cli-kit';
import { UsageError } from '@lossworks/cli-kit';
import { trainTeacher, type StageResult } from '../train/stages.js';
import { dataOrSkip, isSkipped, openRun, useBackend, type RunOptions, type Skipped } from './common.js';

/** Trains the teacher and writes `<out>/models/teacher.safetensors`. */
export async function trainTeacherCommand(opts: RunOptions, io: Io): Promise<(StageResult & { summary: string }) | Skipped> {
  const run = await openRun(opts);
  if (run.config.teacher.source !== 'train') throw new UsageError(`train-teacher: teacher.source is '${run.config.teacher.source}'; the ONNX teacher needs no training.`);
  const data = await dataOrSkip(run, io);
  if (isSkipped(data)) return data;
  await useBackend(opts, io);
  const r = await trainTeacher({ config: run.config, out: run.out, stderr: io.stderr }, data);
  return { ...r, summary: `teacher: ${r.steps} steps in ${r.seconds.toFixed(1)} s, loss ${r.firstLoss.toFixed(4)} → ${r.lastLoss.toFixed(4)}\n  ${r.model}` };
}
