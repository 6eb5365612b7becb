import { ValueError, type Metric } from '@lossworks/core-losses';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { Dataset, checkpointer, earlyStopping, fit, jsonlLog, progressBar, type FitArgs } from '../src/index.js';
import { linearSamples, mlp, stream, weightValues } from './train-helpers.js';

const root = await mkdtemp(join(tmpdir(), 'lw-cb-'));
afterAll(() => rm(root, { recursive: true, force: true }));
const samples = linearSamples(16, 4);

/** A stream that is not a TTY (as in CI), collecting what is written. */
function sink(): Writable & { text: string } {
  const s = new Writable({
    write(chunk, _enc, done) {
      s.text += String(chunk);
      done();
    },
  }) as Writable & { text: string; isTTY: boolean };
  s.text = '';
  s.isTTY = false;
  return s;
}

/** A metric whose value per validation is scripted (higher is better), to drive early stopping. */
function scripted(values: number[]): Metric {
  let i = 0;
  return { name: 'score', higherIsBetter: true, update() {}, compute: () => values[i++] ?? Number.NaN, reset() {}, dispose() {} };
}

const base = (extra: Partial<FitArgs> = {}): FitArgs => ({ loss: [{ name: 'main', loss: 'mse' }], optimizer: { name: 'sgd', lr: 0.1 }, ...extra });

describe('progressBar', () => {
  it('prints plain lines with epoch, loss, rate and ETA when stderr is not a TTY', async () => {
    const out = sink();
    const m = mlp(1);
    await fit(m, stream(samples, 4), base({ epochs: 2, callbacks: [progressBar({ stream: out, keys: ['lr'] })] }));
    const lines = out.text.split('\n').filter((l) => l.trim() !== '');
    expect(lines.length).toBeGreaterThanOrEqual(4); // a start and a final line per epoch
    expect(lines.some((l) => /epoch 1\/2 .*\| 0\/4 \| loss - \| lr -/.test(l))).toBe(true);
    const last = lines.at(-1)!;
    expect(last).toMatch(/^epoch 2\/2 \|[^|]+\| 4\/4 \| loss \d+\.\d{4} \| lr 0\.1000 \| [\d.]+ step\/s \| ETA \d+s$/);
    expect(out.text.includes('\u001b[')).toBe(false); // no cursor control codes in plain mode
    m.dispose();
  });
});

describe('progressBar on a TTY', () => {
  it('redraws one line in place with cursor control', async () => {
    const out = sink() as ReturnType<typeof sink> & { isTTY: boolean; columns: number };
    out.isTTY = true;
    out.columns = 120;
    const m = mlp(8);
    await fit(m, stream(samples, 4), base({ epochs: 1, callbacks: [progressBar({ stream: out })] }));
    expect(out.text.includes('\u001b[')).toBe(true); // cursor moves / line clears
    expect(out.text).toMatch(/epoch 1\/1 \|[^|]+\| 4\/4 \| loss \d+\.\d{4}/);
    m.dispose();
  });
});

describe('jsonlLog', () => {
  it('writes one JSON line per step and per epoch', async () => {
    const path = join(root, 'logs', 'run.jsonl');
    const m = mlp(2);
    await fit(m, stream(samples, 8), base({ epochs: 2, validation: { data: Dataset.fromArray([samples]) }, callbacks: [jsonlLog(path)] }));
    const lines = (await readFile(path, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.type)).toEqual(['step', 'step', 'epoch', 'step', 'step', 'epoch']);
    expect(lines[0]).toMatchObject({ type: 'step', epoch: 0, step: 1, lr: 0.1 });
    expect(typeof lines[0]!['loss/main']).toBe('number');
    expect(lines[2]).toMatchObject({ type: 'epoch', epoch: 0, step: 2 });
    expect(typeof lines[2]!['val/loss']).toBe('number');
    expect(Date.parse(lines[5]!.time as string)).not.toBeNaN();
    m.dispose();
  });
});

