// Knowledge distillation end to end, on a generated 10-class image task (shapes and textures, 32×32,
// with noise): train a teacher conv net, distil a ≥5× smaller student with feature MSE on a tapped conv
// layer (through a 1×1 projection head) plus temperature-softened KL on the logits, train the same
// student from scratch with the same budget as a control, export the models to ONNX, and compare
// accuracy, parameters and latency (ONNX Runtime and TF.js) in an HTML report.
//
// The students get only `studentLabels` of the teacher's labelled images; the KD student also reads the
// rest of them WITHOUT labels as an unlabelled stream (the teacher's outputs are its targets there).
// That is where distillation pays: the scratch student has nothing to learn from on those images.
//
// Run: pnpm --filter @lossworks/core-train demo   (or: npx tsx examples/distill-demo.ts)
import * as tf from '@tensorflow/tfjs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  Dataset,
  OnnxPredictor,
  Report,
  describeSelection,
  exportOnnx,
  fit,
  jsonlLog,
  progressBar,
  selectBackend,
  tfjsTeacher,
  type BackendName,
  type Callback,
  type DistillSpec,
  type FitArgs,
  type History,
  type ReportFiles,
  type Sample,
} from '../src/index.js';
import type { BarChartSpec } from '../src/report/index.js';
import { onnxLatency, tfjsLatency, type RepeatOptions } from './distill-demo/measure.js';
import { STUDENT_WIDTHS, TEACHER_WIDTHS, accuracyMetric, convNet, predictClasses, type Widths } from './distill-demo/models.js';
import { SHAPE_CLASSES, SIZE, shapeImage } from './distill-demo/shapes.js';

/** Options of {@link runDistillDemo}; the defaults are the demo's (about 1–2 minutes on 2 cores). */
export interface DistillDemoOptions {
  /** Where the report, logs and ONNX files go. Default `packages/core-train/runs/distill-demo`. */
  outDir?: string;
  /** Seeds data, initial weights, shuffles and projection heads. Default 0. */
  seed?: number;
  /** Use exactly this backend. Default: what `selectBackend()` picks (LOSSWORKS_BACKEND is honoured). */
  backend?: BackendName;
  /** Labelled training images of the teacher. Default 4000. */
  trainImages?: number;
  /** How many of them the students see with labels (the rest is the KD student's unlabelled stream). Default 400. */
  studentLabels?: number;
  /** Validation images (curves per epoch). Default 500. */
  valImages?: number;
  /** Test images (the table). Default 1000. */
  testImages?: number;
  /** Teacher epochs over `trainImages`. Default 4. */
  teacherEpochs?: number;
  /** Student epochs over the `studentLabels` labelled images (both students). Default 30. */
  studentEpochs?: number;
  /** Batch size of every stream. Default 40. */
  batchSize?: number;
  /** Unlabelled batches per labelled batch for the KD student. Default 2. */
  unlabelledRatio?: number;
  /** Latency: timed calls per measurement (median reported) and untimed warm-up calls. Default 40 and 5. */
  latency?: Partial<RepeatOptions>;
  /** Conv widths of the two nets. Default TEACHER_WIDTHS and STUDENT_WIDTHS (tests pass narrower ones: the cpu backend's conv gradients are slow). */
  widths?: { teacher?: Widths; student?: Widths };
  /** ONNX Runtime intra-op threads for the latency runs. Default: ONNX Runtime's choice (one per core). */
  onnxThreads?: number;
  /** Progress bars on stderr. Default false. */
  progress?: boolean;
}

/** One row of the comparison table. */
export interface ModelSummary {
  model: 'teacher' | 'student (KD)' | 'student (scratch)';
  /** Trainable and non-trainable weights (`countParams()`). */
  params: number;
  /** Top-1 accuracy on the test images. */
  accuracy: number;
  /** Share of test images where the model predicts the teacher's class. */
  agreement: number;
  /** Labelled images it was trained on. */
  labels: number;
  /** Seconds spent in `fit`. */
  trainSeconds: number;
  /** Median ms per call on ONNX Runtime (the exported file) at batch 1 and 32. */
  onnxMs1: number;
  onnxMs32: number;
  /** Median ms per `predict` in TF.js on the selected backend at batch 1 and 32. */
  tfjsMs1: number;
  tfjsMs32: number;
  /** The exported ONNX file. */
  onnxFile: string;
  /** Largest |logit difference| between ONNX Runtime and TF.js on 32 test images. */
  onnxMaxAbsDiff: number;
  /** Test accuracy of the ONNX file run by ONNX Runtime. */
  onnxAccuracy: number;
}

