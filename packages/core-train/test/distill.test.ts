import * as tf from '@tensorflow/tfjs';
import { expectNoLeak, tolerance, worstMismatch } from '@lossworks/testing';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  Adam,
  BackendError,
  DataError,
  Dataset,
  ProjectionHead,
  TeacherCache,
  Rng,
  checkpointer,
  fit,
  installKernelsAndGradients,
  latestCheckpoint,
  onnxTeacher,
  readSafetensors,
  tfjsTeacher,
  withSeed,
  type DistillSpec,
  type FitArgs,
  type Logs,
  type Sample,
  type Trainer,
} from '../src/index.js';
import fixture from './onnx-teacher.fixtures.json' with { type: 'json' };
import { weightValues } from './train-helpers.js';

const root = await mkdtemp(join(tmpdir(), 'lw-kd-'));
afterAll(() => rm(root, { recursive: true, force: true }));
const ONNX = join(import.meta.dirname, 'fixtures', 'distill-teacher.onnx');

/** 2 → dense(width, relu, named) → dense(3): teacher (width 8) and student (width 4). */
function net(seed: number, width: number, hiddenName: string): tf.LayersModel {
  return withSeed(seed, () => {
    const input = tf.input({ shape: [2] });
    const h = tf.layers.dense({ units: width, activation: 'relu', name: hiddenName }).apply(input) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 3 }).apply(h) as tf.SymbolicTensor;
    return tf.model({ inputs: input, outputs: out });
  });
}

let uid = 0;
/** A fresh pair with unique layer names (tfjs layer names are global). */
function pair(seed = 1, fixedNames = false): { teacher: tf.LayersModel; student: tf.LayersModel; t: string; s: string } {
  uid++;
  const t = fixedNames ? 't_hidden' : `t_hidden_${uid}`;
  const s = fixedNames ? 's_hidden' : `s_hidden_${uid}`;
  return { teacher: net(100 + seed, 8, t), student: net(seed, 4, s), t, s };
}

function samples(n: number, seed = 2, labelled = true): Sample[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const x = [rng.next() * 2 - 1, rng.next() * 2 - 1];
    return labelled ? { x, y: [x[0]!, x[1]!, x[0]! * x[1]!], id: `s${i}` } : { x, id: `u${i}` };
  });
}

function spec(teacher: DistillSpec['teacher'], t: string, s: string, extra: Partial<DistillSpec> = {}): DistillSpec {
  return {
    teacher,
    taps: [
      { name: 'feat', teacher: t, student: s }, // widths 8 vs 4: a dense head is added
      { name: 'logits', teacher: 0, student: 0 }, // same width: no head
    ],
    terms: [
      { name: 'feat', tap: 'feat', loss: 'feature_mse', weight: 0.5 },
      { name: 'kd', tap: 'logits', loss: 'kd_kl', options: { temperature: 2 } },
    ],
    ...extra,
  };
}

const stream = (list: Sample[], b = 4): Dataset<Sample[]> => Dataset.fromArray(list).shuffle(list.length).batch(b);

