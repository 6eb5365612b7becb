// The training stages, each a core-train `fit`:
//   teacher  — ViT encoder + decoder end to end, Dice + BCE (+ IoU head), jittered boxes;
//   distill  — stage 1: CNN student encoder ← frozen teacher encoder, MSE + perceptual loss on the image
//              embeddings (DistillSpec; teacher embeddings precomputed into an on-disk cache);
//   finetune — stage 2: the decoder (initialised from the teacher's) with Dice + BCE (+ IoU head) on the
//              student's embeddings; the student encoder frozen (embeddings cached) or trainable;
//   scratch  — the control: the same student architecture from random weights, Dice only (+ IoU head),
//              for as many steps as stages 1 and 2 together.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  Distiller,
  Rng,
  adaptModel,
  collate,
  disposeBatch,
  fit,
  jsonlLog,
  progressBar,
  tfjsTeacher,
  withSeed,
  type Callback,
  type DistillSpec,
  type FitArgs,
  type History,
  type ScheduleConfig,
  type Teacher,
} from '@lossworks/core-train';
import { UsageError } from '@lossworks/cli-kit';
import { perceptualLoss } from '@lossworks/core-losses';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Config, StageConfig } from '../config/schema.js';
import type { SegSample } from '../data/index.js';
import { samOnnxTeacher } from '../model/onnx-teacher.js';
import { buildDecoder, buildSam, buildStudentEncoder, buildUpscaler, joinSam } from '../model/sam.js';
import { copyWeights, loadEncoder, loadSam, saveModel } from '../model/weights.js';
import { imageStream, promptStream, trainVariants, type RunData } from './data.js';
import { maskLossTerms } from './losses.js';

/** Where stages write and report. */
export interface StageEnv {
  config: Config;
  /** Run folder. */
  out: string;
  /** Progress bars and log lines. */
  stderr: NodeJS.WritableStream;
}

/** What a stage reports. */
export interface StageResult {
  stage: 'teacher' | 'distill' | 'finetune' | 'scratch';
  /** The model file written. */
  model: string;
  steps: number;
  seconds: number;
  /** Mean training loss of the first and last epoch. */
  firstLoss: number;
  lastLoss: number;
  /** The JSONL training log. */
  log: string;
}

/** Files of a run folder. */
export const FILES = {
  teacher: (out: string) => join(out, 'models', 'teacher.safetensors'),
  studentEncoder: (out: string) => join(out, 'models', 'student-encoder.safetensors'),
  studentKd: (out: string) => join(out, 'models', 'student-kd.safetensors'),
  scratch: (out: string) => join(out, 'models', 'student-scratch.safetensors'),
  log: (out: string, stage: string) => join(out, 'logs', `${stage}.jsonl`),
  teacherCache: (out: string) => join(out, 'cache', 'teacher'),
};

/** Optimizer, cosine schedule, step budget and callbacks of a stage over `n` training samples. */
function stageArgs(
  stage: StageConfig,
  n: number,
  seed: number,
  logFile: string,
  stderr: NodeJS.WritableStream,
): Omit<FitArgs, 'loss'> & { steps: number; stopProgress: () => void } {
  const stepsPerEpoch = Math.max(1, Math.floor(n / stage.batchSize));
  const steps = stage.steps;
  const warmup = Math.min(stage.warmupSteps, Math.max(0, steps - 1));
  const schedule: ScheduleConfig =
    steps > 1 ? { name: 'warmup-cosine', warmupSteps: warmup, totalSteps: steps, minLr: stage.lr * stage.minLrRatio, warmupStartFactor: 0.1 } : { name: 'constant' };
  const callbacks: Callback[] = [progressBar({ stream: stderr }), jsonlLog(logFile, { steps: true, epochs: true })];
  // fit does not end its callbacks when a step throws; stop the bar's timer so the process can exit.
  const bar = callbacks[0]!;
  return {
    steps,
    optimizer: { name: 'adam', lr: stage.lr },
    schedule,
    epochs: Math.max(1, Math.ceil(steps / stepsPerEpoch)),
    maxSteps: steps,
    stepsPerEpoch,
    seed,
    callbacks,
    stopProgress: () => void bar.onTrainEnd?.({}, undefined as never),
    stepHistoryEvery: 1,
    ...(stage.clipNorm !== undefined ? { clipNorm: stage.clipNorm } : {}),
  };
}

