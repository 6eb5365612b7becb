import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { AtomicIo } from '../checkpoint/atomic.js';
import { ValueError } from '../errors.js';
import type { Callback, Logs, TrainContext } from '../fit/types.js';

/** Options of {@link checkpointer}. */
export interface CheckpointerOptions {
  /** Folder for `ckpt-<step>.safetensors` files (`fit({ resume: dir })` picks the latest). */
  dir: string;
  /** Save at the end of every this many epochs. Default 1 (0: never by epoch). */
  everyEpochs?: number;
  /** Also save every this many optimizer steps. Default: off. */
  everySteps?: number;
  /** Save when training ends (also when stopped early or at maxSteps). Default true. */
  onTrainEnd?: boolean;
  /** Keep only the newest this many `ckpt-*` files. Default: keep all. */
  keep?: number;
  /** Also write `best.safetensors` whenever `monitor` improves (direction from the metric, or `mode`). */
  best?: { monitor: string; mode?: 'min' | 'max' | 'auto' };
  /** File operations for the atomic write (default: node:fs; replaceable for other storage or fault-injection tests). */
  io?: AtomicIo;
}

/** Name of the checkpoint written at a global step. */
export function checkpointName(step: number): string {
  return `ckpt-${String(step).padStart(9, '0')}.safetensors`;
}

/**
 * Saves full checkpoints (weights, optimizer, schedule, RNG, counters, callback state) atomically during
 * training, so `fit({ resume: dir })` continues exactly where the last one left off.
 */
export function checkpointer(options: CheckpointerOptions): Callback {
  const { dir, everyEpochs = 1, everySteps, onTrainEnd = true, keep, best, io } = options;
  if (keep !== undefined && !(Number.isInteger(keep) && keep >= 1)) throw new ValueError(`checkpointer: option 'keep' must be an integer ≥ 1. Value: ${keep}.`);
  let bestValue: number | null = null;
  let lastSaved = -1;
  let mode: 'min' | 'max' = 'min';
  const save = async (ctx: TrainContext): Promise<void> => {
    if (ctx.globalStep === lastSaved) return;
    await ctx.saveCheckpoint(join(dir, checkpointName(ctx.globalStep)), io);
    lastSaved = ctx.globalStep;
    if (keep !== undefined) {
      const all = (await readdir(dir)).filter((n) => /^ckpt-\d+\.safetensors$/.test(n)).sort();
      for (const old of all.slice(0, Math.max(0, all.length - keep))) await rm(join(dir, old), { force: true });
    }
  };
  return {
    stateKey: 'checkpointer',
    getState: () => ({ bestValue }),
    setState(state) {
      bestValue = (state as { bestValue: number | null }).bestValue;
    },
    onTrainBegin(ctx) {
      if (best) {
        const m = best.mode ?? 'auto';
        const dir2 = m === 'auto' ? ctx.directionOf(best.monitor) : m;
        if (!dir2) throw new ValueError(`checkpointer: cannot tell whether '${best.monitor}' should go up or down; set best.mode to 'min' or 'max'.`);
        mode = dir2;
      }
    },
    async onBatchEnd(step, _logs, ctx) {
      if (everySteps !== undefined && step % everySteps === 0) await save(ctx);
    },
    async onEpochEnd(epoch, logs: Logs, ctx) {
      if (best) {
        const v = logs[best.monitor];
        if (v !== undefined && !Number.isNaN(v) && (bestValue === null || (mode === 'min' ? v < bestValue : v > bestValue))) {
          bestValue = v;
          await ctx.saveCheckpoint(join(dir, 'best.safetensors'), io);
        }
      }
      if (everyEpochs > 0 && (epoch + 1) % everyEpochs === 0) await save(ctx);
    },
    async onTrainEnd(_logs, ctx) {
      if (onTrainEnd) await save(ctx);
    },
  };
}
