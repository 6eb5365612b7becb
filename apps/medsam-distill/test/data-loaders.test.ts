// Each loader on tiny files generated here, in its official layout (never the shared real data).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '@lossworks/core-train';
import {
  binarizeMask,
  iteratePairs,
  listBusi,
  listDataset,
  listHc18,
  listIsic2017,
  listKvasirSeg,
  loadBusi,
  loadDataset,
  loadHc18,
  loadIsic2017,
  loadKvasirSeg,
  readPair,
} from '../src/data/datasets/index.js';
import { rasterizeEllipse } from '../src/data/ellipse.js';
import { maskIoU } from '../src/data/mask-ops.js';
import { resizeMask } from '../src/data/preprocess.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'medsam-loaders-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function dir(...parts: string[]): Promise<string> {
  const d = join(root, ...parts);
  await mkdir(d, { recursive: true });
  return d;
}

/** A smooth RGB test image (distinct values per pixel). */
function rgbImage(w: number, h: number, seed = 0): Uint8Array {
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = 3 * (y * w + x);
      out[i] = (x * 5 + seed * 17) % 256;
      out[i + 1] = (y * 7 + 40) % 256;
      out[i + 2] = (x + y + 90) % 256;
    }
  }
  return out;
}

function disk(w: number, h: number, cx: number, cy: number, r: number): Uint8Array {
  return rasterizeEllipse({ cx, cy, rx: r, ry: r, angle: 0 }, w, h);
}

function to255(mask: Uint8Array): Uint8Array {
  return mask.map((v) => (v ? 255 : 0));
}

async function writeRgb(file: string, data: Uint8Array, w: number, h: number, format: 'jpg' | 'png'): Promise<void> {
  const img = sharp(data, { raw: { width: w, height: h, channels: 3 } });
  await (format === 'jpg' ? img.jpeg({ quality: 90 }) : img.png()).toFile(file);
}

async function writeGray(file: string, data: Uint8Array, w: number, h: number, format: 'jpg' | 'png', quality = 75): Promise<void> {
  const img = sharp(data, { raw: { width: w, height: h, channels: 1 } });
  await (format === 'jpg' ? img.jpeg({ quality }) : img.png()).toFile(file);
}

/** The expected preprocessed mask of a full-resolution 0/1 mask. */
async function expectedMask(mask: Uint8Array, w: number, h: number, size: number): Promise<Uint8Array> {
  const scale = size / Math.max(w, h);
  const nw = Math.floor(w * scale + 0.5);
  const nh = Math.floor(h * scale + 0.5);
  const small = await resizeMask(mask, w, h, nw, nh);
  const out = new Uint8Array(size * size);
  for (let y = 0; y < nh; y++) out.set(small.subarray(y * nw, (y + 1) * nw), y * size);
  return out;
}