/** What {@link runDistillDemo} returns. */
export interface DistillDemoResult {
  backend: string;
  rows: ModelSummary[];
  /** Teacher parameters ÷ student parameters. */
  compression: number;
  report: ReportFiles;
  /** The JSONL training logs, one per model. */
  logs: string[];
  histories: Record<ModelSummary['model'], History>;
  seconds: number;
}

const CCE = [{ name: 'cce', loss: 'cce', options: { fromLogits: true } }];

/** One labelled (or, with `labelled` false, input-only) sample of the task, with a stable id for the teacher cache. */
function sampleOf(seed: number, split: string, offset: number, i: number, labelled: boolean): Sample {
  const { pixels, label } = shapeImage(seed, offset + i);
  const x = { data: pixels, shape: [SIZE, SIZE, 1] };
  if (!labelled) return { x, id: `${split}-${i}` };
  const y = new Float32Array(SHAPE_CLASSES.length);
  y[label] = 1;
  return { x, y, id: `${split}-${i}` };
}

/** The images of samples as one [n, 32, 32, 1] tensor, and their labels. */
function stackImages(samples: readonly Sample[]): { images: tf.Tensor4D; labels: Int32Array } {
  const data = new Float32Array(samples.length * SIZE * SIZE);
  const labels = new Int32Array(samples.length);
  samples.forEach((s, i) => {
    data.set((s.x as { data: Float32Array }).data, i * SIZE * SIZE);
    labels[i] = (s.y as Float32Array).indexOf(1);
  });
  return { images: tf.tensor4d(data, [samples.length, SIZE, SIZE, 1]), labels };
}

const shuffled = (samples: readonly Sample[], batch: number): Dataset<Sample[]> => Dataset.fromArray(samples).shuffle(samples.length).batch(batch);

const share = (a: Int32Array, b: Int32Array): number => a.reduce((n, v, i) => n + (v === b[i] ? 1 : 0), 0) / a.length;

/** Grouped bars of the median latency at one batch size: ONNX Runtime and TF.js per model. */
function latencyChart(rows: readonly ModelSummary[], batch: 1 | 32, backend: string): BarChartSpec {
  const pick = (r: ModelSummary, onnx: boolean): number => (batch === 1 ? (onnx ? r.onnxMs1 : r.tfjsMs1) : onnx ? r.onnxMs32 : r.tfjsMs32);
  return {
    title: `Inference latency, batch ${batch} (median ms per call)`,
    categories: rows.map((r) => r.model),
    values: { 'ONNX Runtime': rows.map((r) => pick(r, true)), [`TF.js (${backend} backend)`]: rows.map((r) => pick(r, false)) },
    yLabel: 'ms',
    height: 200,
  };
}

/** A grid of example images, two per class (NaN gaps between them), for the report. */
function mosaic(seed: number): { data: Float32Array; width: number; height: number } {
  const gap = 2;
  const rows = 2;
  const cols = SHAPE_CLASSES.length;
  const width = cols * (SIZE + gap) - gap;
  const height = rows * (SIZE + gap) - gap;
  const data = new Float32Array(width * height).fill(Number.NaN);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const { pixels } = shapeImage(seed, 9_000_000 + r * cols + c, c);
      for (let y = 0; y < SIZE; y++) {
        for (let x = 0; x < SIZE; x++) data[(r * (SIZE + gap) + y) * width + c * (SIZE + gap) + x] = Math.max(-3, Math.min(3, pixels[y * SIZE + x]!));
      }
    }
  }
  return { data, width, height };
}

/** The options with their defaults filled in. */
type Settings = Required<Omit<DistillDemoOptions, 'backend' | 'latency' | 'onnxThreads' | 'widths'>> &
  Pick<DistillDemoOptions, 'onnxThreads'> & { latency: RepeatOptions; widths: { teacher: Widths; student: Widths } };

/** The task's data: the teacher's labelled images, the students' share of them, the rest without labels, validation and test. */
interface TaskData {
  train: Sample[];
  studentTrain: Sample[];
  unlabelled: Sample[];
  val: Sample[];
  test: { images: tf.Tensor4D; labels: Int32Array };
}

/** A trained model and what its training cost. */
interface Trained {
  model: ModelSummary['model'];
  net: tf.LayersModel;
  history: History;
  seconds: number;
  labels: number;
  file: string;
}

