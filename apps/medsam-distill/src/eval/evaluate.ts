// The eval suite: every trained model (teacher, KD student, scratch student) on the test split with
// tight box prompts — Dice, IoU, HD95 per dataset — plus parameters, analytic MACs, and per-image
// latency in TF.js (the selected backend) and in ONNX Runtime after export (median of timed runs,
// warm-up excluded), with an ONNX-vs-TF.js parity check and overlay strips for the report.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from '@lossworks/cli-kit';
import { exportOnnx, OnnxPredictor } from '@lossworks/core-train/onnx';
import type { Config } from '../config/schema.js';
import { boxPrompt, type Box, type SegSample } from '../data/index.js';
import { IO, ONNX_NAMES, countParams, type SamModel } from '../model/sam.js';
import { loadSam } from '../model/weights.js';
import { boxPoints, type RunData } from '../train/data.js';
import { FILES } from '../train/stages.js';
import { modelMacs } from './flops.js';
import { meanScores, scoreImage, type ImageScores, type MeanScores } from './metrics.js';
import { overlayStrip } from './overlay.js';

/** The models an eval compares, in report order. */
export const MODEL_NAMES = ['teacher', 'student-kd', 'student-scratch'] as const;
/** One of {@link MODEL_NAMES}. */
export type ModelName = (typeof MODEL_NAMES)[number];

/** Human labels of the models. */
export const MODEL_LABELS: Record<ModelName, string> = {
  teacher: 'Teacher (ViT)',
  'student-kd': 'KD student (CNN)',
  'student-scratch': 'Scratch student (CNN)',
};

/** Model file of each model in a run folder. */
export function modelFile(out: string, name: ModelName): string {
  return name === 'teacher' ? FILES.teacher(out) : name === 'student-kd' ? FILES.studentKd(out) : FILES.scratch(out);
}

/** Everything measured for one model. */
export interface ModelEval {
  name: ModelName;
  file: string;
  params: { encoder: number; decoder: number; total: number };
  /** Multiply-accumulates per image (see flops.ts); FLOPs ≈ 2 × MACs. */
  macs: { encoder: number; decoder: number; total: number };
  /** Median per-image latency in milliseconds. */
  latencyMs: { tfjs: number; onnx: number | null };
  /** Largest |ONNX − TF.js| over the mask logits of one test image (null when ONNX failed). */
  onnxMaxAbsDiff: number | null;
  onnxFile: string | null;
  onnxError?: string;
  perDataset: Record<string, MeanScores>;
  /** Means over all test images. */
  overall: MeanScores;
  /** Unweighted means of the per-dataset means (each dataset counts once). */
  meanOverDatasets: ImageScores;
}

/** The eval's result (`<out>/eval/eval.json`). */
export interface EvalResult {
  name: string;
  backend: string;
  threads: number | null;
  imageSize: number;
  datasets: string[];
  testImages: Record<string, number>;
  models: ModelEval[];
  /** Overlay PNG files (relative to the run folder), by dataset. */
  overlays: Record<string, string[]>;
  /** The acceptance checks, where the models exist. */
  acceptance: {
    kdBeatsScratch: boolean | null;
    meanDice: Partial<Record<ModelName, number>>;
    paramRatio: number | null;
    onnxSpeedup: number | null;
  };
  missing: string[];
}

