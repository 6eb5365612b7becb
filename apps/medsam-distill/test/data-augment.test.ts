import { describe, expect, it } from 'vitest';
import { Rng } from '@lossworks/core-train';
import { augment, type AugmentOptions } from '../src/data/augment.js';
import { SAM_PIXEL_MEAN, SAM_PIXEL_STD } from '../src/data/preprocess.js';
import { tightBox } from '../src/data/prompts.js';
import type { SegSample } from '../src/data/types.js';

const SIZE = 16;
const OFF: AugmentOptions = { flipH: 0, flipV: 0, rot90: 0, rotate: 0, brightness: 0, contrast: 0, gamma: 0, speckle: 0 };

/** Valid region 12 × 8 of a gray image (value 60), one marked pixel (3, 2) of value 250 that is also the mask. */
function marked(): SegSample {
  const image = new Float32Array(SIZE * SIZE * 3);
  const mask = new Uint8Array(SIZE * SIZE);
  const norm = (v: number, c: number) => (v - SAM_PIXEL_MEAN[c]!) / SAM_PIXEL_STD[c]!;
  for (let y = 0; y < 8; y++) for (let x = 0; x < 12; x++) for (let c = 0; c < 3; c++) image[3 * (y * SIZE + x) + c] = norm(60, c);
  for (let c = 0; c < 3; c++) image[3 * (2 * SIZE + 3) + c] = norm(250, c);
  mask[2 * SIZE + 3] = 1;
  return {
    id: 't/m', dataset: 'synthetic-us', group: 'm', image, mask, size: SIZE, validWidth: 12, validHeight: 8, originalWidth: 12, originalHeight: 8,
    boxes: [[3, 2, 3, 2]],
  };
}

/** Where the bright pixel and the mask pixel are after augmentation. */
function find(s: SegSample): { bright: [number, number]; mask: [number, number] } {
  let bright: [number, number] = [-1, -1];
  let best = -Infinity;
  let m: [number, number] = [-1, -1];
  for (let i = 0; i < SIZE * SIZE; i++) {
    if (s.image[3 * i]! > best) [best, bright] = [s.image[3 * i]!, [i % SIZE, Math.floor(i / SIZE)]];
    if (s.mask[i]) m = [i % SIZE, Math.floor(i / SIZE)];
  }
  return { bright, mask: m };
}

function paddingIsZero(s: SegSample): boolean {
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      if (x < s.validWidth && y < s.validHeight) continue;
      const i = y * SIZE + x;
      if (s.mask[i] || s.image[3 * i] || s.image[3 * i + 1] || s.image[3 * i + 2]) return false;
    }
  }
  return true;
}

describe('augment keeps image and mask aligned', () => {
  it('a horizontal flip mirrors the marked pixel inside the valid region, in image and mask', () => {
    const out = augment(marked(), new Rng(0), { ...OFF, flipH: 1 });
    expect(find(out)).toEqual({ bright: [8, 2], mask: [8, 2] }); // 12 − 1 − 3
    expect(out.boxes).toEqual([[8, 2, 8, 2]]);
    expect(paddingIsZero(out)).toBe(true);
  });

  it('a vertical flip and a 90° rotation move it consistently; the rotation swaps the valid size', () => {
    expect(find(augment(marked(), new Rng(0), { ...OFF, flipV: 1 }))).toEqual({ bright: [3, 5], mask: [3, 5] });
    // Find a seed whose rotation is one quarter turn (counter-clockwise): (x, y) → (y, W − 1 − x).
    for (let seed = 0; seed < 40; seed++) {
      const out = augment(marked(), new Rng(seed), { ...OFF, rot90: 1 });
      const { bright, mask } = find(out);
      expect(bright).toEqual(mask);
      expect(out.boxes![0]).toEqual([...mask, ...mask]);
      expect(paddingIsZero(out)).toBe(true);
      if (out.validWidth === 8) {
        expect(out.validHeight).toBe(12);
        expect([[2, 8], [5, 3]]).toContainEqual(bright); // 90° or 270°
      } else {
        expect(bright).toEqual([8, 5]); // 180°
      }
    }
  });

  it('a small rotation moves image and mask together (mask = bright region)', () => {
    const s = marked();
    // A 3 × 3 bright block as the target so nearest / bilinear agree on where it went.
    for (let y = 1; y <= 3; y++) for (let x = 2; x <= 4; x++) {
      s.mask[y * SIZE + x] = 1;
      for (let c = 0; c < 3; c++) s.image[3 * (y * SIZE + x) + c] = (250 - SAM_PIXEL_MEAN[c]!) / SAM_PIXEL_STD[c]!;
    }
    const out = augment(s, new Rng(2), { ...OFF, rotate: 20 });
    expect(out.boxes).toBeUndefined();
    let inside = 0;
    let outside = 0;
    let nIn = 0;
    let nOut = 0;
    for (let y = 0; y < 8; y++) for (let x = 0; x < 12; x++) {
      const v = out.image[3 * (y * SIZE + x)]! * SAM_PIXEL_STD[0] + SAM_PIXEL_MEAN[0];
      if (out.mask[y * SIZE + x]) [inside, nIn] = [inside + v, nIn + 1];
      else [outside, nOut] = [outside + v, nOut + 1];
    }
    expect(nIn).toBeGreaterThanOrEqual(6);
    expect(inside / nIn).toBeGreaterThan(180); // mostly the bright block (250), edges blend with 60
    expect(outside / nOut).toBeLessThan(80);
    expect(paddingIsZero(out)).toBe(true);
  });

  it('intensity changes leave the mask, the padding and gray-ness alone, and stay in range', () => {
    const s = marked();
    const out = augment(s, new Rng(11), { ...OFF, brightness: 0.3, contrast: 0.3, gamma: 0.3, speckle: 0.2 });
    expect(out.mask).toEqual(s.mask);
    expect(paddingIsZero(out)).toBe(true);
    expect(out.image).not.toEqual(s.image);
    for (let i = 0; i < 8 * SIZE; i++) {
      if (i % SIZE >= 12) continue;
      const px = [0, 1, 2].map((c) => out.image[3 * i + c]! * SAM_PIXEL_STD[c]! + SAM_PIXEL_MEAN[c]!);
      expect(px[0]).toBeCloseTo(px[1]!, 3); // float32 storage of the normalised value
      expect(px[1]).toBeCloseTo(px[2]!, 3);
      expect(px[0]).toBeGreaterThanOrEqual(-1e-3);
      expect(px[0]).toBeLessThanOrEqual(255 + 1e-3);
    }
  });

  it('is deterministic by seed, never changes its input, and validates options', () => {
    const s = marked();
    const copy = s.image.slice();
    const opts: AugmentOptions = { flipH: 0.5, flipV: 0.5, rot90: 0.5, rotate: 10, brightness: 0.2, speckle: 0.1 };
    const a = augment(s, new Rng(7), opts);
    expect(augment(s, new Rng(7), opts)).toEqual(a);
    expect(s.image).toEqual(copy);
    expect(tightBox(a)).not.toBeNull();
    expect(() => augment(s, new Rng(0), { flipH: 2 })).toThrow(/'flipH' must be a probability/);
    expect(() => augment(s, new Rng(0), { speckle: -1 })).toThrow(/'speckle' must be a finite number ≥ 0/);
  });
});
