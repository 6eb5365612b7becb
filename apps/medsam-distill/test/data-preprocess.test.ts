import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGray, readRgb } from '../src/data/image-io.js';
import { SAM_PIXEL_MEAN, SAM_PIXEL_STD, denormalizeImage, normalizeAndPad, preprocessPair, resizeMask, resizedShape } from '../src/data/preprocess.js';
import type { RawPair } from '../src/data/types.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'medsam-pre-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A pair with a constant colour, one marked pixel and a mask rectangle. */
function pair(w: number, h: number): RawPair {
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) data.set([100, 150, 200], 3 * i);
  const mask = new Uint8Array(w * h);
  for (let y = 2; y < 8; y++) for (let x = 4; x < 12; x++) mask[y * w + x] = 1;
  return { id: 'test/p', dataset: 'kvasir', group: 'p', image: { data, width: w, height: h }, mask };
}

describe('SAM preprocessing geometry', () => {
  it('resizedShape follows SAM ResizeLongestSide (int(side·S/longest + 0.5))', () => {
    expect(resizedShape(540, 800, 256)).toEqual([173, 256]); // 172.8 → 173
    expect(resizedShape(800, 540, 1024)).toEqual([1024, 691]); // 691.2 → 691
    expect(resizedShape(10, 10, 7)).toEqual([7, 7]);
    expect(() => resizedShape(10, 10, 0)).toThrow(/'size' must be a positive integer/);
  });

  it('keeps the aspect, pads bottom/right with zeros, normalises a known pixel exactly', async () => {
    const s = await preprocessPair(pair(40, 20), 20);
    expect([s.validWidth, s.validHeight, s.originalWidth, s.originalHeight]).toEqual([20, 10, 40, 20]);
    // Inside: (v − mean)/std for the constant colour (bilinear of a constant is that constant).
    const inside = [100, 150, 200].map((v, c) => (v - SAM_PIXEL_MEAN[c]!) / SAM_PIXEL_STD[c]!);
    const at = (x: number, y: number) => [0, 1, 2].map((c) => s.image[3 * (y * 20 + x) + c]!);
    for (const [x, y] of [[0, 0], [19, 9], [7, 4]] as const) at(x, y).forEach((v, c) => expect(v).toBeCloseTo(inside[c]!, 5));
    // Padding: rows 10..19 are 0 in image and mask.
    for (const [x, y] of [[0, 10], [19, 19], [5, 15]] as const) {
      expect(at(x, y)).toEqual([0, 0, 0]);
      expect(s.mask[y * 20 + x]).toBe(0);
    }
    // Mask rectangle x 4..11, y 2..7 at half scale → x 2..5, y 1..3.
    expect(s.mask[2 * 20 + 3]).toBe(1);
    expect(s.mask[2 * 20 + 8]).toBe(0);
    expect(s.mask.reduce((a, b) => a + b, 0)).toBe(12);
    // Denormalising gives the pixels back; the padding shows as the mean colour.
    const rgb = denormalizeImage(s);
    expect([...rgb.subarray(0, 3)]).toEqual([100, 150, 200]);
    expect([...rgb.subarray(3 * 399, 3 * 400)]).toEqual([124, 116, 104]);
  });

  it('a tall image pads on the right', async () => {
    const s = await preprocessPair(pair(12, 24), 12);
    expect([s.validWidth, s.validHeight]).toEqual([6, 12]);
    expect(s.image[3 * (0 * 12 + 7)]).toBe(0);
    expect(s.image[3 * (11 * 12 + 5)]).not.toBe(0);
  });

  it('resizeMask keeps the area of a downsampled mask and stays binary', async () => {
    const w = 64;
    const m = new Uint8Array(w * w);
    for (let y = 8; y < 40; y++) for (let x = 20; x < 52; x++) m[y * w + x] = 1; // 32 × 32, on the 4-pixel grid
    const small = await resizeMask(m, w, w, 16, 16);
    expect(small.every((v) => v === 0 || v === 1)).toBe(true);
    expect(small.reduce((a, b) => a + b, 0)).toBe(64); // 8 × 8
  });

  it('normalizeAndPad rejects an image larger than the frame', () => {
    expect(() => normalizeAndPad({ data: new Uint8Array(30), width: 5, height: 2 }, 4)).toThrow(/does not fit in 4×4/);
  });
});

describe('decoding with sharp', () => {
  it('a grayscale PNG becomes 3 equal channels; readGray gives one', async () => {
    const w = 5;
    const h = 3;
    const gray = Uint8Array.from({ length: w * h }, (_, i) => 10 * i);
    const file = join(root, 'g.png');
    await sharp(gray, { raw: { width: w, height: h, channels: 1 } }).png().toFile(file);
    const rgb = await readRgb(file);
    expect(rgb.data.length).toBe(w * h * 3);
    for (let i = 0; i < w * h; i++) expect([rgb.data[3 * i], rgb.data[3 * i + 1], rgb.data[3 * i + 2]]).toEqual([10 * i, 10 * i, 10 * i]);
    expect([...(await readGray(file)).data]).toEqual([...gray]);
  });

  it('RGBA drops alpha; a coloured mask counts by its strongest channel', async () => {
    const file = join(root, 'rgba.png');
    await sharp(Uint8Array.from([255, 0, 0, 128, 0, 0, 0, 255]), { raw: { width: 2, height: 1, channels: 4 } }).png().toFile(file);
    expect([...(await readRgb(file)).data]).toEqual([255, 0, 0, 0, 0, 0]);
    expect([...(await readGray(file)).data]).toEqual([255, 0]);
  });

  it('a missing file is a DataError naming it', async () => {
    await expect(readRgb(join(root, 'none.png'))).rejects.toThrow(/cannot decode image .*none\.png/);
  });
});