describe('distillation from a TF.js teacher', () => {
  it('trains the student and its projection head, never the teacher; the teacher runs once per sample', async () => {
    const { teacher, student, t, s } = pair();
    const teacherBefore = weightValues(teacher);
    const opt = new Adam({ lr: 0.03 });
    let trainer: Trainer | undefined;
    let headAtStep1: Float32Array[] = [];
    let headAtEnd: Float32Array[] = [];
    const headValues = (tr: Trainer): Float32Array[] => tr.distiller!.params().map((p) => Float32Array.from(p.variable.dataSync()));
    const steps: Logs[] = [];
    const kd = await tfjsTeacher(teacher);
    const history = await expectNoLeak(async () => {
      const h = await fit(student, stream(samples(16)), {
        loss: [{ name: 'main', loss: 'mse' }],
        optimizer: opt,
        epochs: 4,
        distill: spec(kd, t, s),
        callbacks: [
          {
            onTrainBegin: (ctx) => void (trainer = ctx as Trainer),
            onBatchEnd: (step, logs, ctx) => {
              steps.push(logs);
              if (step === 1) headAtStep1 = headValues(ctx as Trainer);
            },
            onTrainEnd: (_l, ctx) => void (headAtEnd = headValues(ctx as Trainer)),
          },
        ],
      });
      expect(opt.variableKeys().sort()).toEqual(['distill.feat.bias', 'distill.feat.kernel', 'model.1.bias', 'model.1.kernel', 'model.2.bias', 'model.2.kernel']);
      opt.dispose(); // the caller's optimizer: fit leaves its state alone
      return h;
    });
    // No gradient reaches the teacher: its weights are bit-identical and none of its variables is trained.
    expect(weightValues(teacher)).toEqual(teacherBefore);
    const teacherVars = new Set(teacher.weights.map((w) => w.read()));
    expect(trainer!.trainableParams().some((p) => teacherVars.has(p.variable))).toBe(false);
    // The head (8 ← 4) exists, was trained, and the logits tap got none.
    expect(headAtStep1.map((h) => h.length)).toEqual([32, 8]);
    expect(headAtEnd).not.toEqual(headAtStep1);
    // Each term is logged, the total is their weighted sum, and distillation loss falls.
    for (const l of steps) expect(l.loss).toBeCloseTo(l['loss/main']! + 0.5 * l['loss/feat']! + l['loss/kd']!, 5);
    const kl = history.history['loss/kd']!;
    expect(kl.at(-1)!).toBeLessThan(kl[0]!);
    // 16 samples × 4 epochs, but the (in-memory) cache runs the teacher once per sample.
    expect(kd.samplesRun).toBe(16);
    [teacher, student].forEach((m) => m.dispose());
  });

  it('caches teacher outputs on disk by sample id and teacher hash', async () => {
    const dir = join(root, 'cache');
    const { teacher, student, t, s } = pair(2);
    const data = samples(12);
    const run = async (kd: Awaited<ReturnType<typeof tfjsTeacher>>, epochs = 2): Promise<void> => {
      await fit(student, stream(data), { loss: [{ name: 'main', loss: 'mse' }], optimizer: { name: 'sgd', lr: 0.05 }, epochs, distill: spec(kd, t, s, { cache: { dir } }) });
    };
    const first = await tfjsTeacher(teacher);
    await run(first);
    expect(first.samplesRun).toBe(12);
    const [ns] = await readdir(dir);
    expect((await readdir(join(dir, ns!))).length).toBe(12);
    // A new process (new teacher object, same weights → same hash) reads everything from disk.
    const again = await tfjsTeacher(teacher);
    expect(again.hash).toBe(first.hash);
    await run(again, 1);
    expect(again.samplesRun).toBe(0);
    // A teacher with other weights gets its own namespace and runs again.
    const other = net(777, 8, `${t}_x`);
    const changed = await tfjsTeacher(other);
    expect(changed.hash).not.toBe(first.hash);
    const otherTaps = spec(changed, `${t}_x`, s, { cache: { dir } });
    await fit(student, stream(data), { loss: [{ name: 'main', loss: 'mse' }], optimizer: { name: 'sgd', lr: 0.05 }, distill: otherTaps });
    expect(changed.samplesRun).toBe(12);
    expect((await readdir(dir)).length).toBe(2);
    // cache: false runs the teacher on every batch.
    const nocache = await tfjsTeacher(teacher);
    await fit(student, stream(data), { loss: [{ name: 'main', loss: 'mse' }], optimizer: { name: 'sgd', lr: 0.05 }, epochs: 2, distill: spec(nocache, t, s, { cache: false }) });
    expect(nocache.samplesRun).toBe(24);
    [teacher, student, other].forEach((m) => m.dispose());
  });

  it('needs sample ids for the cache', async () => {
    const { teacher, student, t, s } = pair(3);
    const noIds = samples(8).map(({ x, y }) => ({ x, y }));
    const err = await expectNoLeak(() =>
      tfjsTeacher(teacher).then((kd) =>
        fit(student, stream(noIds), { loss: [{ name: 'main', loss: 'mse' }], optimizer: { name: 'sgd', lr: 0.05 }, distill: spec(kd, t, s) }).catch((e: unknown) => e),
      ),
    );
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/needs one id per sample/);
    [teacher, student].forEach((m) => m.dispose());
  });

  it('resumes exactly with projection heads, which the checkpoint holds', async () => {
    const dir = join(root, 'resume');
    const data = samples(16);
    const args = (kd: DistillSpec['teacher'], t: string, s: string, extra: Partial<FitArgs>): FitArgs => ({
      loss: [{ name: 'main', loss: 'mse' }],
      optimizer: { name: 'adam', lr: 0.02 },
      epochs: 3,
      seed: 4,
      distill: spec(kd, t, s),
      ...extra,
    });
    await expectNoLeak(async () => {
      const a = pair(4, true);
      await fit(a.student, stream(data), args(await tfjsTeacher(a.teacher), a.t, a.s, { maxSteps: 10 }));
      const straight = weightValues(a.student);
      const b = pair(4, true);
      await fit(b.student, stream(data), args(await tfjsTeacher(b.teacher), b.t, b.s, { maxSteps: 5, callbacks: [checkpointer({ dir })] }));
      const file = await readSafetensors((await latestCheckpoint(dir))!);
      expect(file.tensors['distill.feat.kernel']!.shape).toEqual([4, 8]);
      expect(file.tensors['optimizer/m/distill.feat.kernel']).toBeDefined();
      const c = pair(4, true);
      // The fresh student starts from other weights; the teacher is the same model, so its hash matches.
      const other = withSeed(9, () => c.student.getWeights().map((w) => tf.randomNormal(w.shape)));
      c.student.setWeights(other);
      tf.dispose(other);
      await fit(c.student, stream(data), args(await tfjsTeacher(b.teacher), b.t, c.s, { maxSteps: 10, resume: dir }));
      expect(weightValues(c.student)).toEqual(straight);
      [a, b, c].forEach((p) => [p.teacher, p.student].forEach((m) => m.dispose()));
    });
  });
});

