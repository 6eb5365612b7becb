import { describe, expect, it } from 'vitest';
import { Rng } from '@lossworks/core-train';
import { boxPrompt, pointPrompts, tightBox, type PromptSource } from '../src/data/prompts.js';

const SIZE = 32;

/** A 32 × 32 frame whose valid region is 30 × 20, with a rectangle mask x 10..17, y 5..11. */
function source(empty = false): PromptSource {
  const mask = new Uint8Array(SIZE * SIZE);
  if (!empty) for (let y = 5; y <= 11; y++) for (let x = 10; x <= 17; x++) mask[y * SIZE + x] = 1;
  return { mask, size: SIZE, validWidth: 30, validHeight: 20 };
}

describe('box prompts', () => {
  it('without jitter, the box is the tight box and contains every mask pixel', () => {
    const s = source();
    const box = boxPrompt(s);
    expect(box).toEqual([10, 5, 17, 11]);
    expect(tightBox(s)).toEqual(box);
    for (let i = 0; i < s.mask.length; i++) {
      if (!s.mask[i]) continue;
      const x = i % SIZE;
      const y = Math.floor(i / SIZE);
      expect(x >= box[0] && x <= box[2] && y >= box[1] && y <= box[3]).toBe(true);
    }
  });

  it("'expand' jitter moves each side outwards by 0..j, clipped to the valid region, and is seeded", () => {
    const s = source();
    const rng = new Rng(3);
    const seen = new Set<number>();
    for (let k = 0; k < 200; k++) {
      const [x0, y0, x1, y1] = boxPrompt(s, { jitter: 8, rng });
      expect(x0).toBeGreaterThanOrEqual(2);
      expect(x0).toBeLessThanOrEqual(10);
      expect(y0).toBeGreaterThanOrEqual(0); // 5 − 8 clipped at 0
      expect(y0).toBeLessThanOrEqual(5);
      expect(x1).toBeGreaterThanOrEqual(17);
      expect(x1).toBeLessThanOrEqual(25);
      expect(y1).toBeGreaterThanOrEqual(11);
      expect(y1).toBeLessThanOrEqual(19); // 11 + 8 = 19 = validHeight − 1
      seen.add(x0);
    }
    expect(seen.size).toBe(9); // every shift 0..8 occurs
    expect(boxPrompt(s, { jitter: 5, rng: new Rng(9) })).toEqual(boxPrompt(s, { jitter: 5, rng: new Rng(9) }));
  });

  it("'symmetric' jitter stays within ±j and keeps x0 ≤ x1", () => {
    const rng = new Rng(4);
    for (let k = 0; k < 100; k++) {
      const [x0, y0, x1, y1] = boxPrompt(source(), { jitter: 4, mode: 'symmetric', rng });
      expect(Math.abs(x0 - 10)).toBeLessThanOrEqual(4);
      expect(Math.abs(x1 - 17)).toBeLessThanOrEqual(4);
      expect(x0).toBeLessThanOrEqual(x1);
      expect(y0).toBeLessThanOrEqual(y1);
    }
  });

  it('an empty mask gives the whole valid region; bad options throw', () => {
    expect(boxPrompt(source(true), { jitter: 3, rng: new Rng(1) })).toEqual([0, 0, 29, 19]);
    expect(tightBox(source(true))).toBeNull();
    expect(() => boxPrompt(source(), { jitter: 2 })).toThrow(/'rng' is required/);
    expect(() => boxPrompt(source(), { jitter: -1 })).toThrow(/'jitter' must be a non-negative integer/);
    expect(() => boxPrompt({ ...source(), validWidth: 40 })).toThrow(/valid region 40×20/);
  });
});

describe('point prompts', () => {
  it('k positives inside the mask, k negatives outside it and inside the valid region, seeded', () => {
    const s = source();
    const p = pointPrompts(s, { positives: 3, negatives: 3, rng: new Rng(5) });
    expect(p.labels).toEqual([1, 1, 1, 0, 0, 0]);
    p.coords.forEach(([x, y], k) => {
      expect(s.mask[y * SIZE + x]).toBe(p.labels[k]);
      expect(x < 30 && y < 20).toBe(true);
    });
    expect(new Set(p.coords.slice(0, 3).map(String)).size).toBe(3); // distinct
    expect(pointPrompts(s, { positives: 3, negatives: 3, rng: new Rng(5) })).toEqual(p);
    expect(pointPrompts(s, { positives: 3, negatives: 3, rng: new Rng(6) })).not.toEqual(p);
  });

  it("'box' negatives lie within the tight box grown by the margin", () => {
    const p = pointPrompts(source(), { positives: 0, negatives: 20, negativeRegion: 'box', margin: 2, rng: new Rng(7) });
    for (const [x, y] of p.coords) {
      expect(x >= 8 && x <= 19 && y >= 3 && y <= 13).toBe(true);
    }
  });

  it('an empty mask gives only negatives (same count); a full mask only positives', () => {
    const p = pointPrompts(source(true), { positives: 2, negatives: 1, rng: new Rng(1) });
    expect(p.labels).toEqual([0, 0, 0]);
    const full = source(true);
    for (let y = 0; y < 20; y++) for (let x = 0; x < 30; x++) full.mask[y * SIZE + x] = 1;
    expect(pointPrompts(full, { positives: 1, negatives: 2, rng: new Rng(1) }).labels).toEqual([1, 1, 1]);
    expect(() => pointPrompts(source(), { positives: 1.5, rng: new Rng(1) })).toThrow(/'positives'/);
  });
});