describe('Kvasir-SEG loader (images/, masks/ as JPEG, bbox json)', () => {
  const W = 48;
  const H = 40;
  let kv: string;
  const masks: Record<string, Uint8Array> = {};
  beforeAll(async () => {
    kv = await dir('kvasir');
    await dir('kvasir', 'images');
    await dir('kvasir', 'masks');
    const bboxes: Record<string, unknown> = {};
    for (const [k, id] of ['cjb1', 'caa0'].entries()) {
      const m = disk(W, H, 20 + 6 * k, 18, 9 + k);
      masks[id] = m;
      await writeRgb(join(kv, 'images', `${id}.jpg`), rgbImage(W, H, k), W, H, 'jpg');
      await writeGray(join(kv, 'masks', `${id}.jpg`), to255(m), W, H, 'jpg', 60); // lossy: edge noise
      bboxes[id] = { height: H, width: W, bbox: [{ label: 'polyp', xmin: 11, ymin: 9, xmax: 29 + 6 * k, ymax: 27 }] };
    }
    await writeFile(join(kv, 'kavsir_bboxes.json'), JSON.stringify(bboxes));
  });

  it('lists pairs sorted by id, with group = id and the bbox entries', async () => {
    const refs = await listKvasirSeg(kv);
    expect(refs.map((r) => r.id)).toEqual(['kvasir/caa0', 'kvasir/cjb1']);
    expect(refs[0]!.group).toBe('caa0');
    expect(refs[0]!.boxes!.boxes).toEqual([[11, 9, 35, 27]]); // caa0 is k = 1
    expect((await listKvasirSeg(kv, { bboxes: false }))[0]!.boxes).toBeUndefined();
  });

  it('thresholds JPEG masks at 128: the compression noise does not survive', async () => {
    const jpeg = await sharp(join(kv, 'masks', 'caa0.jpg')).raw().toBuffer();
    const noisy = [...jpeg].filter((v) => v !== 0 && v !== 255).length;
    expect(noisy).toBeGreaterThan(0); // the file really is lossy
    const pair = await readPair((await listKvasirSeg(kv))[0]!);
    expect(pair.mask.every((v) => v === 0 || v === 1)).toBe(true);
    // JPEG at quality 60 moves at most a few edge pixels across 128.
    expect(maskIoU(pair.mask, masks.caa0!)).toBeGreaterThan(0.97);
  });

  it('loads preprocessed samples: sizes, padding, boxes in the padded frame', async () => {
    const samples = await loadKvasirSeg(kv, { size: 24 });
    expect(samples).toHaveLength(2);
    const s = samples[0]!;
    expect([s.size, s.validWidth, s.validHeight, s.originalWidth, s.originalHeight]).toEqual([24, 24, 20, 48, 40]);
    expect(s.image).toHaveLength(24 * 24 * 3);
    expect(s.dataset).toBe('kvasir');
    expect(s.source).toBe(join(kv, 'images', 'caa0.jpg'));
    expect(s.boxes![0]).toEqual([5.5, 4.5, 17.5, 13.5]); // × 0.5
    expect(maskIoU(s.mask, await expectedMask(masks.caa0!, W, H, 24))).toBeGreaterThan(0.9);
    expect(samples.map((x) => x.id)).toEqual((await loadKvasirSeg(kv, { size: 24, concurrency: 1 })).map((x) => x.id));
    expect(await loadKvasirSeg(kv, { size: 24, limit: 1 })).toHaveLength(1);
    const streamed: string[] = [];
    for await (const x of iteratePairs(await listKvasirSeg(kv), { size: 24 })) streamed.push(x.id);
    expect(streamed).toEqual(['kvasir/caa0', 'kvasir/cjb1']);
  });

  it('missing mask, corrupt image, size mismatch, bbox size mismatch and non-binary masks are DataErrors naming the file', async () => {
    const bad = await dir('kvasir-bad');
    await dir('kvasir-bad', 'images');
    await dir('kvasir-bad', 'masks');
    await writeRgb(join(bad, 'images', 'a.jpg'), rgbImage(W, H), W, H, 'jpg');
    await expect(listKvasirSeg(bad)).rejects.toThrow(/images\/a\.jpg has no mask/);

    // Corrupt image: a JPEG header followed by garbage.
    await writeFile(join(bad, 'images', 'a.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5, 6, 7]));
    await writeGray(join(bad, 'masks', 'a.jpg'), to255(disk(W, H, 20, 20, 8)), W, H, 'jpg');
    const refs = await listKvasirSeg(bad);
    const err = await readPair(refs[0]!).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).file).toBe(join(bad, 'images', 'a.jpg'));
    expect((err as Error).message).toMatch(/cannot decode image .*images\/a\.jpg/);

    // Size mismatch.
    await writeRgb(join(bad, 'images', 'a.jpg'), rgbImage(W, H), W, H, 'jpg');
    await writeGray(join(bad, 'masks', 'a.jpg'), to255(disk(30, 30, 15, 15, 8)), 30, 30, 'jpg');
    await expect(readPair(refs[0]!)).rejects.toThrow(/masks\/a\.jpg is 30×30 but its image .*images\/a\.jpg is 48×40/);

    // Not binary: a gradient.
    const ramp = new Uint8Array(W * H).map((_, i) => (i % W) * 5);
    await writeGray(join(bad, 'masks', 'a.jpg'), ramp, W, H, 'png');
    await expect(readPair(refs[0]!)).rejects.toThrow(/masks\/a\.jpg is not binary/);

    // The bbox json declares another size.
    await writeGray(join(bad, 'masks', 'a.jpg'), to255(disk(W, H, 20, 20, 8)), W, H, 'jpg');
    await writeFile(join(bad, 'kavsir_bboxes.json'), JSON.stringify({ a: { width: 50, height: 40, bbox: [] } }));
    await expect(readPair((await listKvasirSeg(bad))[0]!)).rejects.toThrow(/kavsir_bboxes\.json lists kvasir\/a as 50×40/);
    await writeFile(join(bad, 'kavsir_bboxes.json'), '{ not json');
    await expect(listKvasirSeg(bad)).rejects.toThrow(DataError);

    await expect(listKvasirSeg(join(root, 'nowhere'))).rejects.toThrow(/cannot read folder .*nowhere\/images/);
  });

  it('binarizeMask reads 0/1 label masks as they are and checks the gray share', () => {
    expect([...binarizeMask(Uint8Array.from([0, 1, 1, 0]), 'm.png')]).toEqual([0, 1, 1, 0]);
    expect([...binarizeMask(Uint8Array.from([0, 127, 128, 255]), 'm.png', { maxGrayFraction: 0.5 })]).toEqual([0, 0, 1, 1]);
    expect(() => binarizeMask(Uint8Array.from([0, 127, 128, 255]), 'm.png')).toThrow(/m\.png is not binary: 50\.0%/);
  });
});