describe('distillation on an unlabelled stream from an ONNX teacher', () => {
  it('runs the ONNX file with onnxruntime-node and matches its float64 reference', async () => {
    const kd = await onnxTeacher(ONNX);
    expect(kd.hash).toBe(createHash('sha256').update(await readFile(ONNX)).digest('hex'));
    const x = tf.tensor(fixture.x);
    const [hidden, logits] = await kd.run(x, ['hidden', 1]);
    // float32 ONNX Runtime vs float64 numpy on a 2-layer MLP: the float32 tolerance table applies.
    expect(worstMismatch(hidden!.dataSync(), fixture.hidden.flat(), tolerance())).toBeNull();
    expect(worstMismatch(logits!.dataSync(), fixture.logits.flat(), tolerance())).toBeNull();
    expect(kd.samplesRun).toBe(4);
    await expect(kd.run(x, ['nope'])).rejects.toThrow(/Unknown ONNX output 'nope'. Known: hidden, logits/);
    tf.dispose([x, hidden!, logits!]);
    kd.dispose();
  });

  it('distils a student on input-only data (no labelled stream)', async () => {
    const kd = await onnxTeacher(ONNX);
    const student = net(5, 4, `s_onnx_${++uid}`);
    const steps: Logs[] = [];
    const h = await expectNoLeak(() =>
      fit(student, null, {
        loss: [],
        optimizer: { name: 'adam', lr: 0.05 },
        epochs: 5,
        unlabelled: { data: stream(samples(12, 7, false)) },
        distill: { teacher: kd, taps: [{ name: 'logits', teacher: 'logits', student: 0 }], terms: [{ name: 'kd', tap: 'logits', loss: 'kd_kl', options: { temperature: 4 } }] },
        callbacks: [{ onBatchEnd: (_s, l) => void steps.push(l) }],
      }),
    );
    expect(steps).toHaveLength(15);
    expect(Object.keys(steps[0]!).sort()).toEqual(['loss', 'loss/unlabelled/kd', 'lr']);
    const kl = h.history['loss/unlabelled/kd']!;
    expect(kl.at(-1)!).toBeLessThan(kl[0]! * 0.7);
    expect(kd.samplesRun).toBe(12);
    student.dispose();
    kd.dispose();
  });

  it('reports a missing onnxruntime-node or an unreadable file clearly', async () => {
    const missing = () => Promise.reject(new Error("Cannot find package 'onnxruntime-node'"));
    await expect(onnxTeacher(ONNX, { importer: missing })).rejects.toThrow(BackendError);
    await expect(onnxTeacher(ONNX, { importer: missing })).rejects.toThrow(/optional peer dependency/);
    const bogus = join(root, 'bogus.onnx');
    await import('node:fs/promises').then((fs) => fs.writeFile(bogus, 'not onnx'));
    await expect(onnxTeacher(bogus)).rejects.toThrow(new RegExp(`'${bogus}' is not a model ONNX Runtime can load`));
    await expect(onnxTeacher(join(root, 'none.onnx'))).rejects.toThrow(/cannot read '.*none.onnx'/);
  });
});

