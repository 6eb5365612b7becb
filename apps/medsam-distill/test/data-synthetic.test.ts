import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as tf from '@tensorflow/tfjs';
import { collate, disposeBatch, Rng } from '@lossworks/core-train';
import { expectNoLeak } from '@lossworks/testing';
import { loadKvasirSeg, listKvasirSeg } from '../src/data/datasets/index.js';
import { dilate, maskIoU } from '../src/data/mask-ops.js';
import { preprocessPair } from '../src/data/preprocess.js';
import { boxPrompt, pointPrompts } from '../src/data/prompts.js';
import { splitSamples } from '../src/data/split.js';
import { syntheticPair, syntheticPairs, syntheticSamples, type SyntheticKind } from '../src/data/synthetic/index.js';
import { toTrainingSample } from '../src/data/training.js';
import { writeKvasirLayout } from '../src/data/writer.js';

const SMALL = { width: 96 }; // 96 × 67 ultrasound, 96 × 82 endoscopy: fast, still structured

describe('synthetic generator', () => {
  it('is deterministic by seed and index, and different seeds differ', () => {
    for (const kind of ['synthetic-us', 'synthetic-endo'] as SyntheticKind[]) {
      const a = syntheticPair(3, { kind, seed: 1, ...SMALL });
      const b = syntheticPair(3, { kind, seed: 1, ...SMALL });
      expect(Buffer.from(a.image.data).equals(Buffer.from(b.image.data))).toBe(true);
      expect(Buffer.from(a.mask).equals(Buffer.from(b.mask))).toBe(true);
      const c = syntheticPair(3, { kind, seed: 2, ...SMALL });
      expect(Buffer.from(a.image.data).equals(Buffer.from(c.image.data))).toBe(false);
      // Sample i does not depend on how many are drawn.
      expect(syntheticPairs(4, { kind, seed: 1, ...SMALL })[3]!.id).toBe(a.id);
      expect(a.id).toBe(`${kind}/s1-00003`);
    }
  });

  it('gives sized RGB images, gray for ultrasound, with non-empty masks of varying size', () => {
    const us = syntheticPairs(8, { kind: 'synthetic-us', ...SMALL });
    const endo = syntheticPairs(8, { kind: 'synthetic-endo', ...SMALL });
    expect([us[0]!.image.width, us[0]!.image.height, endo[0]!.image.height]).toEqual([96, 67, 82]);
    for (const p of us) {
      for (let i = 0; i < p.mask.length; i += 37) expect(p.image.data[3 * i]).toBe(p.image.data[3 * i + 2]);
      expect(['lesion', 'head']).toContain(p.label);
    }
    const fractions = [...us, ...endo].map((p) => p.mask.reduce((a, b) => a + b, 0) / p.mask.length);
    expect(Math.min(...fractions)).toBeGreaterThan(0.003);
    expect(Math.max(...fractions)).toBeLessThan(0.6);
    expect(Math.max(...fractions) / Math.min(...fractions)).toBeGreaterThan(3); // varying size
  });

  it('masks match the image: the target differs from the ring just outside it', () => {
    // Mean luminance inside the mask vs a 3-pixel ring around it, over several samples at difficulty 0:
    // ultrasound lesions are hypoechoic, heads have a bright rim, polyps shift colour and shading.
    for (const kind of ['synthetic-us', 'synthetic-endo'] as SyntheticKind[]) {
      let differ = 0;
      const n = 6;
      for (const p of syntheticPairs(n, { kind, seed: 4, difficulty: 0, ...SMALL })) {
        const { width: w, height: h } = p.image;
        const ring = dilate(p.mask, w, h, 3).map((v, i) => (v && !p.mask[i] ? 1 : 0));
        const lum = (i: number) => (p.image.data[3 * i]! + p.image.data[3 * i + 1]! + p.image.data[3 * i + 2]!) / 3;
        let si = 0;
        let ni = 0;
        let so = 0;
        let no = 0;
        for (let i = 0; i < w * h; i++) {
          if (p.mask[i]) [si, ni] = [si + lum(i), ni + 1];
          else if (ring[i]) [so, no] = [so + lum(i), no + 1];
        }
        if (Math.abs(si / ni - so / no) > 6) differ++;
      }
      expect(differ).toBeGreaterThanOrEqual(n - 1);
    }
  });

  it('validates options', () => {
    expect(() => syntheticPair(0, { kind: 'synthetic-us', difficulty: 2 })).toThrow(/'difficulty' must be in \[0, 1\]/);
    expect(() => syntheticPair(0, { kind: 'x' as SyntheticKind })).toThrow(/'kind'/);
    expect(() => syntheticPair(-1, { kind: 'synthetic-us' })).toThrow(/'index'/);
    expect(() => syntheticPair(0, { kind: 'synthetic-us', width: 8 })).toThrow(/'width' must be an integer ≥ 16/);
  });
});