describe('BUSI loader (class folders, _mask and _mask_1 united)', () => {
  const W = 40;
  const H = 32;
  let busi: string;
  const a = disk(W, H, 10, 10, 6);
  const b = disk(W, H, 28, 20, 5);
  beforeAll(async () => {
    busi = await dir('busi');
    const benign = await dir('busi', 'benign');
    const normal = await dir('busi', 'normal');
    await writeRgb(join(benign, 'benign (3).png'), rgbImage(W, H), W, H, 'png');
    // 1-bit PNGs, as some BUSI masks are.
    await sharp(to255(a), { raw: { width: W, height: H, channels: 1 } }).png({ palette: true, colours: 2 }).toFile(join(benign, 'benign (3)_mask.png'));
    await writeGray(join(benign, 'benign (3)_mask_1.png'), to255(b), W, H, 'png');
    await writeRgb(join(normal, 'normal (1).png'), rgbImage(W, H, 2), W, H, 'png');
    await writeGray(join(normal, 'normal (1)_mask.png'), new Uint8Array(W * H), W, H, 'png');
  });

  it('lists both classes, masks sorted, class as label', async () => {
    const refs = await listBusi(busi);
    expect(refs.map((r) => [r.id, r.label, r.group, r.maskFiles.length])).toEqual([
      ['busi/benign/benign (3)', 'benign', 'benign (3)', 2],
      ['busi/normal/normal (1)', 'normal', 'normal (1)', 1],
    ]);
    expect(refs[0]!.maskFiles[0]).toMatch(/_mask\.png$/);
    expect(await listBusi(busi, { classes: ['normal'] })).toHaveLength(1);
    await expect(listBusi(busi, { classes: ['malignant'] })).rejects.toThrow(/class folder\(s\) .*malignant missing/);
  });

  it('unites _mask and _mask_1 (logical OR); normal masks are empty', async () => {
    const [benign, normal] = await Promise.all((await listBusi(busi)).map((r) => readPair(r)));
    const union = a.map((v, i) => v | b[i]!);
    expect(maskIoU(benign!.mask, union)).toBe(1);
    expect(normal!.mask.every((v) => v === 0)).toBe(true);
    const samples = await loadBusi(busi, { size: 20 });
    expect(samples[1]!.label).toBe('normal');
    expect(samples[1]!.mask.every((v) => v === 0)).toBe(true);
  });

  it('an image without _mask.png is a DataError naming it', async () => {
    const d = await dir('busi-bad', 'malignant');
    await writeRgb(join(d, 'malignant (9).png'), rgbImage(W, H), W, H, 'png');
    await expect(listBusi(join(root, 'busi-bad'))).rejects.toThrow(/malignant \(9\)\.png has no mask .*malignant \(9\)_mask\.png/);
    await expect(listBusi(join(root, 'kvasir'))).rejects.toThrow(/has none of the class folders/);
  });
});

