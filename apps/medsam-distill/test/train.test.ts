// The training stages on a tiny synthetic run (two steps each): files, logs, no tensor leaks, a frozen
// teacher, and the on-disk teacher-embedding cache.
import { existsSync, readFileSync } from 'node:fs';
import type * as tf from '@tensorflow/tfjs';
import { fit, tfjsTeacher, withSeed, type Sample } from '@lossworks/core-train';
import { expectNoLeak } from '@lossworks/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../src/config/schema.js';
import { buildStudentEncoder, buildUpscaler } from '../src/model/sam.js';
import { copyWeights, loadSam, readModelFile } from '../src/model/weights.js';
import { imageStream, promptStream, runData, trainVariants, type RunData } from '../src/train/data.js';
import { FILES, distillEncoder, encoderDistillSpec, finetuneDecoder, trainScratch, trainTeacher, type StageEnv } from '../src/train/stages.js';
import { quietIo, tempDir, tinyRun } from './helpers.js';

let remove: () => Promise<void>;
let config: Config;
let data: RunData;
let env: StageEnv;

beforeAll(async () => {
  const t = await tempDir();
  remove = t.remove;
  config = (await tinyRun(t.dir)).config;
  data = await runData(config, config.out!);
  env = { config, out: config.out!, stderr: quietIo.stderr };
});
afterAll(async () => remove());

function snapshot(model: tf.LayersModel): Float32Array[] {
  return model.weights.map((w) => Float32Array.from(w.read().dataSync()));
}

function changed(a: Float32Array[], b: Float32Array[]): number {
  return a.filter((x, i) => x.some((v, j) => v !== b[i]![j])).length;
}

describe('data for training', () => {
  it('splits per dataset, caches the prepared arrays, and makes augmented variants and prompt batches', async () => {
    expect(data.train.length + data.test.length).toBe(6);
    expect(new Set(data.train.map((s) => s.dataset))).toEqual(new Set(['synthetic-us', 'synthetic-endo']));
    const again = await runData(config, config.out!);
    expect(again.reused).toBe(true);
    expect(again.train.map((s) => s.id)).toEqual(data.train.map((s) => s.id));
    expect(Array.from(again.train[0]!.image.slice(0, 50))).toEqual(Array.from(data.train[0]!.image.slice(0, 50)));
    const variants = trainVariants(data.train, 2, 0);
    expect(variants.map((v) => v.id).slice(0, 3)).toEqual([data.train[0]!.id, `${data.train[0]!.id}#a1`, `${data.train[0]!.id}#a2`]);
    const batches = await promptStream(variants, { batchSize: 2, jitter: 1 }).toArray({ epoch: 0, seed: 0 });
    const b0 = batches[0]![0] as Sample;
    const [img, coords, labels] = b0.x as unknown as [{ shape: number[] }, { data: Float32Array; shape: number[] }, Float32Array];
    expect(img.shape).toEqual([32, 32, 3]);
    expect(coords.shape).toEqual([2, 2]);
    expect(Array.from(labels)).toEqual([2, 3]);
    // Box jitter is redrawn per pass: another epoch gives other boxes for the same order of seeds.
    const other = await promptStream(variants, { batchSize: 2, jitter: 3 }).toArray({ epoch: 1, seed: 0 });
    expect(other.flat().length).toBe(variants.length);
    expect((await imageStream(variants, 4).toArray()).length).toBe(Math.floor(variants.length / 4));
  });
});

describe('stages', () => {
  it('teacher → distill → finetune → scratch: two steps each, model files and logs, no tensor leaks', async () => {
    await expectNoLeak(async () => {
      const t = await trainTeacher(env, data);
      const d = await distillEncoder(env, data);
      const f = await finetuneDecoder(env, data);
      const s = await trainScratch(env, data);
      expect([t.steps, d.steps, f.steps, s.steps]).toEqual([2, 2, 2, 4]);
      for (const r of [t, d, f, s]) {
        expect(existsSync(r.model), r.model).toBe(true);
        expect(Number.isFinite(r.firstLoss) && Number.isFinite(r.lastLoss), `${r.stage} loss`).toBe(true);
        const lines = readFileSync(r.log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string });
        expect(lines.filter((l) => l.type === 'step').length, r.stage).toBe(r.steps);
      }
      // Stage 1 ran the teacher once per image variant (training images and their copies).
      expect(d.teacherRuns).toBe(data.train.length * 2);
      expect(f.encoder).toBe('frozen');
      const meta = (await readModelFile(FILES.studentKd(env.out))).meta;
      expect([meta.kind, meta.part]).toEqual(['student', 'sam']);
      expect((await readModelFile(FILES.studentEncoder(env.out))).meta.part).toBe('encoder');
    }, 'stages');
  });

  it('a second stage 1 reads the teacher embeddings from the on-disk cache', async () => {
    const d = await distillEncoder(env, data);
    expect(d.teacherRuns).toBe(0);
  });

  it('finetune with a trainable encoder also trains end to end', async () => {
    const cfg = { ...config, finetune: { ...config.finetune, encoder: 'trainable' as const } };
    const f = await finetuneDecoder({ ...env, config: cfg }, data);
    expect(f.encoder).toBe('trainable');
    expect(Number.isFinite(f.lastLoss)).toBe(true);
  });

  it('distillation moves the student and never the teacher encoder or the perceptual extractor', async () => {
    const { sam } = await loadSam(FILES.teacher(env.out));
    const extractor = buildUpscaler(config.model);
    copyWeights(sam.decoder, extractor);
    const student = withSeed(9, () => buildStudentEncoder(config.model));
    const teacher = await tfjsTeacher(sam.encoder);
    const before = { teacher: snapshot(sam.encoder), extractor: snapshot(extractor), student: snapshot(student) };
    const spec = encoderDistillSpec(teacher, extractor, config, null);
    expect(spec.terms.map((t) => t.name)).toEqual(['mse', 'perceptual']);
    const h = await fit(student, imageStream(trainVariants(data.train, 1, 0), 2), { loss: [], distill: spec, optimizer: { name: 'adam', lr: 0.01 }, maxSteps: 2 });
    expect(h.steps.history['loss/perceptual']!.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
    expect(changed(snapshot(sam.encoder), before.teacher)).toBe(0);
    expect(changed(snapshot(extractor), before.extractor)).toBe(0);
    expect(changed(snapshot(student), before.student)).toBeGreaterThan(0);
    teacher.dispose();
    student.dispose();
    extractor.dispose();
    sam.model.dispose();
  });
});
