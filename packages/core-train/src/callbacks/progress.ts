import cliProgress from 'cli-progress';
import type { Callback, Logs, TrainContext } from '../fit/types.js';

/** Options of {@link progressBar}. */
export interface ProgressOptions {
  /** Where the bar goes. Default `process.stderr` (stdout stays for results). */
  stream?: NodeJS.WritableStream;
  /** Print plain lines when the stream is not a TTY (CI logs). Default true. */
  noTTYOutput?: boolean;
  /** Milliseconds between plain lines when not a TTY. Default 2000. */
  notTTYSchedule?: number;
  /** Log keys shown besides `loss`. Default none. */
  keys?: string[];
}

function fmt(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '-';
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e4) ? v.toExponential(3) : v.toFixed(4);
}

/**
 * A progress bar per epoch on stderr (cli-progress): steps done, loss, rate (steps/s) and ETA. When
 * the stream is not a TTY it prints a plain line every `notTTYSchedule` ms and at the end of each epoch.
 */
export function progressBar(options: ProgressOptions = {}): Callback {
  const { stream = process.stderr, noTTYOutput = true, notTTYSchedule = 2000, keys = [] } = options;
  let bar: cliProgress.SingleBar | null = null;
  let started = 0;
  let firstStep = 0;
  const payload = (ctx: TrainContext, logs: Logs, epoch: number): Record<string, string> => {
    const done = ctx.globalStep - firstStep;
    const secs = (Date.now() - started) / 1000;
    return {
      epoch: `${epoch + 1}/${ctx.epochs}`,
      loss: fmt(logs.loss),
      extra: keys.map((k) => ` | ${k} ${fmt(logs[k])}`).join(''),
      rate: secs > 0 ? (done / secs).toFixed(2) : '-',
    };
  };
  const stop = (): void => {
    bar?.stop();
    bar = null;
  };
  const start = (epoch: number, ctx: TrainContext): void => {
    stop();
    bar = new cliProgress.SingleBar({
      stream,
      noTTYOutput,
      notTTYSchedule,
      format: 'epoch {epoch} |{bar}| {value}/{total} | loss {loss}{extra} | {rate} step/s | ETA {eta_formatted}',
      hideCursor: false,
      gracefulExit: false,
      etaBuffer: 20,
    });
    started = Date.now();
    firstStep = ctx.globalStep;
    bar.start(ctx.stepsPerEpoch ?? 0, ctx.stepInEpoch, payload(ctx, {}, epoch));
  };
  return {
    onEpochBegin(epoch, ctx) {
      start(epoch, ctx);
    },
    onBatchEnd(_step, logs, ctx) {
      // A run resumed mid-epoch gets no onEpochBegin for that epoch: start the bar here.
      if (!bar) start(ctx.epoch, ctx);
      if (!bar) return;
      if (ctx.stepsPerEpoch === undefined) bar.setTotal(ctx.stepInEpoch);
      bar.update(ctx.stepInEpoch, payload(ctx, logs, ctx.epoch));
    },
    onEpochEnd(epoch, logs, ctx) {
      if (!bar) return;
      bar.update(bar.getTotal(), payload(ctx, logs, epoch));
      stop();
    },
    onTrainEnd() {
      stop();
    },
  };
}