/** Training loss at the first step and averaged over the last tenth of the steps. */
function lossRange(h: History): { firstLoss: number; lastLoss: number } {
  const l = h.steps.history.loss ?? [];
  const tail = l.slice(-Math.max(1, Math.floor(l.length / 10)));
  return { firstLoss: l[0] ?? Number.NaN, lastLoss: tail.length ? tail.reduce((a, b) => a + b, 0) / tail.length : Number.NaN };
}

/** `fit` with the stage's arguments; the progress bar is stopped even when training throws. */
async function runFit(model: Parameters<typeof fit>[0], data: Parameters<typeof fit>[1], args: FitArgs & { stopProgress: () => void }): Promise<History> {
  const { stopProgress, ...fitArgs } = args;
  try {
    return await fit(model, data, fitArgs);
  } finally {
    stopProgress();
  }
}

async function freshLog(file: string): Promise<string> {
  await rm(file, { force: true });
  return file;
}

/** The teacher: ViT encoder + decoder trained end to end on the training variants (and extra images). */
export async function trainTeacher(env: StageEnv, data: RunData): Promise<StageResult> {
  const { config, out, stderr } = env;
  const t0 = performance.now();
  const variants = trainVariants([...data.train, ...data.teacherExtra], config.data.augmentations, config.seed);
  const sam = withSeed(config.seed, () => buildSam(config.model, 'teacher'));
  try {
    const log = await freshLog(FILES.log(out, 'teacher'));
    const { steps, ...args } = stageArgs(config.teacher.train, variants.length, config.seed, log, stderr);
    const loss = maskLossTerms({ dice: config.finetune.diceWeight, bce: config.finetune.bceWeight, iou: config.finetune.iouWeight });
    const history = await runFit(sam.model, promptStream(variants, { batchSize: config.teacher.train.batchSize, jitter: config.data.boxJitter }), { ...args, loss });
    const seconds = (performance.now() - t0) / 1000;
    const model = FILES.teacher(out);
    await saveModel(model, sam.model, { kind: 'teacher', part: 'sam', model: config.model, info: { stage: 'teacher', steps, seconds, images: variants.length } });
    return { stage: 'teacher', model, steps, seconds, ...lossRange(history), log };
  } finally {
    sam.model.dispose();
  }
}

