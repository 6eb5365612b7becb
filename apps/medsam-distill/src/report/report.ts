// The run report (core-train Report): per-dataset segmentation table for all three models, size and
// speed table with a latency chart, the acceptance checks, overlay strips, and training curves.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Report, readJsonlLog, type ReportFiles } from '@lossworks/core-train/report';
import type { Config } from '../config/schema.js';
import { MODEL_LABELS, type EvalResult } from '../eval/evaluate.js';
import { FILES } from '../train/stages.js';

/** Options of {@link writeReport}. */
export interface WriteReportOptions {
  /** Leave the time stamp out (reproducible files, tests). */
  timestamp?: boolean;
}

const fmt = (v: number | null | undefined, digits = 3): string => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));

/**
 * Step rows of a JSONL log averaged into at most `bins` consecutive groups: { step (last of the group),
 * loss, loss/<term> } — a readable curve however many steps ran.
 */
export function binSteps(rows: ReadonlyArray<Record<string, unknown>>, bins: number): Array<Record<string, number>> {
  const size = Math.max(1, Math.ceil(rows.length / bins));
  const out: Array<Record<string, number>> = [];
  for (let i = 0; i < rows.length; i += size) {
    const group = rows.slice(i, i + size);
    const sums = new Map<string, { sum: number; n: number }>();
    for (const row of group) {
      for (const [k, v] of Object.entries(row)) {
        if ((k === 'loss' || k.startsWith('loss/')) && typeof v === 'number' && Number.isFinite(v)) {
          const e = sums.get(k) ?? { sum: 0, n: 0 };
          e.sum += v;
          e.n++;
          sums.set(k, e);
        }
      }
    }
    const last = group[group.length - 1]!;
    out.push({ step: Number(last.step), ...Object.fromEntries([...sums].map(([k, e]) => [k, e.sum / e.n])) });
  }
  return out;
}

