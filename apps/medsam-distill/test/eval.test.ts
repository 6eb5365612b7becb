// Eval wiring: per-image metrics through the core-losses registry, the whole run command (every stage,
// eval, report) on a tiny synthetic run, export, predict, and the "missing, skipped" real-data path.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportCommand } from '../src/commands/export.js';
import { parsePrompts, predictCommand } from '../src/commands/predict.js';
import { runCommand, type RunResult } from '../src/commands/run.js';
import { encodeImage } from '../src/data/index.js';
import { meanScores, scoreImage } from '../src/eval/metrics.js';
import { overlayStrip } from '../src/eval/overlay.js';
import { binSteps } from '../src/report/report.js';
import { FILES } from '../src/train/stages.js';
import { quietIo, tempDir, tinyRun } from './helpers.js';

function square(size: number, x0: number, y0: number, side: number): Uint8Array {
  const m = new Uint8Array(size * size);
  for (let y = y0; y < y0 + side; y++) for (let x = x0; x < x0 + side; x++) m[y * size + x] = 1;
  return m;
}

const logits = (m: Uint8Array) => Float32Array.from(m, (v) => (v ? 3 : -3));

describe('metrics', () => {
  it('Dice, IoU and HD95 of hard masks on the valid region (closed forms)', () => {
    const truth = square(16, 2, 2, 6); // 36 pixels
    expect(scoreImage(truth, logits(truth), 16, 12, 12)).toEqual({ dice: 1, iou: 1, hd95: 0 });
    // Shifted by one column: overlap 30, union 42.
    const s = scoreImage(truth, logits(square(16, 3, 2, 6)), 16, 12, 12);
    expect(s.dice).toBeCloseTo((2 * 30) / 72, 6);
    expect(s.iou).toBeCloseTo(30 / 42, 6);
    expect(s.hd95).toBeCloseTo(1, 6);
    // Predictions in the padding (outside the 12 × 12 valid region) do not count.
    const padded = logits(truth);
    for (let y = 12; y < 16; y++) for (let x = 0; x < 16; x++) padded[y * 16 + x] = 5;
    expect(scoreImage(truth, padded, 16, 12, 12)).toEqual({ dice: 1, iou: 1, hd95: 0 });
    // Empty truth, non-empty prediction: Dice 0 and HD95 the diagonal of the valid region.
    const empty = scoreImage(new Uint8Array(256), logits(truth), 16, 12, 12);
    expect(empty.dice).toBe(0);
    expect(empty.hd95).toBeCloseTo(Math.hypot(12, 12), 4);
    expect(meanScores([s, { dice: 1, iou: 1, hd95: 0 }])).toEqual({ dice: (s.dice + 1) / 2, iou: (s.iou + 1) / 2, hd95: s.hd95 / 2, n: 2 });
    expect(meanScores([]).n).toBe(0);
  });

  it('training curves: step rows averaged in consecutive bins', () => {
    const rows = Array.from({ length: 10 }, (_, i) => ({ type: 'step', step: i + 1, loss: i, 'loss/dice': 2 * i, lr: 1 }));
    expect(binSteps(rows, 4)).toEqual([
      { step: 3, loss: 1, 'loss/dice': 2 },
      { step: 6, loss: 4, 'loss/dice': 8 },
      { step: 9, loss: 7, 'loss/dice': 14 },
      { step: 10, loss: 9, 'loss/dice': 18 },
    ]);
  });

  it('prompt parsing: box corners get labels 2 and 3, points keep theirs; bad input is a usage error', () => {
    expect(parsePrompts('1,2,30,40', '5,6,1;7,8,0')).toEqual({ coords: [[1, 2], [30, 40], [5, 6], [7, 8]], labels: [2, 3, 1, 0] });
    expect(() => parsePrompts('1,2,3', undefined)).toThrow(/--box must be 4 comma-separated numbers/);
    expect(() => parsePrompts('5,5,1,1', undefined)).toThrow(/x0 ≤ x1/);
    expect(() => parsePrompts(undefined, '1,2,5')).toThrow(/labels must be 0/);
    expect(() => parsePrompts(undefined, undefined)).toThrow(/give a --box/);
  });
});