function settingsOf(options: DistillDemoOptions): Settings {
  const s: Settings = {
    outDir: options.outDir ?? join(import.meta.dirname, '..', 'runs', 'distill-demo'),
    seed: options.seed ?? 0,
    trainImages: options.trainImages ?? 4000,
    studentLabels: options.studentLabels ?? 400,
    valImages: options.valImages ?? 500,
    testImages: options.testImages ?? 1000,
    teacherEpochs: options.teacherEpochs ?? 4,
    studentEpochs: options.studentEpochs ?? 30,
    batchSize: options.batchSize ?? 40,
    unlabelledRatio: options.unlabelledRatio ?? 2,
    progress: options.progress ?? false,
    latency: { warmup: options.latency?.warmup ?? 5, repeats: options.latency?.repeats ?? 40 },
    onnxThreads: options.onnxThreads,
    widths: { teacher: options.widths?.teacher ?? TEACHER_WIDTHS, student: options.widths?.student ?? STUDENT_WIDTHS },
  };
  if (!(Number.isInteger(s.studentLabels) && s.studentLabels > 0 && s.studentLabels < s.trainImages)) {
    throw new RangeError(`runDistillDemo: option 'studentLabels' must be an integer in (0, trainImages = ${s.trainImages}). Value: ${s.studentLabels}.`);
  }
  if (!(s.latency.repeats >= 1)) throw new RangeError(`runDistillDemo: option 'latency.repeats' must be ≥ 1. Value: ${s.latency.repeats}.`);
  return s;
}

/** Disjoint index ranges of one generated stream; labels are balanced (label = index mod 10). */
function makeData(s: Settings): TaskData {
  const train = Array.from({ length: s.trainImages }, (_, i) => sampleOf(s.seed, 'train', 0, i, true));
  return {
    train,
    studentTrain: train.slice(0, s.studentLabels),
    unlabelled: train.slice(s.studentLabels).map(({ x, id }) => ({ x, id })), // the same images, labels dropped
    val: Array.from({ length: s.valImages }, (_, i) => sampleOf(s.seed, 'val', 3_000_000, i, true)),
    test: stackImages(Array.from({ length: s.testImages }, (_, i) => sampleOf(s.seed, 'test', 6_000_000, i, true))),
  };
}

/**
 * Trains the teacher, the KD student and the scratch student in turn (each model is pushed to `owned`
 * as soon as it exists, so the caller can free it whatever happens).
 */