/** Writes `<out>/report/report.html` (and PNG copies of plots and overlays) from eval.json and the logs. */
export async function writeReport(config: Config, out: string, result: EvalResult, options: WriteReportOptions = {}): Promise<ReportFiles> {
  const r = new Report({
    title: `medsam-distill: ${config.name}`,
    outDir: join(out, 'report'),
    subtitle: 'SAM-style teacher (ViT encoder) distilled into a CNN student: stage 1 encoder KD (MSE + perceptual), stage 2 decoder fine-tuning (Dice + BCE); control: the same student from scratch (Dice).',
    ...(options.timestamp === false ? { date: null } : {}),
  });
  r.metadata({
    run: config.name,
    data: config.data.source === 'real' ? config.data.sets.join(', ') : `synthetic (${config.data.synthetic.perKind} per kind)`,
    testImages: result.testImages,
    imageSize: result.imageSize,
    embedding: `${config.model.embedDim} × ${config.model.gridSize} × ${config.model.gridSize}`,
    backend: result.backend,
    onnxThreads: result.threads ?? 'default',
    budget: {
      teacherSteps: config.teacher.source === 'train' ? config.teacher.train.steps : 'ONNX teacher',
      distillSteps: config.distill.steps,
      finetuneSteps: config.finetune.steps,
      scratchSteps: config.distill.steps + config.finetune.steps,
    },
    ...(result.missing.length ? { missingSets: result.missing.join(', ') } : {}),
  });

  r.addSection('Segmentation', 'Test split, one tight box prompt per image (from the truth mask), mask = logits ≥ 0, scores on the unpadded region. HD95 in pixels of the S × S frame (the image diagonal when exactly one mask is empty).');
  const rows: unknown[][] = [];
  for (const ds of result.datasets) {
    for (const m of result.models) {
      const s = m.perDataset[ds];
      if (s) rows.push([ds, MODEL_LABELS[m.name], s.dice, s.iou, s.hd95, s.n]);
    }
  }
  for (const m of result.models) rows.push(['mean over datasets', MODEL_LABELS[m.name], m.meanOverDatasets.dice, m.meanOverDatasets.iou, m.meanOverDatasets.hd95, m.overall.n]);
  r.table({ columns: ['dataset', 'model', 'Dice', 'IoU', 'HD95 (px)', 'images'], rows }, { title: 'Per-dataset scores', digits: 4 });
  if (result.models.length) {
    r.barChart({
      title: 'Dice per dataset',
      categories: [...result.datasets, 'mean'],
      values: Object.fromEntries(result.models.map((m) => [MODEL_LABELS[m.name], [...result.datasets.map((ds) => m.perDataset[ds]?.dice ?? 0), m.meanOverDatasets.dice]])),
      yLabel: 'Dice',
    });
  }

  r.addSection('Size and speed', 'Parameters of the whole model (encoder + prompt encoder + decoder). MACs: analytic multiply-accumulates of convolutions, dense layers and attention matrix products for one image with one box (FLOPs ≈ 2 × MACs). Latency: median per-image time of the whole model (batch 1, one box), warm-up excluded, in TF.js and in ONNX Runtime after export; each model is timed in blocks, in three rounds over the models, so changes in machine load affect them alike.');
  r.table(
    {
      columns: ['model', 'params (encoder)', 'params (total)', 'MMACs (encoder)', 'MMACs (total)', 'TF.js ms', 'ONNX Runtime ms', 'ONNX max |Δ|'],
      rows: result.models.map((m) => [
        MODEL_LABELS[m.name],
        m.params.encoder,
        m.params.total,
        m.macs.encoder / 1e6,
        m.macs.total / 1e6,
        m.latencyMs.tfjs,
        m.latencyMs.onnx ?? '–',
        m.onnxMaxAbsDiff ?? (m.onnxError ? `failed: ${m.onnxError}` : '–'),
      ]),
    },
    { title: 'Parameters, compute, latency', digits: 4 },
  );
  if (result.models.length) {
    r.barChart({
      title: 'Per-image latency (median)',
      categories: result.models.map((m) => MODEL_LABELS[m.name]),
      values: {
        [`TF.js (${result.backend})`]: result.models.map((m) => m.latencyMs.tfjs),
        'ONNX Runtime': result.models.map((m) => m.latencyMs.onnx ?? Number.NaN),
      },
      yLabel: 'ms (log scale)',
      logY: true,
    });
  }
  const a = result.acceptance;
  r.addSection(
    'Acceptance',
    [
      `KD student beats scratch student in mean Dice over datasets: ${a.kdBeatsScratch === null ? 'n/a' : a.kdBeatsScratch ? 'yes' : 'NO'} (KD ${fmt(a.meanDice['student-kd'])}, scratch ${fmt(a.meanDice['student-scratch'])}, teacher ${fmt(a.meanDice.teacher)}).`,
      `Teacher / KD student parameters: ${fmt(a.paramRatio, 2)}× (needs ≥ 5).`,
      `Teacher / KD student ONNX Runtime latency: ${fmt(a.onnxSpeedup, 2)}× (needs ≥ 3).`,
    ].join('\n\n'),
  );

  r.addSection('Overlays', 'Each strip: image with the box prompt, truth (green), then teacher (orange), KD student (magenta), scratch student (blue).');
  for (const ds of result.datasets) {
    for (const [k, rel] of (result.overlays[ds] ?? []).entries()) {
      const file = join(out, rel);
      if (existsSync(file)) r.image(new Uint8Array(await readFile(file)), { title: k === 0 ? ds : undefined, displayWidth: 720 });
    }
  }

  const stages = ['teacher', 'distill', 'finetune', 'scratch'] as const;
  const logs = stages.filter((s) => existsSync(FILES.log(out, s)));
  if (logs.length) {
    r.addSection('Training');
    for (const s of logs) {
      const rows = binSteps((await readJsonlLog(FILES.log(out, s))).filter((row) => row.type === 'step'), 60);
      if (rows.length > 1) r.lossCurves(rows, { title: `Loss terms: ${s}`, logY: true });
    }
  }
  return r.write();
}