describe('earlyStopping', () => {
  it('stops when a higher-is-better metric stops improving (direction from the metric)', async () => {
    const m = mlp(3);
    const h = await fit(
      m,
      stream(samples, 8),
      base({
        epochs: 10,
        validation: { data: Dataset.fromArray([samples]), metrics: [{ metric: scripted([1, 2, 1.5, 1.9, 1.2, 5]) }] },
        callbacks: [earlyStopping({ monitor: 'val/score', patience: 3 })],
      }),
    );
    // Best 2 at epoch 1; epochs 2, 3, 4 do not beat it (patience 3) → stop after epoch 4.
    expect(h.epoch).toEqual([0, 1, 2, 3, 4]);
    expect(h.stopReason).toBe('stopped');
    expect(h.stopMessage).toMatch(/'val\/score' did not improve for 3 epoch\(s\) \(best 2 at epoch 1\)/);
    m.dispose();
  });

  it("treats losses as lower-is-better, honours minDelta and mode 'max'", async () => {
    const m = mlp(4);
    // A loss falls every epoch on this problem; minDelta 10 makes no fall count, so it stops after epoch 1.
    const h = await fit(m, stream(samples, 8), base({ epochs: 6, callbacks: [earlyStopping({ monitor: 'loss', minDelta: 10 })] }));
    expect(h.epoch).toEqual([0, 1]);
    const h2 = await fit(m, stream(samples, 8), base({ epochs: 6, callbacks: [earlyStopping({ monitor: 'loss', mode: 'max', patience: 2 })] }));
    expect(h2.epoch).toEqual([0, 1, 2]);
    await expect(fit(m, stream(samples, 8), base({ callbacks: [earlyStopping({ monitor: 'mystery' })] }))).rejects.toThrow(ValueError);
    m.dispose();
  });

  it('restores the best weights when asked', async () => {
    const m = mlp(5);
    let best: Float32Array[] = [];
    const h = await fit(
      m,
      stream(samples, 8),
      base({
        epochs: 6,
        validation: { data: Dataset.fromArray([samples]), metrics: [{ metric: scripted([1, 3, 2, 2]) }] },
        callbacks: [
          { onEpochEnd: (epoch) => void (epoch === 1 && (best = weightValues(m))) },
          earlyStopping({ monitor: 'val/score', patience: 2, restoreBestWeights: true }),
        ],
      }),
    );
    expect(h.epoch).toEqual([0, 1, 2, 3]);
    expect(weightValues(m)).toEqual(best);
    m.dispose();
  });

  it('keeps its counters across a resume (state saved in the checkpoint)', async () => {
    const dir = join(root, 'es');
    const values = [1, 2, 1.5, 1.4, 1.3];
    const cfg = (metric: Metric, extra: Partial<FitArgs>): FitArgs =>
      base({ epochs: 10, validation: { data: Dataset.fromArray([samples]), metrics: [{ metric }] }, ...extra });
    const m = mlp(6);
    // Three epochs (best at 1, one bad epoch), checkpoint; then resume with the rest of the script.
    await fit(m, stream(samples, 8), cfg(scripted(values.slice(0, 3)), { maxSteps: 6, callbacks: [checkpointer({ dir }), earlyStopping({ monitor: 'val/score', patience: 2 })] }));
    const h = await fit(m, stream(samples, 8), cfg(scripted(values.slice(3)), { resume: dir, callbacks: [earlyStopping({ monitor: 'val/score', patience: 2 })] }));
    // With the saved wait = 1, the next bad epoch (3) is the second in a row: stop there.
    expect(h.epoch).toEqual([0, 1, 2, 3]);
    expect(h.stopReason).toBe('stopped');
    m.dispose();
  });
});

describe('callback hooks', () => {
  it('run in order with the training context', async () => {
    const events: string[] = [];
    const m = mlp(7);
    await fit(
      m,
      stream(samples, 8),
      base({
        epochs: 2,
        callbacks: [
          {
            onTrainBegin: (ctx) => void events.push(`begin ${ctx.epochs} ${ctx.stepsPerEpoch}`),
            onEpochBegin: (e) => void events.push(`epoch ${e}`),
            onBatchEnd: (s, _l, ctx) => void events.push(`step ${s} ${ctx.stepInEpoch}`),
            onEpochEnd: (e, logs) => void events.push(`end ${e} ${typeof logs.loss}`),
            onTrainEnd: async (_l, ctx) => {
              await new Promise((r) => setTimeout(r, 1));
              events.push(`done ${ctx.globalStep}`);
            },
          },
        ],
      }),
    );
    expect(events).toEqual(['begin 2 2', 'epoch 0', 'step 1 1', 'step 2 2', 'end 0 number', 'epoch 1', 'step 3 1', 'step 4 2', 'end 1 number', 'done 4']);
    m.dispose();
  });
});
