// The embedded default data: seeded ultrasound-like and endoscopy-like image/mask pairs. Sample `index`
// of a (kind, seed) is drawn from its own generator seeded by hashSeed('synthetic', kind, seed, index), so
// a sample does not depend on how many others are drawn, and the same seed gives the same bytes.
import { ValueError } from '@lossworks/core-losses';
import { Rng, hashSeed } from '@lossworks/core-train';
import { preprocessPair } from '../preprocess.js';
import type { RawPair, SegSample } from '../types.js';
import { endoscopyPair } from './endoscopy.js';
import { ultrasoundPair, type UltrasoundVariant } from './ultrasound.js';

export { endoscopyPair, type EndoscopyOptions } from './endoscopy.js';
export { ultrasoundPair, type GrayPair, type UltrasoundOptions, type UltrasoundVariant } from './ultrasound.js';

/** The generated dataset kinds. */
export type SyntheticKind = 'synthetic-us' | 'synthetic-endo';

/** Height/width ratio of generated images per kind (HC18 is 540/800, Kvasir-SEG about 530/620). */
export const SYNTHETIC_ASPECT: Record<SyntheticKind, number> = { 'synthetic-us': 0.7, 'synthetic-endo': 0.85 };

/** Options of {@link syntheticPair} and {@link syntheticPairs}. */
export interface SyntheticOptions {
  kind: SyntheticKind;
  /** Run seed. Default 0. */
  seed?: number;
  /** Image width in pixels. Default 256. */
  width?: number;
  /** Image height in pixels. Default round(width · SYNTHETIC_ASPECT[kind]). */
  height?: number;
  /**
   * 0 (clear boundaries, no distractors) … 1 (faint, blurred boundaries, several look-alike distractors).
   * Default 0.6.
   */
  difficulty?: number;
  /** Ultrasound scenes to draw from, chosen per sample. Default ['lesion', 'head']. */
  variants?: readonly UltrasoundVariant[];
}

function resolve(options: SyntheticOptions, fn: string): Required<SyntheticOptions> {
  const { kind, seed = 0, width = 256, difficulty = 0.6, variants = ['lesion', 'head'] } = options;
  if (kind !== 'synthetic-us' && kind !== 'synthetic-endo') {
    throw new ValueError(`${fn}: option 'kind' must be 'synthetic-us' or 'synthetic-endo'. Value: ${String(kind)}.`);
  }
  const height = options.height ?? Math.round(width * SYNTHETIC_ASPECT[kind]);
  for (const [name, v] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (!(Number.isInteger(v) && v >= 16)) throw new ValueError(`${fn}: option '${name}' must be an integer ≥ 16. Value: ${v}.`);
  }
  if (!(difficulty >= 0 && difficulty <= 1)) throw new ValueError(`${fn}: option 'difficulty' must be in [0, 1]. Value: ${difficulty}.`);
  if (!Number.isFinite(seed)) throw new ValueError(`${fn}: option 'seed' must be a finite number. Value: ${seed}.`);
  if (variants.length === 0 || !variants.every((v) => v === 'lesion' || v === 'head')) {
    throw new ValueError(`${fn}: option 'variants' must list 'lesion' and/or 'head'. Value: ${JSON.stringify(variants)}.`);
  }
  return { kind, seed, width, height, difficulty, variants };
}

/** Sample `index` of the generated set (see the file comment); label = 'lesion' | 'head' | 'polyp'. */
export function syntheticPair(index: number, options: SyntheticOptions): RawPair {
  if (!(Number.isInteger(index) && index >= 0)) throw new ValueError(`syntheticPair: 'index' must be a non-negative integer. Value: ${index}.`);
  const o = resolve(options, 'syntheticPair');
  const rng = new Rng(hashSeed('synthetic', o.kind, o.seed, index));
  const name = `s${o.seed}-${String(index).padStart(5, '0')}`;
  const base = { id: `${o.kind}/${name}`, dataset: o.kind, group: name };
  if (o.kind === 'synthetic-endo') {
    const { image, mask } = endoscopyPair(rng, { width: o.width, height: o.height, difficulty: o.difficulty });
    return { ...base, image, mask, label: 'polyp' };
  }
  const variant = o.variants[rng.int(o.variants.length)]!;
  const { gray, mask } = ultrasoundPair(rng, { width: o.width, height: o.height, variant, difficulty: o.difficulty });
  const data = new Uint8Array(gray.length * 3);
  for (let i = 0; i < gray.length; i++) data[3 * i] = data[3 * i + 1] = data[3 * i + 2] = gray[i]!;
  return { ...base, image: { data, width: o.width, height: o.height }, mask, label: variant };
}

/** Samples 0..count−1 of the generated set. */
export function syntheticPairs(count: number, options: SyntheticOptions): RawPair[] {
  if (!(Number.isInteger(count) && count >= 0)) throw new ValueError(`syntheticPairs: 'count' must be a non-negative integer. Value: ${count}.`);
  return Array.from({ length: count }, (_, i) => syntheticPair(i, options));
}

/** Generated samples, preprocessed like loaded ones (longest side to `size`, SAM-normalised, padded). */
export async function syntheticSamples(count: number, options: SyntheticOptions & { size: number }): Promise<SegSample[]> {
  if (!(Number.isInteger(count) && count >= 0)) throw new ValueError(`syntheticSamples: 'count' must be a non-negative integer. Value: ${count}.`);
  const out: SegSample[] = [];
  for (let i = 0; i < count; i++) out.push(await preprocessPair(syntheticPair(i, options), options.size));
  return out;
}
