// `train-scratch`: the control, the same student from random weights with Dice only.
import type { Io } from '@lossworks/cli-kit';
import { trainScratch, type StageResult } from '../train/stages.js';
import { stageCommand, type RunOptions, type Skipped } from './common.js';

/** Trains the scratch student and writes `<out>/models/student-scratch.safetensors`. */
export async function trainScratchCommand(opts: RunOptions, io: Io): Promise<(StageResult & { summary: string }) | Skipped> {
  return stageCommand(opts, io, trainScratch, () => 'scratch');
}
