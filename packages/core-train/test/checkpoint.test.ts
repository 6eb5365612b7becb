import * as tf from '@tensorflow/tfjs';
import { expectNoLeak } from '@lossworks/testing';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CheckpointError,
  Dataset,
  checkpointer,
  fit,
  latestCheckpoint,
  listTempFiles,
  nodeIo,
  readSafetensors,
  writeSafetensors,
  type FitArgs,
  type History,
} from '../src/index.js';
import { linearSamples, mlp, stream, weightValues } from './train-helpers.js';

const root = await mkdtemp(join(tmpdir(), 'lw-ckpt-'));
afterAll(() => rm(root, { recursive: true, force: true }));
const samples = linearSamples(32, 3);

/** Everything that carries state across a resume: dropout, shuffles, AdamW moments, warmup-cosine, clipping, EMA, validation, a cycling unlabelled stream. */
function args(extra: Partial<FitArgs> = {}): FitArgs {
  const unl = Dataset.fromArray(Array.from({ length: 3 }, (_, i) => [{ x: [i / 3, 0.5] }, { x: [-i / 3, 0.1] }])).shuffle(3);
  return {
    loss: [{ name: 'main', loss: 'mse' }],
    optimizer: { name: 'adamw', lr: 0.03, weightDecay: 0.1 },
    schedule: { name: 'warmup-cosine', warmupSteps: 2, totalSteps: 12, minLr: 0.001 },
    clipNorm: 1,
    ema: { decay: 0.9, applyAtEnd: false },
    epochs: 5,
    seed: 21,
    validation: { data: Dataset.fromArray([samples.slice(0, 8)]) },
    unlabelled: { data: unl, loss: [{ name: 'sq', fn: (c) => tf.mean(tf.square(c.output())) }], ratio: 0.5, weight: 0.2 },
    ...extra,
  };
}

describe('exact resume', () => {
  for (const n of [5, 4]) {
    it(`N=${n} steps, checkpoint, resume in a fresh model and optimizer, N more == 2N in one go (bit-exact)`, async () => {
      const dir = join(root, `resume-${n}`);
      const data = (): Dataset<unknown> => stream(samples, 8); // 4 steps per epoch
      let straight: Float32Array[] = [];
      let resumed: Float32Array[] = [];
      let hA: History | undefined;
      let hB: History | undefined;
      await expectNoLeak(async () => {
        const a = mlp(11, { dropout: 0.3 });
        hA = await fit(a, data() as never, args({ maxSteps: 2 * n }));
        straight = weightValues(a);
        a.dispose();

        const b1 = mlp(11, { dropout: 0.3 });
        await fit(b1, data() as never, args({ maxSteps: n, callbacks: [checkpointer({ dir })] }));
        b1.dispose();
        // A fresh model with other initial weights: everything must come from the checkpoint.
        const b2 = mlp(99, { dropout: 0.3 });
        hB = await fit(b2, data() as never, args({ maxSteps: 2 * n, resume: dir }));
        resumed = weightValues(b2);
        b2.dispose();
      }, 'train, checkpoint, resume');
      expect(resumed).toEqual(straight);
      expect(hB!.steps).toEqual(hA!.steps);
      expect(hB!.history).toEqual(hA!.history);
      expect(hB!.epoch).toEqual(hA!.epoch);
      expect(await latestCheckpoint(dir)).toBe(join(dir, `ckpt-00000000${n}.safetensors`));
    });
  }

  it('the checkpoint holds weights, optimizer moments, EMA, schedule, RNG and counters', async () => {
    const dir = join(root, 'contents');
    const m = mlp(12, { dropout: 0.3 });
    await fit(m, stream(samples, 8), args({ maxSteps: 3, callbacks: [checkpointer({ dir })] }));
    const file = await readSafetensors(join(dir, 'ckpt-000000003.safetensors'));
    const keys = Object.keys(file.tensors).sort();
    expect(keys).toContain('model.0.kernel');
    expect(keys).toContain('model.2.bias');
    expect(keys).toContain('optimizer/m/model.0.kernel');
    expect(keys).toContain('optimizer/v/model.2.kernel');
    expect(keys).toContain('ema/model.0.kernel');
    expect([...(file.tensors['model.0.kernel']!.data as Float32Array)]).toEqual([...m.getWeights()[0]!.dataSync()]);
    const meta = JSON.parse(file.metadata.lossworks!);
    expect(meta).toMatchObject({ format: 'lossworks-checkpoint', globalStep: 3, epoch: 0, stepInEpoch: 3, schedule: { t: 3 } });
    expect(meta.rng).toHaveLength(4);
    expect(meta.optimizer.steps['model.0.kernel']).toBe(3);
    m.dispose();
  });
});