describe('TeacherCache', () => {
  it('stores outputs per id under its namespace, and treats damaged or foreign entries as misses', async () => {
    const dir = join(root, 'unit-cache');
    const cache = new TeacherCache('ns1', { dir });
    const out = [{ dtype: 'F32' as const, shape: [2], data: Float32Array.of(1, 2) }];
    expect(await cache.get('a', 1)).toBeUndefined();
    await cache.put('a', out);
    expect([...((await new TeacherCache('ns1', { dir }).get('a', 1))![0]!.data as Float32Array)]).toEqual([1, 2]);
    expect(await new TeacherCache('ns2', { dir }).get('a', 1)).toBeUndefined(); // another teacher
    const [file] = await readdir(join(dir, 'ns1'));
    await import('node:fs/promises').then((fs) => fs.writeFile(join(dir, 'ns1', file!), 'garbage'));
    const fresh = new TeacherCache('ns1', { dir });
    expect(await fresh.get('a', 1)).toBeUndefined(); // damaged: recomputed and rewritten by the caller
    await fresh.put('a', out);
    expect(await fresh.get('a', 1)).toBeDefined();
    expect(await fresh.get('a', 2)).toBeUndefined(); // an entry without every tap is a miss
    const mem = new TeacherCache('ns3');
    await mem.put('b', out);
    expect(await mem.get('b', 1)).toBe(out);
    expect(mem.hits).toBe(1);
  });
});

describe('projection heads', () => {
  it('dense and 1×1-conv heads compute the same linear map; auto picks conv1x1 for NHWC taps', async () => {
    const rng = new Rng(3);
    const conv = new ProjectionHead('conv1x1', 3, 5, rng);
    const kernel = tf.reshape(conv.kernel, [3, 5]);
    const dense = new ProjectionHead('dense', 3, 5, { kernel, bias: conv.bias });
    const x = tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', 1);
    const a = conv.apply(x);
    const b = dense.apply(x);
    expect(a.shape).toEqual([2, 4, 4, 5]);
    expect(conv.kernel.shape).toEqual([1, 1, 3, 5]);
    expect(worstMismatch(a.dataSync(), b.dataSync(), tolerance())).toBeNull();
    tf.dispose([kernel, x, a, b]);
    conv.dispose();
    dense.dispose();

    // Conv teacher (4 channels) → conv student (2 channels) through an auto head. Stock wasm cannot
    // train convolutions; selectBackend() installs the polyfills, and so does this test.
    installKernelsAndGradients();
    const convNet = (seed: number, ch: number, name: string): tf.LayersModel =>
      withSeed(seed, () => {
        const input = tf.input({ shape: [4, 4, 1] });
        const f = tf.layers.conv2d({ filters: ch, kernelSize: 3, padding: 'same', activation: 'relu', name }).apply(input) as tf.SymbolicTensor;
        const out = tf.layers.dense({ units: 2 }).apply(tf.layers.flatten().apply(f) as tf.SymbolicTensor) as tf.SymbolicTensor;
        return tf.model({ inputs: input, outputs: out });
      });
    uid++;
    const teacher = convNet(1, 4, `tc_${uid}`);
    const student = convNet(2, 2, `sc_${uid}`);
    const imgs: Sample[] = Array.from({ length: 4 }, (_, i) => ({ x: { data: Array.from({ length: 16 }, (_, k) => Math.sin(i + k)), shape: [4, 4, 1] }, y: [i % 2, 1 - (i % 2)], id: i }));
    let kinds: Record<string, string> = {};
    await fit(student, Dataset.fromArray(imgs).batch(2), {
      loss: [{ name: 'main', loss: 'mse' }],
      optimizer: { name: 'sgd', lr: 0.01 },
      distill: { teacher: await tfjsTeacher(teacher), taps: [{ name: 'f', teacher: `tc_${uid}`, student: `sc_${uid}` }], terms: [{ name: 'f', tap: 'f', loss: 'mse' }] },
      callbacks: [{ onTrainEnd: (_l, ctx) => void (kinds = (ctx as Trainer).distiller!.headKinds()) }],
    });
    expect(kinds).toEqual({ f: 'conv1x1' });
    [teacher, student].forEach((m) => m.dispose());
  });
});
