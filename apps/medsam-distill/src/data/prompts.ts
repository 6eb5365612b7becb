// Prompts from masks, in the padded size × size frame (pixel indices; SAM's prompt encoder adds the 0.5
// that moves them to pixel centres).
//   Box: the tight box [x0, y0, x1, y1] of the mask (inclusive indices, as MedSAM's np.min/np.max), each
//     side moved by a seeded random 0..jitter pixels: outwards (MedSAM: x0 − U{0..j}, x1 + U{0..j}) or
//     either way ('symmetric', closer to SAM's box noise), then clipped to the valid (unpadded) region.
//   Points: k positives drawn uniformly from the mask and k negatives from the background of the valid
//     region (or of a band around the object: 'box' mode, harder negatives), seeded.
// Empty masks (BUSI normal images): the box is the whole valid region and every point is a negative
// (label 0), so prompt shapes stay fixed. A mask that covers the whole valid region gives only positives.
import { ValueError } from '@lossworks/core-losses';
import type { Rng } from '@lossworks/core-train';
import { maskBounds } from './mask-ops.js';
import type { Box, Points, SegSample } from './types.js';

/** The parts of a sample a prompt needs. */
export type PromptSource = Pick<SegSample, 'mask' | 'size' | 'validWidth' | 'validHeight'>;

/** Options of {@link boxPrompt}. */
export interface BoxPromptOptions {
  /** Largest shift per side in pixels (0: the tight box). Default 0. */
  jitter?: number;
  /** 'expand' (MedSAM: each side moves outwards by 0..jitter) or 'symmetric' (−jitter..jitter). Default 'expand'. */
  mode?: 'expand' | 'symmetric';
  /** Generator for the shifts; required when jitter > 0. */
  rng?: Rng;
}

function checkSource(s: PromptSource, fn: string): void {
  if (s.mask.length !== s.size * s.size) throw new ValueError(`${fn}: mask has ${s.mask.length} values for size ${s.size}.`);
  if (!(s.validWidth >= 1 && s.validWidth <= s.size && s.validHeight >= 1 && s.validHeight <= s.size)) {
    throw new ValueError(`${fn}: valid region ${s.validWidth}×${s.validHeight} must lie within ${s.size}×${s.size}.`);
  }
}

/** Tight box of the mask (inclusive pixel indices), or null for an empty mask. */
export function tightBox(source: PromptSource): Box | null {
  checkSource(source, 'tightBox');
  return maskBounds(source.mask, source.size, source.size);
}

/**
 * A box prompt for the mask: the tight box with seeded per-side jitter, clipped to the valid region; the
 * whole valid region for an empty mask (see the file comment).
 */
export function boxPrompt(source: PromptSource, options: BoxPromptOptions = {}): Box {
  checkSource(source, 'boxPrompt');
  const { jitter = 0, mode = 'expand', rng } = options;
  if (!(Number.isInteger(jitter) && jitter >= 0)) throw new ValueError(`boxPrompt: option 'jitter' must be a non-negative integer. Value: ${jitter}.`);
  if (mode !== 'expand' && mode !== 'symmetric') throw new ValueError(`boxPrompt: option 'mode' must be 'expand' or 'symmetric'. Value: ${String(mode)}.`);
  if (jitter > 0 && !rng) throw new ValueError("boxPrompt: option 'rng' is required when 'jitter' > 0.");
  const xMax = source.validWidth - 1;
  const yMax = source.validHeight - 1;
  const box = maskBounds(source.mask, source.size, source.size);
  if (!box) return [0, 0, xMax, yMax];
  if (jitter === 0) return [Math.min(box[0], xMax), Math.min(box[1], yMax), Math.min(box[2], xMax), Math.min(box[3], yMax)];
  const shift = (): number => (mode === 'expand' ? rng!.int(jitter + 1) : rng!.int(2 * jitter + 1) - jitter);
  let x0 = box[0] - shift();
  let y0 = box[1] - shift();
  let x1 = box[2] + shift();
  let y1 = box[3] + shift();
  x0 = Math.max(0, Math.min(xMax, x0));
  y0 = Math.max(0, Math.min(yMax, y0));
  x1 = Math.max(0, Math.min(xMax, x1));
  y1 = Math.max(0, Math.min(yMax, y1));
  // Symmetric jitter can cross a thin box's sides over: keep x0 ≤ x1, y0 ≤ y1.
  if (x0 > x1) [x0, x1] = [x1, x0];
  if (y0 > y1) [y0, y1] = [y1, y0];
  return [x0, y0, x1, y1];
}

