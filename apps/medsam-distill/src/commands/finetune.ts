// `finetune`: stage 2, the decoder fine-tuned on the distilled student's embeddings.
import type { Io } from '@lossworks/cli-kit';
import { finetuneDecoder, type StageResult } from '../train/stages.js';
import { dataOrSkip, isSkipped, openRun, useBackend, type RunOptions, type Skipped } from './common.js';

/** Runs stage 2 and writes `<out>/models/student-kd.safetensors`. */
export async function finetuneCommand(opts: RunOptions, io: Io): Promise<(StageResult & { summary: string }) | Skipped> {
  const run = await openRun(opts);
  const data = await dataOrSkip(run, io);
  if (isSkipped(data)) return data;
  await useBackend(opts, io);
  const r = await finetuneDecoder({ config: run.config, out: run.out, stderr: io.stderr }, data);
  return { ...r, summary: `finetune (encoder ${r.encoder}): ${r.steps} steps in ${r.seconds.toFixed(1)} s, loss ${r.firstLoss.toFixed(4)} → ${r.lastLoss.toFixed(4)}\n  ${r.model}` };
}