describe('resume refuses what it cannot continue', () => {
  it('a checkpoint from another configuration: CheckpointError naming the file and both hashes', async () => {
    const dir = join(root, 'other-config');
    const m = mlp(13);
    await fit(m, stream(samples, 8), args({ maxSteps: 1, callbacks: [checkpointer({ dir })] }));
    const file = join(dir, 'ckpt-000000001.safetensors');
    const err = await fit(m, stream(samples, 8), args({ optimizer: { name: 'adamw', lr: 0.05 }, resume: file })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    const msg = (err as Error).message;
    expect(msg).toContain(file);
    expect(msg).toMatch(/checkpoint config hash [0-9a-f]{16}, this run [0-9a-f]{16}/);
    const [h1, h2] = msg.match(/[0-9a-f]{16}/g)!;
    expect(h1).not.toBe(h2);
    m.dispose();
  });

  it('a truncated, corrupt or foreign file: CheckpointError naming the file, and no leaked tensors', async () => {
    const dir = join(root, 'corrupt');
    const m = mlp(14);
    await fit(m, stream(samples, 8), args({ maxSteps: 1, callbacks: [checkpointer({ dir })] }));
    const good = await readFile(join(dir, 'ckpt-000000001.safetensors'));
    const truncated = join(dir, 'truncated.safetensors');
    await writeFile(truncated, good.subarray(0, good.length - 10));
    const garbage = join(dir, 'garbage.safetensors');
    await writeFile(garbage, 'not a checkpoint at all');
    const foreign = join(dir, 'foreign.safetensors');
    await writeSafetensors(foreign, { w: { dtype: 'F32', shape: [1], data: Float32Array.of(1) } }, { format: 'pt' });
    for (const [file, msg] of [
      [truncated, /truncated/],
      [garbage, /not a valid safetensors file/],
      [foreign, /is not a lossworks checkpoint/],
      [join(dir, 'missing.safetensors'), /does not exist/],
    ] as const) {
      const err = await expectNoLeak(() => fit(m, stream(samples, 8), args({ resume: file })).catch((e: unknown) => e));
      expect(err, file).toBeInstanceOf(CheckpointError);
      expect((err as Error).message).toContain(file);
      expect((err as Error).message).toMatch(msg);
    }
    m.dispose();
  });

  it('weights of another shape (same declared config): CheckpointError naming the weight', async () => {
    const dir = join(root, 'shape');
    const m4 = mlp(15, { hidden: 4 });
    await fit(m4, stream(samples, 8), args({ maxSteps: 1, config: 'same', callbacks: [checkpointer({ dir })] }));
    const m5 = mlp(15, { hidden: 5 });
    await expect(fit(m5, stream(samples, 8), args({ config: 'same', resume: dir }))).rejects.toThrow(/'model.0.kernel' has shape \[2,4\] but the model needs \[2,5\]/);
    [m4, m5].forEach((m) => m.dispose());
  });
});

describe('checkpointer', () => {
  it('saves every epoch and every k steps, keeps the newest, writes best, and resume picks the latest', async () => {
    const dir = join(root, 'rotate');
    const m = mlp(16);
    await fit(m, stream(samples, 8), args({ epochs: 3, callbacks: [checkpointer({ dir, everySteps: 3, keep: 2, best: { monitor: 'val/loss' } })] }));
    const names = (await readdir(dir)).sort();
    // Saved at steps 3, 4, 6, 8, 9, 12 (every 3 steps and every 4-step epoch); the newest two remain.
    expect(names).toEqual(['best.safetensors', 'ckpt-000000009.safetensors', 'ckpt-000000012.safetensors']);
    expect(await latestCheckpoint(dir)).toBe(join(dir, 'ckpt-000000012.safetensors'));
    expect(await latestCheckpoint(join(root, 'nothing-here'))).toBeUndefined();
    // Resuming a finished run trains no more steps.
    const h = await fit(m, stream(samples, 8), args({ epochs: 3, resume: dir }));
    expect(h.steps.step.at(-1)).toBe(12);
    m.dispose();
  });

  it('a failure while writing a checkpoint leaves the previous one complete and no temporary file', async () => {
    const dir = join(root, 'atomic');
    let writes = 0;
    // The second write dies half-way (a full disk, a killed process).
    const io = {
      ...nodeIo,
      async writeFile(p: string, data: Uint8Array) {
        if (++writes === 2) {
          await nodeIo.writeFile(p, data.subarray(0, data.length >> 1));
          throw new Error('ENOSPC: no space left on device (injected)');
        }
        await nodeIo.writeFile(p, data);
      },
    };
    const m = mlp(18);
    const err = await expectNoLeak(() => fit(m, stream(samples, 8), args({ epochs: 3, callbacks: [checkpointer({ dir, io })] })).catch((e: unknown) => e));
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as Error).message).toContain(join(dir, 'ckpt-000000008.safetensors'));
    expect(await readdir(dir)).toEqual(['ckpt-000000004.safetensors']);
    expect(await listTempFiles(dir)).toEqual([]);
    // The surviving checkpoint is complete: resuming from it works.
    const h = await fit(m, stream(samples, 8), args({ maxSteps: 5, resume: dir }));
    expect(h.steps.step.at(-1)).toBe(5);
    m.dispose();
  });

  it('a folder without checkpoints starts fresh', async () => {
    const dir = join(root, 'empty');
    await mkdir(dir);
    const m = mlp(17);
    const h = await fit(m, stream(samples, 8), args({ maxSteps: 2, resume: dir }));
    expect(h.steps.step).toEqual([1, 2]);
    m.dispose();
  });
});