async function trainModels(s: Settings, data: TaskData, logs: readonly string[], owned: tf.LayersModel[]): Promise<Trained[]> {
  const common = (epochs: number, stepsPerEpoch: number, lr: number, log: string): Omit<FitArgs, 'loss'> => ({
    optimizer: { name: 'adam', lr },
    schedule: { name: 'warmup-cosine', warmupSteps: Math.min(20, stepsPerEpoch, epochs * stepsPerEpoch - 1), totalSteps: epochs * stepsPerEpoch, minLr: 1e-4 },
    epochs,
    seed: s.seed,
    validation: { data: Dataset.fromArray(data.val).batch(100), metrics: [{ name: 'accuracy', metric: accuracyMetric() }] },
    callbacks: [jsonlLog(log, { steps: false }), ...(s.progress ? [progressBar({ keys: ['val/accuracy'] })] : [])] satisfies Callback[],
  });
  const timed = async (run: () => Promise<History>): Promise<{ history: History; seconds: number }> => {
    const start = performance.now();
    const history = await run();
    return { history, seconds: (performance.now() - start) / 1000 };
  };
  const build = (name: string, widths: Widths, seed: number): tf.Sequential => {
    const net = convNet(name, widths, seed);
    owned.push(net);
    return net;
  };

  // 1. Teacher: every labelled image.
  const teacher = build('teacher', s.widths.teacher, s.seed + 1);
  const teacherRun = await timed(() =>
    fit(teacher, shuffled(data.train, s.batchSize), { loss: CCE, ...common(s.teacherEpochs, Math.ceil(s.trainImages / s.batchSize), 3e-3, logs[0]!) }),
  );

  // 2. Student with distillation: its labelled images plus the rest as an unlabelled stream. Both
  // students start from the same initial weights (same seed), so the only difference is distillation.
  const studentSteps = Math.ceil(s.studentLabels / s.batchSize);
  const kdStudent = build('student_kd', s.widths.student, s.seed + 2);
  const distill: DistillSpec = {
    teacher: await tfjsTeacher(teacher), // frozen; its outputs are cached by sample id, so it runs once per image
    taps: [
      // 8×8×64 teacher features vs 8×8×24 student features (default widths): a trainable 1×1 conv head maps 24 → 64.
      { name: 'feat', teacher: 'teacher_feat', student: 'student_kd_feat' },
      { name: 'logits', teacher: 0, student: 0 },
    ],
    terms: [
      // Raw feature MSE is ~25 at the start (vs ~2.3 for the cross-entropy): weight 0.1 keeps it a hint.
      { name: 'feat', tap: 'feat', loss: 'feature_mse', weight: 0.1 },
      { name: 'kd', tap: 'logits', loss: 'kd_kl', weight: 1, options: { temperature: 4 } },
    ],
  };
  const kdRun = await timed(() =>
    fit(kdStudent, shuffled(data.studentTrain, s.batchSize), {
      loss: CCE,
      ...common(s.studentEpochs, studentSteps, 5e-3, logs[1]!),
      unlabelled: { data: shuffled(data.unlabelled, s.batchSize), ratio: s.unlabelledRatio },
      distill,
    }),
  );
  distill.teacher.dispose();

  // 3. Control: the same student, same labelled images, steps, schedule and initial weights, no teacher.
  const scratchStudent = build('student_scratch', s.widths.student, s.seed + 2);
  const scratchRun = await timed(() =>
    fit(scratchStudent, shuffled(data.studentTrain, s.batchSize), { loss: CCE, ...common(s.studentEpochs, studentSteps, 5e-3, logs[2]!) }),
  );

  return [
    { model: 'teacher', net: teacher, ...teacherRun, labels: s.trainImages, file: 'teacher.onnx' },
    { model: 'student (KD)', net: kdStudent, ...kdRun, labels: s.studentLabels, file: 'student-kd.onnx' },
    { model: 'student (scratch)', net: scratchStudent, ...scratchRun, labels: s.studentLabels, file: 'student-scratch.onnx' },
  ];
}

/** Argmax classes of a [n, classes] logit array. */
function argmaxRows(logits: Float32Array, classes: number): Int32Array {
  const out = new Int32Array(logits.length / classes);
  for (let r = 0; r < out.length; r++) {
    const row = logits.subarray(r * classes, (r + 1) * classes);
    out[r] = row.indexOf(Math.max(...row));
  }
  return out;
}

/** Test accuracy, agreement with the teacher, ONNX export and parity, and latency of each model. */
async function measureModels(s: Settings, trained: readonly Trained[], test: TaskData['test']): Promise<ModelSummary[]> {
  const n = test.labels.length;
  const teacherClasses = predictClasses(trained[0]!.net, test.images);
  const all = test.images.dataSync() as Float32Array;
  const b = Math.min(32, n);
  const one = { data: all.subarray(0, SIZE * SIZE), shape: [1, SIZE, SIZE, 1] };
  const batch = { data: all.subarray(0, b * SIZE * SIZE), shape: [b, SIZE, SIZE, 1] };
  const [oneT, batchT] = [tf.tensor4d(one.data, [1, SIZE, SIZE, 1]), tf.tensor4d(batch.data, [b, SIZE, SIZE, 1])];
  const rows: ModelSummary[] = [];
  try {
    for (const t of trained) {
      const classes = t.model === 'teacher' ? teacherClasses : predictClasses(t.net, test.images);
      const exported = await exportOnnx(t.net, join(s.outDir, t.file), { inputNames: ['image'], outputNames: ['logits'], docString: `lossworks distill demo: ${t.model}` });
      const predictor = await OnnxPredictor.load(exported.path, s.onnxThreads ? { threads: s.onnxThreads } : {});
      try {
        const onnxBatch = (await predictor.run(batch)).logits!.data;
        const ref = tf.tidy(() => t.net.predict(batchT) as tf.Tensor);
        const refData = ref.dataSync();
        ref.dispose();
        const onnxClasses = new Int32Array(n);
        for (let start = 0; start < n; start += 200) {
          const size = Math.min(200, n - start);
          const out = await predictor.run({ data: all.subarray(start * SIZE * SIZE, (start + size) * SIZE * SIZE), shape: [size, SIZE, SIZE, 1] });
          onnxClasses.set(argmaxRows(out.logits!.data, SHAPE_CLASSES.length), start);
        }
        rows.push({
          model: t.model,
          params: t.net.countParams(),
          accuracy: share(classes, test.labels),
          agreement: share(classes, teacherClasses),
          labels: t.labels,
          trainSeconds: t.seconds,
          onnxMs1: await onnxLatency(predictor, one.data, one.shape, s.latency),
          onnxMs32: await onnxLatency(predictor, batch.data, batch.shape, s.latency),
          tfjsMs1: await tfjsLatency(t.net, oneT, s.latency),
          tfjsMs32: await tfjsLatency(t.net, batchT, s.latency),
          onnxFile: exported.path,
          onnxMaxAbsDiff: onnxBatch.reduce((mx, v, i) => Math.max(mx, Math.abs(v - refData[i]!)), 0),
          onnxAccuracy: share(onnxClasses, test.labels),
        });
      } finally {
        await predictor.dispose();
      }
    }
  } finally {
    tf.dispose([oneT, batchT]);
  }
  return rows;
}

