// `train-teacher`: the ViT teacher (encoder + decoder) trained end to end on the training split.
import type { Io } from '@lossworks/cli-kit';
import { UsageError } from '@lossworks/cli-kit';
import { trainTeacher, type StageResult } from '../train/stages.js';
import { stageCommand, type RunOptions, type Skipped } from './common.js';

/** Trains the teacher and writes `<out>/models/teacher.safetensors`. */
export async function trainTeacherCommand(opts: RunOptions, io: Io): Promise<(StageResult & { summary: string }) | Skipped> {
  return stageCommand(opts, io, trainTeacher, () => 'teacher', {
    check: ({ config }) => {
      if (config.teacher.source !== 'train') throw new UsageError(`train-teacher: teacher.source is '${config.teacher.source}'; the ONNX teacher needs no training.`);
    },
  });
}