describe('Kvasir-layout writer round trip', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'medsam-writer-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('PNG images and masks read back exactly, with ids, groups, labels and boxes', async () => {
    const pairs = syntheticPairs(3, { kind: 'synthetic-us', seed: 5, ...SMALL });
    const dir = join(root, 'png');
    const names = await writeKvasirLayout(dir, pairs, { imageFormat: 'png' });
    expect(names).toEqual(['s5-00000', 's5-00001', 's5-00002']);
    const back = await loadKvasirSeg(dir, { size: 64 });
    for (const [k, p] of pairs.entries()) {
      const want = await preprocessPair(p, 64);
      const got = back[k]!;
      expect([got.id, got.dataset, got.group, got.label]).toEqual([p.id, 'synthetic-us', p.group, p.label]);
      expect(got.image).toEqual(want.image);
      expect(got.mask).toEqual(want.mask);
    }
    const bbox = JSON.parse(await readFile(join(dir, 'kavsir_bboxes.json'), 'utf8')) as Record<string, { bbox: Array<Record<string, number>> }>;
    const refs = await listKvasirSeg(dir);
    expect(refs[0]!.boxes!.boxes[0]).toEqual([bbox['s5-00000']!.bbox[0]!.xmin, bbox['s5-00000']!.bbox[0]!.ymin, bbox['s5-00000']!.bbox[0]!.xmax, bbox['s5-00000']!.bbox[0]!.ymax]);
  });

  it('JPEG masks (the strict Kvasir-SEG layout) read back within a few edge pixels', async () => {
    const pairs = syntheticPairs(2, { kind: 'synthetic-endo', seed: 6, ...SMALL });
    const dir = join(root, 'jpg');
    await writeKvasirLayout(dir, pairs, { maskFormat: 'jpg' });
    const refs = await listKvasirSeg(dir);
    expect(refs.map((r) => r.maskFiles[0]!.endsWith('.jpg'))).toEqual([true, true]);
    const back = await loadKvasirSeg(dir, { size: 96 });
    // Same size (96 wide): no resize, so any difference is JPEG's; threshold 128 keeps IoU ≥ 0.98.
    for (const [k, p] of pairs.entries()) expect(maskIoU(back[k]!.mask, (await preprocessPair(p, 96)).mask)).toBeGreaterThanOrEqual(0.98);
  });

  it('rejects duplicate file names', async () => {
    const p = syntheticPair(0, { kind: 'synthetic-us', ...SMALL });
    await expect(writeKvasirLayout(join(root, 'dup'), [p, { ...p }])).rejects.toThrow(/two pairs map to the file name 's0-00000'/);
  });
});

describe('samples for training', () => {
  it('syntheticSamples are preprocessed; prompts, collate into tensors without leaks', async () => {
    const samples = await syntheticSamples(3, { kind: 'synthetic-endo', size: 48, ...SMALL });
    expect(samples.map((s) => [s.size, s.validWidth, s.validHeight])).toEqual(Array(3).fill([48, 48, 41]));
    const rng = new Rng(1);
    const items = samples.map((s) => toTrainingSample(s, { box: boxPrompt(s, { jitter: 4, rng }), points: pointPrompts(s, { positives: 2, negatives: 2, rng }) }));
    await expectNoLeak(() => {
      const batch = collate(items);
      const x = batch.x as Record<string, tf.Tensor>;
      expect(x.image!.shape).toEqual([3, 48, 48, 3]);
      expect(x.box!.shape).toEqual([3, 4]);
      expect(x.points!.shape).toEqual([3, 4, 2]);
      expect(x.pointLabels!.shape).toEqual([3, 4]);
      expect((batch.y as tf.Tensor).shape).toEqual([3, 48, 48, 1]);
      expect(batch.ids).toEqual(samples.map((s) => s.id));
      const total = (batch.y as tf.Tensor).sum();
      expect(total.arraySync()).toBe(samples.reduce((a, s) => a + s.mask.reduce((p, q) => p + q, 0), 0));
      total.dispose();
      disposeBatch(batch);
    }, 'collate(toTrainingSample)');
  });

  it('splitSamples keeps every group on one side', () => {
    const items = ['010', '010', '011', '012', '012', '013', '014', '015'].map((group, i) => ({ id: `hc18/${i}`, group }));
    const { splits, groups } = splitSamples(items, { fractions: { train: 0.75, test: 0.25 }, seed: 3 });
    expect(splits.train.length + splits.test.length).toBe(items.length);
    expect(groups.train.filter((g) => groups.test.includes(g))).toEqual([]);
    expect(splitSamples(items, { fractions: { train: 0.75, test: 0.25 }, seed: 3 })).toEqual({ splits, groups });
  });
});