/** Options of {@link evaluateRun}. */
export interface EvaluateOptions {
  /** TF.js backend name, for the record. */
  backend: string;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** Latency is measured in this many rounds over the models (see evaluateRun). */
const LATENCY_ROUNDS = 3;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function inputs(samples: readonly SegSample[], boxes: readonly Box[]): tf.Tensor[] {
  const size = samples[0]!.size;
  const img = new Float32Array(samples.length * size * size * 3);
  samples.forEach((s, i) => img.set(s.image, i * size * size * 3));
  const coords = new Float32Array(samples.length * 4);
  const labels = new Float32Array(samples.length * 2);
  boxes.forEach((b, i) => {
    const p = boxPoints(b);
    coords.set(p.coords, i * 4);
    labels.set(p.labels, i * 2);
  });
  return [tf.tensor4d(img, [samples.length, size, size, 3]), tf.tensor3d(coords, [samples.length, 2, 2]), tf.tensor2d(labels, [samples.length, 2])];
}

/** Mask logits [S·S] of each sample with its box. */
function predictLogits(sam: SamModel, samples: readonly SegSample[], boxes: readonly Box[], batch = 8): Float32Array[] {
  const out: Float32Array[] = [];
  for (let i = 0; i < samples.length; i += batch) {
    const x = inputs(samples.slice(i, i + batch), boxes.slice(i, i + batch));
    const y = sam.model.predict(x) as tf.Tensor[];
    const v = y[0]!.dataSync() as Float32Array;
    const n = v.length / Math.min(batch, samples.length - i);
    for (let k = 0; k * n < v.length; k++) out.push(v.slice(k * n, (k + 1) * n));
    tf.dispose([...x, ...y]);
  }
  return out;
}

/** Evaluates every model of the run that exists (see the file comment) and writes eval.json and overlays. */
export async function evaluateRun(config: Config, out: string, data: RunData, options: EvaluateOptions): Promise<EvalResult> {
  const log = options.log ?? (() => {});
  const test = data.test;
  const datasets = [...new Set(test.map((s) => s.dataset))].sort();
  const boxes = test.map((s) => boxPrompt(s));
  const evalDir = join(out, 'eval');
  const onnxDir = join(out, 'onnx');
  const { warmup, latencyRepeats, threads, overlays: perDataset } = config.eval;
  const overlayIdx = new Map<string, number[]>();
  for (const ds of datasets) {
    overlayIdx.set(
      ds,
      test.flatMap((s, i) => (s.dataset === ds ? [i] : [])).slice(0, perDataset),
    );
  }
  const hardMasks = new Map<ModelName, Map<number, Uint8Array>>();
  const models: ModelEval[] = [];
  const loaded: Array<{ name: ModelName; sam: SamModel; predictor: OnnxPredictor | null }> = [];
  const one = inputs([test[0]!], [boxes[0]!]);
  try {
    for (const name of MODEL_NAMES) {
      const file = modelFile(out, name);
      if (!existsSync(file)) {
        log(`${name}: no model file (${file}), skipped`);
        continue;
      }
      const { sam } = await loadSam(file);
      const entry: { name: ModelName; sam: SamModel; predictor: OnnxPredictor | null } = { name, sam, predictor: null };
      loaded.push(entry);
      log(`${name}: predicting ${test.length} test images`);
      const logits = predictLogits(sam, test, boxes);
      const scores = logits.map((l, i) => scoreImage(test[i]!.mask, l, test[i]!.size, test[i]!.validWidth, test[i]!.validHeight));
      const keep = new Map<number, Uint8Array>();
      for (const idx of overlayIdx.values()) for (const i of idx) keep.set(i, Uint8Array.from(logits[i]!, (v) => (v >= 0 ? 1 : 0)));
      hardMasks.set(name, keep);
      const perDs: Record<string, MeanScores> = {};
      for (const ds of datasets) perDs[ds] = meanScores(scores.filter((_, i) => test[i]!.dataset === ds));
      const dsMeans = Object.values(perDs);
      const meanOverDatasets: ImageScores = {
        dice: dsMeans.reduce((a, m) => a + m.dice, 0) / dsMeans.length,
        iou: dsMeans.reduce((a, m) => a + m.iou, 0) / dsMeans.length,
        hd95: dsMeans.reduce((a, m) => a + m.hd95, 0) / dsMeans.length,
      };
      let diff: number | null = null;
      let onnxFile: string | null = join(onnxDir, `${name}.onnx`);
      let onnxError: string | undefined;
      try {
        log(`${name}: ONNX export`);
        await exportOnnx(sam.model, onnxFile, { ...ONNX_NAMES.sam, docString: `medsam-distill ${config.name}: ${name}` });
        entry.predictor = await OnnxPredictor.load(onnxFile, threads !== undefined ? { threads } : {});
        const o = await entry.predictor.run(one.map((t) => ({ data: t.dataSync() as Float32Array, shape: t.shape })));
        const ref = logits[0]!;
        diff = o[IO.masks]!.data.reduce((m, v, i) => Math.max(m, Math.abs(v - ref[i]!)), 0);
      } catch (err) {
        onnxError = (err as Error).message;
        onnxFile = null;
        log(`${name}: ONNX failed: ${onnxError}`);
      }
      models.push({
        name,
        file,
        params: { encoder: countParams(sam.encoder), decoder: countParams(sam.decoder), total: countParams(sam.model) },
        macs: { encoder: modelMacs(sam.encoder), decoder: modelMacs(sam.decoder), total: modelMacs(sam.model) },
        latencyMs: { tfjs: Number.NaN, onnx: null },
        onnxMaxAbsDiff: diff,
        onnxFile,
        ...(onnxError !== undefined ? { onnxError } : {}),
        perDataset: perDs,
        overall: meanScores(scores),
        meanOverDatasets,
      });
    }
    // Latency: per runtime, LATENCY_ROUNDS rounds over the models; in each round a model runs its
    // warm-up then a block of timed runs. Blocks (not single runs) are interleaved: ONNX Runtime's
    // thread pools spin for a while after each run, and alternating run by run between sessions (or
    // with the TF.js backend's own ONNX Runtime kernels) would make them compete for the cores.
    log(`latency: ${LATENCY_ROUNDS} rounds × (${warmup} warm-up + ${Math.ceil(latencyRepeats / LATENCY_ROUNDS)} timed runs) per model, TF.js (${options.backend}), then ONNX Runtime`);
    const feeds = one.map((t) => ({ data: t.dataSync() as Float32Array, shape: t.shape }));
    const times = loaded.map(() => ({ tfjs: [] as number[], onnx: [] as number[] }));
    const perRound = Math.ceil(latencyRepeats / LATENCY_ROUNDS);
    for (const runtime of ['tfjs', 'onnx'] as const) {
      for (let round = 0; round < LATENCY_ROUNDS; round++) {
        for (const [k, m] of loaded.entries()) {
          if (runtime === 'onnx' && !m.predictor) continue;
          for (let i = 0; i < warmup + perRound; i++) {
            const t0 = performance.now();
            if (runtime === 'tfjs') {
              const y = m.sam.model.predict(one) as tf.Tensor[];
              await y[0]!.data();
              await y[1]!.data();
              tf.dispose(y);
            } else {
              await m.predictor!.run(feeds);
            }
            if (i >= warmup) times[k]![runtime].push(performance.now() - t0);
          }
        }
      }
    }
    loaded.forEach((m, k) => {
      const entry = models.find((x) => x.name === m.name)!;
      entry.latencyMs = { tfjs: median(times[k]!.tfjs), onnx: times[k]!.onnx.length ? median(times[k]!.onnx) : null };
    });
  } finally {
    tf.dispose(one);
    for (const m of loaded) {
      m.sam.model.dispose();
      await m.predictor?.dispose();
    }
  }
  const overlays: Record<string, string[]> = {};
  for (const [ds, idx] of overlayIdx) {
    overlays[ds] = [];
    for (const [k, i] of idx.entries()) {
      const preds = [...hardMasks.entries()].map(([name, m]) => ({ name, mask: m.get(i)! }));
      const strip = overlayStrip(test[i]!, boxes[i]!, preds);
      const rel = join('eval', 'overlays', `${ds}-${k}.png`);
      await writeFileAtomic(join(out, rel), strip.png);
      overlays[ds].push(rel);
    }
  }
  const get = (n: ModelName) => models.find((m) => m.name === n);
  const [teacher, kd, scratch] = [get('teacher'), get('student-kd'), get('student-scratch')];
  const meanDice: Partial<Record<ModelName, number>> = {};
  for (const m of models) meanDice[m.name] = m.meanOverDatasets.dice;
  const result: EvalResult = {
    name: config.name,
    backend: options.backend,
    threads: threads ?? null,
    imageSize: config.model.imageSize,
    datasets,
    testImages: Object.fromEntries(datasets.map((ds) => [ds, test.filter((s) => s.dataset === ds).length])),
    models,
    overlays,
    acceptance: {
      kdBeatsScratch: kd && scratch ? kd.meanOverDatasets.dice > scratch.meanOverDatasets.dice : null,
      meanDice,
      paramRatio: teacher && kd ? teacher.params.total / kd.params.total : null,
      onnxSpeedup: teacher?.latencyMs.onnx && kd?.latencyMs.onnx ? teacher.latencyMs.onnx / kd.latencyMs.onnx : null,
    },
    missing: data.missing,
  };
  await writeFileAtomic(join(evalDir, 'eval.json'), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}