describe('HC18 loader (outline annotations filled)', () => {
  const W = 80;
  const H = 54;
  const head = rasterizeEllipse({ cx: 40, cy: 26, rx: 25, ry: 18, angle: 0.3 }, W, H);
  const outline = head.map((v, i) => {
    const x = i % W;
    const y = Math.floor(i / W);
    const out = (xx: number, yy: number) => xx >= 0 && yy >= 0 && xx < W && yy < H && !head[yy * W + xx];
    return v && (out(x - 1, y) || out(x + 1, y) || out(x, y - 1) || out(x, y + 1)) ? 1 : 0;
  });
  const gray = new Uint8Array(W * H).map((_, i) => 60 + (i % 50));

  it('reads split folders (images/ + annotations_outline/) and groups frames by subject', async () => {
    const d = await dir('hc18');
    const images = await dir('hc18', 'images');
    const ann = await dir('hc18', 'annotations_outline');
    for (const id of ['010_HC', '010_2HC', '011_HC']) {
      await writeGray(join(images, `${id}.png`), gray, W, H, 'png');
      await writeGray(join(ann, `${id}_Annotation.png`), to255(outline), W, H, 'png');
    }
    const refs = await listHc18(d);
    expect(refs.map((r) => [r.id, r.group])).toEqual([
      ['hc18/010_2HC', '010'],
      ['hc18/010_HC', '010'],
      ['hc18/011_HC', '011'],
    ]);
    const pair = await readPair(refs[0]!);
    expect(maskIoU(pair.mask, head)).toBeGreaterThanOrEqual(0.97);
    // Grayscale PNG → 3 equal channels.
    expect(pair.image.data.length).toBe(W * H * 3);
    expect(pair.image.data[3 * 7]).toBe(gray[7]);
    expect(pair.image.data[3 * 7 + 2]).toBe(gray[7]);
  });

  it('reads the official training_set/ layout (images and annotations side by side)', async () => {
    const d = await dir('hc18-official');
    const ts = await dir('hc18-official', 'training_set');
    await writeGray(join(ts, '005_HC.png'), gray, W, H, 'png');
    await writeGray(join(ts, '005_HC_Annotation.png'), to255(outline), W, H, 'png');
    const samples = await loadHc18(d, { size: 40 });
    expect(samples.map((s) => [s.id, s.group, s.validWidth, s.validHeight])).toEqual([['hc18/005_HC', '005', 40, 27]]);
    expect(samples[0]!.mask.reduce((a, b) => a + b, 0)).toBeGreaterThan(250); // ≈ π·12.5·9 = 353 pixels
  });

  it('an image without annotation, and an empty annotation, are DataErrors naming the file', async () => {
    const d = await dir('hc18-bad', 'training_set');
    await writeGray(join(d, '007_HC.png'), gray, W, H, 'png');
    await expect(listHc18(join(root, 'hc18-bad'))).rejects.toThrow(/007_HC\.png has no annotation .*007_HC_Annotation\.png/);
    await writeGray(join(d, '007_HC_Annotation.png'), new Uint8Array(W * H), W, H, 'png');
    await expect(readPair((await listHc18(join(root, 'hc18-bad')))[0]!)).rejects.toThrow(/007_HC_Annotation\.png has no outline pixels/);
  });
});

describe('ISIC 2017 loader', () => {
  const W = 36;
  const H = 30;
  const lesion = disk(W, H, 18, 15, 8);

  it('reads the official Training_Data / Part1_GroundTruth folders and ignores superpixel files', async () => {
    const d = await dir('isic');
    const data = await dir('isic', 'ISIC-2017_Training_Data');
    const gt = await dir('isic', 'ISIC-2017_Training_Part1_GroundTruth');
    for (const id of ['ISIC_0000001', 'ISIC_0000000']) {
      await writeRgb(join(data, `${id}.jpg`), rgbImage(W, H), W, H, 'jpg');
      await writeGray(join(data, `${id}_superpixels.png`), new Uint8Array(W * H).fill(7), W, H, 'png');
      await writeGray(join(gt, `${id}_segmentation.png`), to255(lesion), W, H, 'png');
    }
    const refs = await listIsic2017(d);
    expect(refs.map((r) => [r.id, r.group])).toEqual([
      ['isic/ISIC_0000000', 'ISIC_0000000'],
      ['isic/ISIC_0000001', 'ISIC_0000001'],
    ]);
    expect(maskIoU((await readPair(refs[1]!)).mask, lesion)).toBe(1);
    await expect(listIsic2017(d, { split: 'Validation' })).rejects.toThrow(DataError);
    const samples = await loadDataset('isic', d, { size: 18 });
    expect(samples.map((s) => [s.dataset, s.validWidth, s.validHeight])).toEqual([
      ['isic', 18, 15],
      ['isic', 18, 15],
    ]);
  });

  it('reads images and masks in one folder, and names a missing mask', async () => {
    const d = await dir('isic-flat');
    await writeRgb(join(d, 'ISIC_0000042.jpg'), rgbImage(W, H), W, H, 'jpg');
    await writeGray(join(d, 'ISIC_0000042_segmentation.png'), to255(lesion), W, H, 'png');
    expect((await loadIsic2017(d, { size: 12 })).map((s) => s.id)).toEqual(['isic/ISIC_0000042']);
    await writeRgb(join(d, 'ISIC_0000043.jpg'), rgbImage(W, H), W, H, 'jpg');
    await expect(listIsic2017(d)).rejects.toThrow(/ISIC_0000043\.jpg has no mask .*ISIC_0000043_segmentation\.png/);
  });

  it('listDataset dispatches by layout and rejects unknown ones', async () => {
    expect((await listDataset('kvasir', join(root, 'kvasir'))).length).toBe(2);
    await expect(listDataset('nope' as 'kvasir', root)).rejects.toThrow(/unknown layout 'nope'/);
    await expect(loadDataset('kvasir', join(root, 'kvasir'), { size: 0 })).rejects.toThrow(/'size' must be a positive integer/);
  });
});
