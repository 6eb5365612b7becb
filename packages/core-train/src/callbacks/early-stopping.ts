import type * as tf from '@tensorflow/tfjs';
import { ValueError } from '../errors.js';
import type { Callback, TrainContext } from '../fit/types.js';

/** Options of {@link earlyStopping}. */
export interface EarlyStoppingOptions {
  /** Log key to watch, e.g. 'val/loss' or 'val/psnr'. Default 'val/loss'. */
  monitor?: string;
  /**
   * 'auto' (default) takes the direction from the metric (core-losses `higherIsBetter`; losses go down);
   * 'min' / 'max' force it.
   */
  mode?: 'auto' | 'min' | 'max';
  /** Stop after this many epochs in a row without improvement (as tfjs/Keras; 0 and 1 both stop at the first). Default 0. */
  patience?: number;
  /** Smallest change that counts as an improvement. Default 0. */
  minDelta?: number;
  /** Put the best epoch's weights back when stopping (kept in memory). Default false. */
  restoreBestWeights?: boolean;
}

/**
 * Stops training when a monitored value has not improved for `patience` epochs (tfjs/Keras
 * EarlyStopping). Its counters are saved in checkpoints; best weights (when restoring) are not.
 */
export function earlyStopping(options: EarlyStoppingOptions = {}): Callback {
  const { monitor = 'val/loss', mode = 'auto', patience = 0, minDelta = 0, restoreBestWeights = false } = options;
  if (!(Number.isInteger(patience) && patience >= 0)) throw new ValueError(`earlyStopping: option 'patience' must be an integer ≥ 0. Value: ${patience}.`);
  if (!(minDelta >= 0)) throw new ValueError(`earlyStopping: option 'minDelta' must be ≥ 0. Value: ${minDelta}.`);
  let direction: 'min' | 'max' = 'min';
  let best: number | null = null;
  let wait = 0;
  let bestEpoch = -1;
  let bestWeights: Map<string, tf.Tensor> | null = null;
  const drop = (): void => {
    if (bestWeights) for (const t of bestWeights.values()) t.dispose();
    bestWeights = null;
  };
  return {
    stateKey: 'earlyStopping',
    getState: () => ({ best, wait, bestEpoch }),
    setState(state) {
      ({ best, wait, bestEpoch } = state as { best: number | null; wait: number; bestEpoch: number });
    },
    onTrainBegin(ctx: TrainContext) {
      const d = mode === 'auto' ? ctx.directionOf(monitor) : mode;
      if (d !== 'min' && d !== 'max') {
        throw new ValueError(`earlyStopping: cannot tell whether '${monitor}' should go up or down (not a loss or a known metric); set mode to 'min' or 'max'.`);
      }
      direction = d;
    },
    onEpochEnd(epoch, logs, ctx) {
      const v = logs[monitor];
      if (v === undefined) return; // e.g. validation not run this epoch
      const improved = best === null || (direction === 'min' ? v < best - minDelta : v > best + minDelta);
      if (improved) {
        best = v;
        bestEpoch = epoch;
        wait = 0;
        if (restoreBestWeights) {
          drop();
          bestWeights = ctx.snapshotWeights();
        }
        return;
      }
      wait++;
      if (wait >= patience) {
        if (restoreBestWeights && bestWeights) ctx.restoreWeights(bestWeights);
        ctx.stop(`earlyStopping: '${monitor}' did not improve for ${wait} epoch(s) (best ${best} at epoch ${bestEpoch})`);
      }
    },
    onTrainEnd() {
      drop();
    },
  };
}
