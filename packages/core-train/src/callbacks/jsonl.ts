import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Callback } from '../fit/types.js';

/** Options of {@link jsonlLog}. */
export interface JsonlOptions {
  /** Write a line per step. Default true. */
  steps?: boolean;
  /** Write a line per epoch. Default true. */
  epochs?: boolean;
}

/**
 * A JSONL metrics log: one JSON object per line, `{"type":"step","epoch","step",…logs,"time"}` per step
 * and `{"type":"epoch",…}` per epoch. Each line is one append (O_APPEND), so concurrent readers see whole
 * lines; NaN is written as null.
 */
export function jsonlLog(path: string, options: JsonlOptions = {}): Callback {
  const { steps = true, epochs = true } = options;
  const write = (obj: Record<string, unknown>): Promise<void> => appendFile(path, `${JSON.stringify({ ...obj, time: new Date().toISOString() })}\n`);
  return {
    async onTrainBegin() {
      await mkdir(dirname(path), { recursive: true });
    },
    async onBatchEnd(step, logs, ctx) {
      if (steps) await write({ type: 'step', epoch: ctx.epoch, step, ...logs });
    },
    async onEpochEnd(epoch, logs, ctx) {
      if (epochs) await write({ type: 'epoch', epoch, step: ctx.globalStep, ...logs });
    },
  };
}
