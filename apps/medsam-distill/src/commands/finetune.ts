// `finetune`: stage 2, the decoder fine-tuned on the distilled student's embeddings.
import type { Io } from '@lossworks/cli-kit';
import { finetuneDecoder, type StageResult } from '../train/stages.js';
import { stageCommand, type RunOptions, type Skipped } from './common.js';

/** Runs stage 2 and writes `<out>/models/student-kd.safetensors`. */
export async function finetuneCommand(opts: RunOptions, io: Io): Promise<(StageResult & { summary: string }) | Skipped> {
  return stageCommand(opts, io, finetuneDecoder, (r) => `finetune (encoder ${r.encoder})`);
}