/** Options of {@link pointPrompts}. */
export interface PointPromptOptions {
  /** Number of foreground points (label 1). Default 1. */
  positives?: number;
  /** Number of background points (label 0). Default 1. */
  negatives?: number;
  /** Where negatives come from: the whole valid region, or the tight box grown by `margin` ('box'). Default 'valid'. */
  negativeRegion?: 'valid' | 'box';
  /** Growth of the tight box for 'box' negatives, pixels. Default 10. */
  margin?: number;
  rng: Rng;
}

/** Up to k distinct picks from `pool` (all of it, in random order, when it is smaller; repeats only when k exceeds it). */
function pick(pool: Int32Array, k: number, rng: Rng): number[] {
  if (pool.length === 0 || k === 0) return [];
  const out: number[] = [];
  if (k >= pool.length) {
    const all = rng.shuffle(Array.from(pool));
    for (let i = 0; i < k; i++) out.push(all[i % all.length]!);
    return out;
  }
  const seen = new Set<number>();
  while (out.length < k) {
    const i = rng.int(pool.length);
    if (!seen.has(i)) {
      seen.add(i);
      out.push(pool[i]!);
    }
  }
  return out;
}

/**
 * Seeded point prompts: `positives` points inside the mask (label 1) then `negatives` outside (label 0),
 * in the valid region; coordinates (x, y). The total is always positives + negatives (see the file
 * comment for empty and full masks).
 */
export function pointPrompts(source: PromptSource, options: PointPromptOptions): Points {
  checkSource(source, 'pointPrompts');
  const { positives = 1, negatives = 1, negativeRegion = 'valid', margin = 10, rng } = options;
  for (const [name, v] of [
    ['positives', positives],
    ['negatives', negatives],
    ['margin', margin],
  ] as const) {
    if (!(Number.isInteger(v) && v >= 0)) throw new ValueError(`pointPrompts: option '${name}' must be a non-negative integer. Value: ${v}.`);
  }
  if (negativeRegion !== 'valid' && negativeRegion !== 'box') {
    throw new ValueError(`pointPrompts: option 'negativeRegion' must be 'valid' or 'box'. Value: ${String(negativeRegion)}.`);
  }
  const { mask, size, validWidth, validHeight } = source;
  const box = maskBounds(mask, size, size);
  let [bx0, by0, bx1, by1] = [0, 0, validWidth - 1, validHeight - 1];
  if (negativeRegion === 'box' && box) {
    bx0 = Math.max(0, box[0] - margin);
    by0 = Math.max(0, box[1] - margin);
    bx1 = Math.min(validWidth - 1, box[2] + margin);
    by1 = Math.min(validHeight - 1, box[3] + margin);
  }
  const fg: number[] = [];
  const bg: number[] = [];
  for (let y = 0; y < validHeight; y++) {
    for (let x = 0; x < validWidth; x++) {
      const i = y * size + x;
      if (mask[i]) fg.push(i);
      else if (x >= bx0 && x <= bx1 && y >= by0 && y <= by1) bg.push(i);
    }
  }
  // A region with no pixels hands its quota to the other label.
  const nPos = bg.length === 0 ? positives + negatives : fg.length === 0 ? 0 : positives;
  const nNeg = positives + negatives - nPos;
  const chosen = [...pick(Int32Array.from(fg), nPos, rng), ...pick(Int32Array.from(bg), nNeg, rng)];
  return {
    coords: chosen.map((i) => [i % size, Math.floor(i / size)] as [number, number]),
    labels: [...Array<number>(nPos).fill(1), ...Array<number>(nNeg).fill(0)],
  };
}
