// `distill`: stage 1, the CNN student encoder distilled from the frozen teacher encoder.
import type { Io } from '@lossworks/cli-kit';
import { distillEncoder, type StageResult } from '../train/stages.js';
import { stageCommand, type RunOptions, type Skipped } from './common.js';

/** Runs stage 1 and writes `<out>/models/student-encoder.safetensors`. */
export async function distillCommand(opts: RunOptions, io: Io): Promise<(StageResult & { teacherRuns: number; summary: string }) | Skipped> {
  return stageCommand(opts, io, distillEncoder, () => 'distill', { note: (r) => ` (teacher ran on ${r.teacherRuns} new images)` });
}
