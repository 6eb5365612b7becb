// The distillation demo's pipeline at a tiny size (a few steps per model): every stage runs and leaves
// what the demo promises — report files, loadable ONNX files with TF.js parity, logs and the summary.
import * as tf from '@tensorflow/tfjs';
import { expectNoLeak } from '@lossworks/testing';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatSummary, runDistillDemo, type DistillDemoResult } from '../examples/distill-demo.js';
import { STUDENT_WIDTHS, TEACHER_WIDTHS, convNet } from '../examples/distill-demo/models.js';
import { SHAPE_CLASSES, SIZE, shapeImage } from '../examples/distill-demo/shapes.js';
import { OnnxPredictor, readJsonlLog, type BackendName } from '../src/index.js';

const root = await mkdtemp(join(tmpdir(), 'lw-distill-demo-'));
afterAll(() => rm(root, { recursive: true, force: true }));

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

describe('distill demo task and models', () => {
  it('generates the same standardised image for the same seed and index, and other images otherwise', () => {
    const a = shapeImage(3, 17);
    expect(a.label).toBe(7);
    expect(a.pixels.length).toBe(SIZE * SIZE);
    expect(shapeImage(3, 17).pixels).toEqual(a.pixels);
    expect(shapeImage(4, 17).pixels).not.toEqual(a.pixels);
    const mean = a.pixels.reduce((s, v) => s + v, 0) / a.pixels.length;
    const sd = Math.sqrt(a.pixels.reduce((s, v) => s + (v - mean) ** 2, 0) / a.pixels.length);
    // float32 sums of 1024 values: 1e-4 is far above rounding and far below any unstandardised image.
    expect(Math.abs(mean)).toBeLessThan(1e-4);
    expect(Math.abs(sd - 1)).toBeLessThan(1e-4);
    expect(() => shapeImage(0, 0, SHAPE_CLASSES.length)).toThrow(/label must be 0–9/);
  });

  it('the student has at least 5× fewer parameters than the teacher', () => {
    const t = convNet('count_teacher', TEACHER_WIDTHS, 0);
    const s = convNet('count_student', STUDENT_WIDTHS, 0);
    expect(t.countParams() / s.countParams()).toBeGreaterThanOrEqual(5);
    t.dispose();
    s.dispose();
  });
});

describe('runDistillDemo at a tiny size', () => {
  let result: DistillDemoResult;
  const outDir = join(root, 'run');

  it('trains, distils, exports and reports without leaking tensors', async () => {
    const backend = (process.env.LOSSWORKS_TEST_BACKEND ?? 'cpu') as BackendName;
    // Left over from an earlier report with more plots: the run removes it.
    await mkdir(outDir, { recursive: true });
    await writeFile(join(outDir, 'report-plot-09-old-chart.png'), new Uint8Array(PNG));
    result = await expectNoLeak(() =>
      runDistillDemo({
        outDir,
        backend,
        seed: 1,
        trainImages: 30,
        studentLabels: 10,
        valImages: 10,
        testImages: 40,
        teacherEpochs: 1,
        studentEpochs: 2,
        batchSize: 10,
        latency: { warmup: 1, repeats: 2 },
        // Narrow nets: the cpu backend's conv gradients are slow (the defaults take ~1 min here).
        widths: { teacher: [4, 8, 8, 16, 16], student: [2, 4, 4, 4, 4] },
      }),
    );
    expect(result.backend).toBe(backend);
    expect(tf.getBackend()).toBe(backend);
  });

  it('summarises teacher, KD student and scratch student', () => {
    expect(result.rows.map((r) => r.model)).toEqual(['teacher', 'student (KD)', 'student (scratch)']);
    const [teacher, kd, scratch] = result.rows;
    expect(result.compression).toBe(teacher!.params / kd!.params);
    expect(result.compression).toBeGreaterThanOrEqual(5);
    expect(kd!.params).toBe(scratch!.params);
    expect(teacher!.agreement).toBe(1);
    expect([teacher!.labels, kd!.labels, scratch!.labels]).toEqual([30, 10, 10]);
    for (const r of result.rows) {
      for (const v of [r.accuracy, r.agreement, r.onnxAccuracy]) expect(v >= 0 && v <= 1).toBe(true);
      for (const ms of [r.onnxMs1, r.onnxMs32, r.tfjsMs1, r.tfjsMs32, r.trainSeconds]) expect(Number.isFinite(ms) && ms > 0).toBe(true);
      // The ONNX parity bound (1e-4) on the logits of 32 test images.
      expect(r.onnxMaxAbsDiff).toBeLessThan(1e-4);
    }
    const table = formatSummary(result);
    for (const word of ['teacher', 'student (KD)', 'student (scratch)', 'params', 'ORT b1 ms', 'ORT b32 ms', 'TF.js b1 ms', 'TF.js b32 ms']) expect(table).toContain(word);
    expect(table.split('\n')).toHaveLength(5);
  });

  it('logs every loss term, with the distillation terms only for the KD student', async () => {
    const kd = result.histories['student (KD)'].history;
    for (const k of ['loss/cce', 'loss/feat', 'loss/kd', 'loss/unlabelled/feat', 'loss/unlabelled/kd', 'val/accuracy']) expect(kd[k], k).toHaveLength(2);
    const scratch = Object.keys(result.histories['student (scratch)'].history);
    expect(scratch.filter((k) => /feat|kd|unlabelled/.test(k))).toEqual([]);
    const rows = await readJsonlLog(result.logs[1]!);
    expect(rows.map((r) => r.epoch)).toEqual([0, 1]);
    expect(rows[1]!['loss/kd']).toBeCloseTo(kd['loss/kd']![1]!, 6);
  });

  it('writes a self-contained HTML report with PNG copies of its plots', async () => {
    const html = await readFile(result.report.html, 'utf8');
    expect(html).toContain('Teacher vs students');
    expect(html).toContain('student (scratch)');
    expect(html).not.toMatch(/<script[^>]+src=/);
    // Accuracy, two latency charts, student validation accuracy, one loss chart per model.
    expect(result.report.plots).toHaveLength(7);
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(7);
    const pngs = (await readdir(outDir)).filter((f) => f.endsWith('.png'));
    expect(pngs.sort()).toEqual([...result.report.plots, ...result.report.images].map((f) => f.slice(outDir.length + 1)).sort());
    for (const f of [...result.report.plots, ...result.report.images]) {
      expect([...(await readFile(f)).subarray(0, 8)]).toEqual(PNG);
    }
  });

  it('exports ONNX files that OnnxPredictor loads and runs', async () => {
    const kd = result.rows[1]!;
    expect((await stat(kd.onnxFile)).size).toBeGreaterThan(0);
    const predictor = await OnnxPredictor.load(kd.onnxFile);
    try {
      expect(predictor.inputNames).toEqual(['image']);
      expect(predictor.outputNames).toEqual(['logits']);
      const out = await predictor.run({ data: shapeImage(1, 0).pixels, shape: [1, SIZE, SIZE, 1] });
      expect(out.logits!.shape).toEqual([1, SHAPE_CLASSES.length]);
      expect(out.logits!.data.every(Number.isFinite)).toBe(true);
    } finally {
      await predictor.dispose();
    }
  });
});