describe('run, eval, report, export, predict on a tiny synthetic run', () => {
  let dir: string;
  let remove: () => Promise<void>;
  let result: RunResult;
  let out: string;

  beforeAll(async () => {
    ({ dir, remove } = await tempDir());
    const { file, config } = await tinyRun(dir);
    out = config.out!;
    const r = await runCommand({ config: file, backend: 'cpu' }, quietIo);
    if ('skipped' in r) throw new Error('unexpected skip');
    result = r;
  });
  afterAll(async () => remove());

  it('evaluates all three models per dataset, with sizes, MACs, latencies and ONNX parity', () => {
    const ev = result.eval;
    expect(ev.models.map((m) => m.name)).toEqual(['teacher', 'student-kd', 'student-scratch']);
    expect(ev.datasets).toEqual(['synthetic-endo', 'synthetic-us']);
    for (const m of ev.models) {
      for (const ds of ev.datasets) {
        const s = m.perDataset[ds]!;
        expect(s.n).toBe(ev.testImages[ds]);
        expect(s.dice).toBeGreaterThanOrEqual(0);
        expect(s.dice).toBeLessThanOrEqual(1);
        expect(s.iou).toBeLessThanOrEqual(s.dice + 1e-6); // IoU ≤ Dice for every image, so for means too
      }
      expect(m.latencyMs.tfjs).toBeGreaterThan(0);
      expect(m.latencyMs.onnx).toBeGreaterThan(0);
      // Exported model vs TF.js on the same image (float32, different kernels).
      expect(m.onnxMaxAbsDiff!).toBeLessThan(1e-3);
      expect(existsSync(m.onnxFile!)).toBe(true);
      expect(m.macs.total).toBe(m.macs.encoder + m.macs.decoder);
    }
    const [t, kd, sc] = ev.models;
    expect(kd!.params.total).toBe(sc!.params.total);
    expect(ev.acceptance.paramRatio).toBeCloseTo(t!.params.total / kd!.params.total, 10);
    expect(ev.acceptance.kdBeatsScratch).toBe(kd!.meanOverDatasets.dice > sc!.meanOverDatasets.dice);
    expect(JSON.parse(readFileSync(join(out, 'eval', 'eval.json'), 'utf8')).models.length).toBe(3);
    expect(result.stages.map((s) => s.stage)).toEqual(['teacher', 'distill', 'finetune', 'scratch']);
  });

  it('writes the report with every model per dataset, overlays and the latency chart', () => {
    const html = readFileSync(result.report.html, 'utf8');
    for (const label of ['Teacher (ViT)', 'KD student (CNN)', 'Scratch student (CNN)', 'synthetic-endo', 'synthetic-us', 'Per-image latency']) expect(html).toContain(label);
    expect(result.report.images.length).toBe(2); // one overlay per dataset (eval.overlays = 1)
    expect(result.report.plots.some((p) => p.includes('latency'))).toBe(true);
    expect(result.report.plots.filter((p) => p.includes('loss-terms')).length).toBe(4); // teacher, distill, finetune, scratch
  });

  it('overlay strips: image, truth and one panel per model', async () => {
    const png = readFileSync(join(out, result.eval.overlays['synthetic-us']![0]!));
    const meta = await sharp(png).metadata();
    expect(meta.format).toBe('png');
    const strip = overlayStrip({ id: 'x', dataset: 'synthetic-us', group: 'x', image: new Float32Array(8 * 8 * 3), mask: square(8, 1, 1, 3), size: 8, validWidth: 6, validHeight: 5, originalWidth: 6, originalHeight: 5 }, [1, 1, 3, 3], [{ name: 'teacher', mask: square(8, 1, 1, 3) }]);
    expect([strip.width, strip.height]).toEqual([3 * 6 + 2 * 2, 5]);
  });

  it('exports the KD student to ONNX', async () => {
    const r = await exportCommand({ config: join(dir, 'config.json'), model: 'student-kd', output: join(dir, 'exported') }, quietIo);
    expect(r.files.length).toBe(1);
    expect(existsSync(join(dir, 'exported', 'student-kd.onnx'))).toBe(true);
    expect(r.files[0]!.inputs.map((i) => i.name)).toEqual(['image', 'point_coords', 'point_labels']);
    expect(r.files[0]!.outputs.map((o) => o.name)).toEqual(['masks', 'iou_predictions']);
  });

  it('predict: image + box → a 0/255 PNG mask at the image size', async () => {
    await mkdir(join(dir, 'img'), { recursive: true });
    const w = 50;
    const h = 40;
    const rgb = new Uint8Array(w * h * 3).map((_, i) => (i * 7) % 251);
    const image = join(dir, 'img', 'in.png');
    await sharp(await encodeImage(rgb, w, h, 3, { format: 'png' })).toFile(image);
    const output = join(dir, 'img', 'mask.png');
    const r = await predictCommand({ model: FILES.studentKd(out), image, box: '5,5,30,25', output, backend: 'cpu' }, quietIo);
    expect(r.output).toBe(output);
    const { data, info } = await sharp(output).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([w, h]);
    const values = new Set(Array.from(data).filter((_, i) => i % info.channels === 0));
    for (const v of values) expect([0, 255]).toContain(v);
    expect(r.foreground).toBe(Array.from(data).filter((v, i) => i % info.channels === 0 && v === 255).length);
  });
});

describe('real-data runs without the shared data', () => {
  it('say "missing, skipped" and return (exit 0)', async () => {
    const { dir, remove } = await tempDir();
    const saved = process.env.LOSSWORKS_SHARED_DATA;
    process.env.LOSSWORKS_SHARED_DATA = join(dir, 'nowhere');
    try {
      const { file } = await tinyRun(dir, { data: { source: 'real', sets: ['medseg-hc18', 'medseg-busi'] } });
      const lines: string[] = [];
      const io = { ...quietIo, stderr: { write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream };
      const r = await runCommand({ config: file, backend: 'cpu' }, io);
      expect(r).toMatchObject({ skipped: true, missing: ['medseg-hc18', 'medseg-busi'] });
      expect(lines.join('')).toContain('medseg-hc18, medseg-busi: missing, skipped');
    } finally {
      if (saved === undefined) delete process.env.LOSSWORKS_SHARED_DATA;
      else process.env.LOSSWORKS_SHARED_DATA = saved;
      await remove();
    }
  });
});