/** The HTML report: run metadata, the task, the comparison table and charts, and the training curves. */
async function writeReport(s: Settings, backend: string, attempts: string, rows: readonly ModelSummary[], trained: readonly Trained[]): Promise<ReportFiles> {
  const [teacher, kd, scratch] = trained as [Trained, Trained, Trained];
  const compression = rows[0]!.params / rows[1]!.params;
  const studentSteps = Math.ceil(s.studentLabels / s.batchSize) * s.studentEpochs;
  const report = new Report({
    title: 'Distillation demo: teacher → student',
    subtitle: `A ${compression.toFixed(1)}× smaller student distilled with feature MSE + KL (τ = 4), against the same student trained from scratch.`,
    outDir: s.outDir,
  });
  report.metadata({
    backend,
    backendAttempts: attempts,
    seed: s.seed,
    images: { train: s.trainImages, studentLabels: s.studentLabels, unlabelled: s.trainImages - s.studentLabels, val: s.valImages, test: s.testImages },
    epochs: { teacher: s.teacherEpochs, students: s.studentEpochs },
    batchSize: s.batchSize,
    unlabelledRatio: s.unlabelledRatio,
    latency: `median of ${s.latency.repeats} calls after ${s.latency.warmup} warm-up calls; ONNX Runtime threads: ${s.onnxThreads ?? 'default (one per core)'}`,
    seconds: Object.fromEntries(trained.map((t) => [t.model, t.seconds])),
  });
  report
    .addSection(
      'Task',
      `${SHAPE_CLASSES.length} classes (${SHAPE_CLASSES.join(', ')}) of ${SIZE}×${SIZE} images: random position, size and rotation ` +
        '(orientation only jitters where it is the class), bright or dark on a background gradient, a distractor blob and noise; each image standardised. ' +
        `The teacher trains on ${s.trainImages} labelled images. Both students see only ${s.studentLabels} of them with labels; the KD student also reads ` +
        `the other ${s.trainImages - s.studentLabels} without labels (${s.unlabelledRatio} unlabelled batches per labelled one), where the teacher's features and logits are its only targets.`,
    )
    .image({ ...mosaic(s.seed), colormap: 'gray' }, { title: 'Two examples per class (columns in class order)', displayWidth: 660 });
  const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;
  report
    .addSection(
      'Results',
      `Test accuracy on ${s.testImages} images; agreement = share of test images where the model predicts the teacher's class. ` +
        `Both students take the same ${studentSteps} optimizer steps on the same labelled images with the same schedule and initial weights; ` +
        "a KD step costs more (it also runs the student on the unlabelled batches), hence its longer 'train s'. " +
        'ONNX columns run the exported file in ONNX Runtime; TF.js columns run the trained model on the selected backend.',
    )
    .table(
      rows.map((r) => ({
        model: r.model,
        params: r.params,
        'test accuracy': pct(r.accuracy),
        'agreement with teacher': pct(r.agreement),
        'labelled images': r.labels,
        'train s': r.trainSeconds,
        'ORT ms (b1)': r.onnxMs1,
        'ORT ms (b32)': r.onnxMs32,
        [`TF.js ${backend} ms (b1)`]: r.tfjsMs1,
        [`TF.js ${backend} ms (b32)`]: r.tfjsMs32,
        'ONNX accuracy': pct(r.onnxAccuracy),
        'max |Δ logit| ONNX vs TF.js': r.onnxMaxAbsDiff,
      })),
      { title: 'Teacher vs students', digits: 3 },
    )
    .barChart({ title: 'Test accuracy', categories: rows.map((r) => r.model), values: rows.map((r) => r.accuracy), yLabel: 'accuracy' })
    .barChart(latencyChart(rows, 1, backend))
    .barChart(latencyChart(rows, 32, backend));
  const epochsX = Array.from({ length: s.studentEpochs }, (_, i) => i + 1);
  report
    .addSection('Training', 'Epoch means of every loss term (`loss/<term>`, unlabelled-stream terms as `loss/unlabelled/<term>`) and validation curves.')
    .lineChart({
      title: 'Validation accuracy of the students',
      x: epochsX,
      xLabel: 'epoch',
      yLabel: 'accuracy',
      series: {
        'student (KD)': kd.history.history['val/accuracy'] ?? [],
        'student (scratch)': scratch.history.history['val/accuracy'] ?? [],
        'teacher (final)': epochsX.map(() => teacher.history.history['val/accuracy']?.at(-1)),
      },
    });
  for (const t of trained) {
    const keys = Object.keys(t.history.history).filter((k) => /^(val\/)?loss(\/|$)/.test(k));
    report.lossCurves(t.history, { title: `${t.model}: loss terms`, keys, logY: true });
  }
  return report.write();
}