async function fileHash(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

/** The frozen teacher of stage 1, and (for a teacher trained here) the perceptual extractor from its decoder. */
async function stageOneTeacher(config: Config, out: string): Promise<{ teacher: Teacher; extractor: tf.LayersModel | null; dispose(): void }> {
  if (config.teacher.source === 'onnx') {
    if (config.distill.perceptualWeight > 0) {
      throw new UsageError(
        "distill: an ONNX teacher encoder has no TF.js decoder layers for the perceptual term; set distill.perceptualWeight to 0 (MSE only) or train the teacher here (teacher.source 'train').",
      );
    }
    const o = config.teacher.onnx!;
    const teacher = await samOnnxTeacher(o.path, {
      inputSize: o.inputSize,
      ...(o.inputName !== undefined ? { inputName: o.inputName } : {}),
      ...(o.outputName !== undefined ? { outputName: o.outputName } : {}),
      ...(config.eval.threads !== undefined ? { threads: config.eval.threads } : {}),
      expect: [config.model.gridSize, config.model.gridSize, config.model.embedDim],
    });
    return { teacher, extractor: null, dispose: () => teacher.dispose() };
  }
  const path = FILES.teacher(out);
  const { sam } = await loadSam(path);
  const teacher = await tfjsTeacher(sam.encoder, { hash: await fileHash(path) });
  let extractor: tf.LayersModel | null = null;
  if (config.distill.perceptualWeight > 0) {
    extractor = withSeed(0, () => buildUpscaler(config.model));
    copyWeights(sam.decoder, extractor);
    extractor.trainable = false;
  }
  return {
    teacher,
    extractor,
    dispose: () => {
      teacher.dispose();
      extractor?.dispose();
      sam.model.dispose();
    },
  };
}

/** Stage-1 distillation spec: MSE (and perceptual) between teacher and student embeddings. */
export function encoderDistillSpec(teacher: Teacher, extractor: tf.LayersModel | null, config: Config, cacheDir: string | null): DistillSpec {
  const terms: DistillSpec['terms'] = [];
  if (config.distill.mseWeight > 0) terms.push({ name: 'mse', tap: 'embedding', loss: 'mse', weight: config.distill.mseWeight });
  if (extractor && config.distill.perceptualWeight > 0) {
    terms.push({ name: 'perceptual', tap: 'embedding', loss: perceptualLoss, weight: config.distill.perceptualWeight, options: { extractor, distance: 'l2' } });
  }
  if (terms.length === 0) throw new UsageError('distill: distill.mseWeight and distill.perceptualWeight are both 0; nothing to distil.');
  return {
    teacher,
    taps: [{ name: 'embedding', teacher: 0, student: 0, project: 'none' }],
    terms,
    cache: cacheDir === null ? {} : { dir: cacheDir },
  };
}

/**
 * Runs the teacher over every sample once so its embeddings sit in the on-disk cache before training
 * (fit's own distiller then reads them by sample id). Returns how many samples the teacher ran.
 */
export async function precomputeTeacher(spec: DistillSpec, student: tf.LayersModel, samples: readonly SegSample[], batchSize: number): Promise<number> {
  const distiller = new Distiller(spec, adaptModel(student), new Rng(0));
  const before = spec.teacher.samplesRun;
  try {
    for (let i = 0; i < samples.length; i += batchSize) {
      const batch = collate(samples.slice(i, i + batchSize).map((s) => ({ x: { data: s.image, shape: [s.size, s.size, 3] }, id: s.id })));
      try {
        tf.dispose(await distiller.teacherTargets(batch));
      } finally {
        disposeBatch(batch);
      }
    }
  } finally {
    distiller.dispose();
  }
  return spec.teacher.samplesRun - before;
}

/** Stage 1: the CNN student encoder distilled from the frozen teacher encoder (training + teacher-only images). */
export async function distillEncoder(env: StageEnv, data: RunData): Promise<StageResult & { teacherRuns: number }> {
  const { config, out, stderr } = env;
  const t0 = performance.now();
  // Stage 1 needs images only: the training images and the teacher's extra (unlabelled here) images.
  const variants = trainVariants([...data.train, ...data.teacherExtra], config.data.augmentations, config.seed);
  const { teacher, extractor, dispose } = await stageOneTeacher(config, out);
  const student = withSeed(config.seed + 1, () => buildStudentEncoder(config.model));
  try {
    const spec = encoderDistillSpec(teacher, extractor, config, FILES.teacherCache(out));
    const teacherRuns = await precomputeTeacher(spec, student, variants, config.distill.batchSize);
    const log = await freshLog(FILES.log(out, 'distill'));
    const { steps, ...args } = stageArgs(config.distill, variants.length, config.seed, log, stderr);
    const history = await runFit(student, imageStream(variants, config.distill.batchSize), { ...args, loss: [], distill: spec });
    const seconds = (performance.now() - t0) / 1000;
    const model = FILES.studentEncoder(out);
    await saveModel(model, student, { kind: 'student', part: 'encoder', model: config.model, info: { stage: 'distill', steps, seconds, teacherRuns } });
    return { stage: 'distill', model, steps, seconds, ...lossRange(history), log, teacherRuns };
  } finally {
    student.dispose();
    dispose();
  }
}

/** Student embeddings of every sample (frozen encoder), by sample id. */
export function embedAll(encoder: tf.LayersModel, samples: readonly SegSample[], batchSize = 8): Map<string, { data: Float32Array; shape: number[] }> {
  const out = new Map<string, { data: Float32Array; shape: number[] }>();
  for (let i = 0; i < samples.length; i += batchSize) {
    const part = samples.slice(i, i + batchSize);
    const size = part[0]!.size;
    const x = tf.tensor4d(
      Float32Array.from(part.flatMap((s) => Array.from(s.image))),
      [part.length, size, size, 3],
    );
    const y = encoder.predict(x) as tf.Tensor;
    const values = y.dataSync() as Float32Array;
    const shape = y.shape.slice(1);
    const n = shape.reduce((a, b) => a * b, 1);
    part.forEach((s, k) => out.set(s.id, { data: values.slice(k * n, (k + 1) * n), shape }));
    tf.dispose([x, y]);
  }
  return out;
}

/** Stage 2: the decoder (from the teacher's, or fresh for an ONNX teacher) fine-tuned on the student's embeddings. */
export async function finetuneDecoder(env: StageEnv, data: RunData): Promise<StageResult & { encoder: 'frozen' | 'trainable' }> {
  const { config, out, stderr } = env;
  const ft = config.finetune;
  const t0 = performance.now();
  const variants = trainVariants(data.train, config.data.augmentations, config.seed);
  const { encoder } = await loadEncoder(FILES.studentEncoder(out));
  const decoder = withSeed(config.seed + 2, () => buildDecoder(config.model));
  let teacherSam: { model: tf.LayersModel; decoder: tf.LayersModel } | null = null;
  const sam = joinSam('student', encoder, decoder);
  try {
    if (config.teacher.source === 'train') {
      teacherSam = (await loadSam(FILES.teacher(out))).sam;
      copyWeights(teacherSam.decoder, decoder);
    }
    const log = await freshLog(FILES.log(out, 'finetune'));
    const { steps, ...args } = stageArgs(ft, variants.length, config.seed, log, stderr);
    const loss = maskLossTerms({ dice: ft.diceWeight, bce: ft.bceWeight, iou: ft.iouWeight });
    let history: History;
    if (ft.encoder === 'frozen') {
      const embeddings = embedAll(encoder, variants);
      history = await runFit(decoder, promptStream(variants, { batchSize: ft.batchSize, jitter: config.data.boxJitter, embeddings }), { ...args, loss });
    } else {
      history = await runFit(sam.model, promptStream(variants, { batchSize: ft.batchSize, jitter: config.data.boxJitter }), { ...args, loss });
    }
    const seconds = (performance.now() - t0) / 1000;
    const model = FILES.studentKd(out);
    await saveModel(model, sam.model, { kind: 'student', part: 'sam', model: config.model, info: { stage: 'finetune', steps, seconds, encoder: ft.encoder } });
    return { stage: 'finetune', model, steps, seconds, ...lossRange(history), log, encoder: ft.encoder };
  } finally {
    sam.model.dispose();
    teacherSam?.model.dispose();
  }
}

/** The control: the student from scratch with Dice only (+ the IoU head's term), same step budget as stages 1 + 2. */
export async function trainScratch(env: StageEnv, data: RunData): Promise<StageResult> {
  const { config, out, stderr } = env;
  const t0 = performance.now();
  const variants = trainVariants(data.train, config.data.augmentations, config.seed);
  const sam = withSeed(config.seed + 3, () => buildSam(config.model, 'student'));
  try {
    const log = await freshLog(FILES.log(out, 'scratch'));
    const stage: StageConfig = { ...config.scratch, steps: config.distill.steps + config.finetune.steps };
    const { steps, ...args } = stageArgs(stage, variants.length, config.seed, log, stderr);
    const loss = maskLossTerms({ dice: 1, bce: 0, iou: config.finetune.iouWeight });
    const history = await runFit(sam.model, promptStream(variants, { batchSize: stage.batchSize, jitter: config.data.boxJitter }), { ...args, loss });
    const seconds = (performance.now() - t0) / 1000;
    const model = FILES.scratch(out);
    await saveModel(model, sam.model, { kind: 'student', part: 'sam', model: config.model, info: { stage: 'scratch', steps, seconds } });
    return { stage: 'scratch', model, steps, seconds, ...lossRange(history), log };
  } finally {
    sam.model.dispose();
  }
}