/**
 * Runs the whole demo and writes `report.html` (plus PNG copies of its plots), three JSONL training
 * logs and three ONNX files under `outDir`. Deterministic for a given seed and backend, except the
 * latencies (wall-clock medians). Frees every tensor it creates.
 */
export async function runDistillDemo(options: DistillDemoOptions = {}): Promise<DistillDemoResult> {
  const t0 = performance.now();
  const s = settingsOf(options);
  const sel = await selectBackend(options.backend ? { force: options.backend } : {});
  await mkdir(s.outDir, { recursive: true });
  const logs = ['teacher', 'student-kd', 'student-scratch'].map((n) => join(s.outDir, `${n}.jsonl`));
  // jsonlLog appends, and an earlier report may have had other plots: start from a clean slate.
  const stalePngs = (await readdir(s.outDir)).filter((f) => /^report-(plot|image)-\d+-[\w-]*\.png$/.test(f)).map((f) => join(s.outDir, f));
  await Promise.all([...logs, ...stalePngs].map((f) => rm(f, { force: true })));
  const data = makeData(s);
  const owned: tf.LayersModel[] = [];
  try {
    const trained = await trainModels(s, data, logs, owned);
    const rows = await measureModels(s, trained, data.test);
    const report = await writeReport(s, sel.name, describeSelection(sel).split('\n').join('; '), rows, trained);
    const histories = Object.fromEntries(trained.map((t) => [t.model, t.history])) as DistillDemoResult['histories'];
    return { backend: sel.name, rows, compression: rows[0]!.params / rows[1]!.params, report, logs, histories, seconds: (performance.now() - t0) / 1000 };
  } finally {
    for (const m of owned) m.dispose();
    data.test.images.dispose();
  }
}

/** The summary table printed on stdout. */
export function formatSummary(result: DistillDemoResult): string {
  const header = ['model', 'params', 'labels', 'train s', 'test acc', 'agree', 'ORT b1 ms', 'ORT b32 ms', 'TF.js b1 ms', 'TF.js b32 ms'];
  const body = result.rows.map((r) => [
    r.model,
    String(r.params),
    String(r.labels),
    r.trainSeconds.toFixed(1),
    `${(100 * r.accuracy).toFixed(1)}%`,
    `${(100 * r.agreement).toFixed(1)}%`,
    r.onnxMs1.toFixed(2),
    r.onnxMs32.toFixed(2),
    r.tfjsMs1.toFixed(2),
    r.tfjsMs32.toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runDistillDemo({ progress: true });
  const [teacher, kd, scratch] = result.rows;
  console.log(`backend: ${result.backend}; compression ${result.compression.toFixed(1)}× fewer parameters; ${result.seconds.toFixed(0)} s in all`);
  console.log(formatSummary(result));
  console.log(`report: ${result.report.html}`);
  const gap = (r: ModelSummary): number => Math.abs(teacher!.accuracy - r.accuracy);
  if (!(gap(kd!) < gap(scratch!))) {
    console.error('distill-demo: the KD student is not closer to the teacher than the scratch student');
    process.exitCode = 1;
  }
}
