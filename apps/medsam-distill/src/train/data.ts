// The run's data: samples from the embedded generator or the real sets, split by group per dataset,
// cached once as preprocessed arrays (`<out>/data/prepared.safetensors`), turned into augmented
// training variants and into core-train sample streams with jittered box prompts.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sharedDataSet } from '@lossworks/cli-kit';
import { DataError, Dataset, Rng, hashSeed, readSafetensors, writeSafetensors, type RawTensor, type Sample } from '@lossworks/core-train';
import type { Config, DataConfig } from '../config/schema.js';
import {
  ENDOSCOPY_AUGMENT,
  ULTRASOUND_AUGMENT,
  augment,
  boxPrompt,
  loadDataset,
  splitSamples,
  syntheticSamples,
  type Box,
  type DatasetKind,
  type LayoutKind,
  type SegSample,
} from '../data/index.js';
import { POINT_LABEL } from '../model/layers.js';

/** Train and test samples of a run, plus the teacher's extra images. */
export interface RunData {
  train: SegSample[];
  test: SegSample[];
  /** Extra synthetic images only the teacher trains on (its larger corpus); may be empty. */
  teacherExtra: SegSample[];
  /** Real sets that were asked for but not found (skipped). */
  missing: string[];
}

/** Which layout each real set is read in. */
export const SET_LAYOUT: Record<string, LayoutKind> = {
  'medseg-hc18': 'hc18',
  'medseg-kvasir-seg': 'kvasir',
  'medseg-busi': 'busi',
  isic2017: 'isic',
};

/** Where a real set is: `data.paths[name]`, else the shared data folder; null when absent. */
export function findSet(name: string, data: DataConfig): string | null {
  const given = data.paths[name];
  if (given !== undefined) return existsSync(given) ? given : null;
  return sharedDataSet(name);
}

function splitPerDataset(samples: SegSample[], data: DataConfig): { train: SegSample[]; test: SegSample[] } {
  const byKind = new Map<DatasetKind, SegSample[]>();
  for (const s of samples) (byKind.get(s.dataset) ?? byKind.set(s.dataset, []).get(s.dataset)!).push(s);
  const train: SegSample[] = [];
  const test: SegSample[] = [];
  for (const [, list] of [...byKind.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const { splits } = splitSamples(list, { fractions: { train: data.trainFraction, test: 1 - data.trainFraction }, seed: data.splitSeed });
    train.push(...splits.train);
    test.push(...splits.test);
  }
  return { train, test };
}

/** Generates (synthetic) or loads (real) the run's samples and splits them; nothing is cached here. */
export async function loadRunData(config: Config, log: (line: string) => void = () => {}): Promise<RunData> {
  const { data } = config;
  const size = config.model.imageSize;
  const synth = async (perKind: number, seed: number): Promise<SegSample[]> => {
    const out: SegSample[] = [];
    for (const kind of ['synthetic-us', 'synthetic-endo'] as const) out.push(...(await syntheticSamples(perKind, { kind, seed, size, width: Math.max(2 * size, 96) })));
    return out;
  };
  const teacherExtra = data.teacherExtraSynthetic > 0 ? await synth(data.teacherExtraSynthetic, data.synthetic.seed + 1000) : [];
  if (data.source === 'synthetic') {
    const all = await synth(data.synthetic.perKind, data.synthetic.seed);
    return { ...splitPerDataset(all, data), teacherExtra, missing: [] };
  }
  const samples: SegSample[] = [];
  const missing: string[] = [];
  for (const name of data.sets) {
    const dir = findSet(name, data);
    if (!dir) {
      missing.push(name);
      log(`${name}: missing, skipped`);
      continue;
    }
    const loaded = await loadDataset(SET_LAYOUT[name]!, dir, { size, ...(data.limitPerSet !== undefined ? { limit: data.limitPerSet } : {}) });
    log(`${name}: ${loaded.length} images from ${dir}`);
    samples.push(...loaded);
  }
  return { ...splitPerDataset(samples, data), teacherExtra, missing };
}

/** A hash of everything the prepared data depends on. */
export function dataHash(config: Config): string {
  return createHash('sha256')
    .update(JSON.stringify({ data: config.data, imageSize: config.model.imageSize, v: 1 }))
    .digest('hex')
    .slice(0, 16);
}

type SampleMeta = Omit<SegSample, 'image' | 'mask'> & { split: 'train' | 'test' | 'teacherExtra' };

/** Writes the prepared samples as one safetensors file (images F32 [N,S,S,3], masks U8 [N,S,S]). */
export async function writePrepared(path: string, run: RunData, hash: string): Promise<void> {
  const all = [
    ...run.train.map((s) => ({ s, split: 'train' as const })),
    ...run.test.map((s) => ({ s, split: 'test' as const })),
    ...run.teacherExtra.map((s) => ({ s, split: 'teacherExtra' as const })),
  ];
  const size = all[0]?.s.size ?? 0;
  const images = new Float32Array(all.length * size * size * 3);
  const masks = new Uint8Array(all.length * size * size);
  const meta: SampleMeta[] = [];
  all.forEach(({ s, split }, i) => {
    images.set(s.image, i * size * size * 3);
    masks.set(s.mask, i * size * size);
    const { image: _image, mask: _mask, ...rest } = s;
    meta.push({ ...rest, split });
  });
  const tensors: Record<string, RawTensor> = {
    images: { dtype: 'F32', shape: [all.length, size, size, 3], data: images },
    masks: { dtype: 'U8', shape: [all.length, size, size], data: masks },
  };
  await writeSafetensors(path, tensors, { format: 'medsam-distill-data', hash, samples: JSON.stringify(meta), missing: JSON.stringify(run.missing) });
}

/** Reads prepared samples; null when the file is absent or was prepared from another data config. */
export async function readPrepared(path: string, hash: string): Promise<RunData | null> {
  if (!existsSync(path)) return null;
  const file = await readSafetensors(path);
  if (file.metadata.format !== 'medsam-distill-data' || file.metadata.hash !== hash) return null;
  const meta = JSON.parse(file.metadata.samples ?? '[]') as SampleMeta[];
  const images = file.tensors.images!.data as Float32Array;
  const masks = file.tensors.masks!.data as Uint8Array;
  const run: RunData = { train: [], test: [], teacherExtra: [], missing: JSON.parse(file.metadata.missing ?? '[]') as string[] };
  meta.forEach(({ split, ...m }, i) => {
    const n = m.size * m.size;
    run[split].push({ ...m, image: images.slice(i * n * 3, (i + 1) * n * 3), mask: masks.slice(i * n, (i + 1) * n) });
  });
  return run;
}

/** The prepared-data file of a run folder. */
export function preparedPath(out: string): string {
  return join(out, 'data', 'prepared.safetensors');
}

/** Prepared data of the run: read from `<out>/data` when it matches the config, else made and written. */
export async function runData(config: Config, out: string, log: (line: string) => void = () => {}): Promise<RunData & { reused: boolean }> {
  const path = preparedPath(out);
  const hash = dataHash(config);
  const cached = await readPrepared(path, hash);
  if (cached) return { ...cached, reused: true };
  const run = await loadRunData(config, log);
  if (run.train.length === 0 || run.test.length === 0) {
    if (run.train.length + run.test.length === 0) return { ...run, reused: false };
    throw new DataError(`runData: the split left ${run.train.length} training and ${run.test.length} test images; add images or change data.trainFraction.`);
  }
  await writePrepared(path, run, hash);
  return { ...run, reused: false };
}

const ULTRASOUND = new Set<DatasetKind>(['hc18', 'busi', 'synthetic-us']);

/**
 * Training variants: every sample, plus `copies` seeded augmented copies (`<id>#a<k>`): flips, small
 * rotations, intensity and speckle for ultrasound; flips, 90° turns and intensity for endoscopy and
 * dermoscopy. Fixed per seed, so teacher outputs and student embeddings can be cached by id.
 */
export function trainVariants(samples: readonly SegSample[], copies: number, seed: number): SegSample[] {
  const out: SegSample[] = [];
  for (const s of samples) {
    out.push(s);
    for (let k = 1; k <= copies; k++) {
      const rng = new Rng(hashSeed('augment', seed, s.id, k));
      out.push({ ...augment(s, rng, ULTRASOUND.has(s.dataset) ? ULTRASOUND_AUGMENT : ENDOSCOPY_AUGMENT), id: `${s.id}#a${k}` });
    }
  }
  return out;
}

/** A box as the prompt encoder's two corner points (labels 2 and 3). */
export function boxPoints(box: Box): { coords: Float32Array; labels: Float32Array } {
  return {
    coords: Float32Array.from([box[0], box[1], box[2], box[3]]),
    labels: Float32Array.from([POINT_LABEL.boxTopLeft, POINT_LABEL.boxBottomRight]),
  };
}

/**
 * One sample as the model's inputs in order — [image (or a cached embedding), point_coords [2, 2],
 * point_labels [2]] with the box as two corner points — and the target mask [S, S, 1].
 */
export function promptSample(s: SegSample, box: Box, input: { embedding?: { data: Float32Array; shape: number[] } } = {}): Sample {
  const { coords, labels } = boxPoints(box);
  const first = input.embedding ?? { data: s.image, shape: [s.size, s.size, 3] };
  return { x: [first, { data: coords, shape: [2, 2] }, labels], y: { data: Float32Array.from(s.mask), shape: [s.size, s.size, 1] }, id: s.id };
}

/** Options of {@link promptStream}. */
export interface PromptStreamOptions {
  batchSize: number;
  /** Box jitter in pixels (see data.boxJitter). */
  jitter: number;
  /** Cached embeddings by sample id (decoder-only training); default: images. */
  embeddings?: Map<string, { data: Float32Array; shape: number[] }>;
}

/**
 * An endless-by-epochs stream of shuffled batches (arrays of samples, collated by `fit`) with a fresh
 * seeded box jitter on every pass: pass e of run seed r draws boxes from hashSeed('box', r, e).
 */
export function promptStream(samples: readonly SegSample[], options: PromptStreamOptions): Dataset<Sample[]> {
  const { batchSize, jitter, embeddings } = options;
  return Dataset.fromGenerator((ctx) => {
    const rng = new Rng(hashSeed('box', ctx.seed, ctx.epoch));
    const order = rng.shuffle(samples.map((_, i) => i));
    const items = order.map((i) => {
      const s = samples[i]!;
      const box = boxPrompt(s, jitter > 0 ? { jitter, rng } : {});
      const emb = embeddings?.get(s.id);
      if (embeddings && !emb) throw new DataError(`promptStream: no cached embedding for sample '${s.id}'.`);
      return promptSample(s, box, emb ? { embedding: emb } : {});
    });
    return items;
  }, samples.length).batch(batchSize, { dropRemainder: samples.length >= batchSize });
}

/** A stream of image-only samples (encoder distillation), shuffled per pass. */
export function imageStream(samples: readonly SegSample[], batchSize: number): Dataset<Sample[]> {
  return Dataset.fromGenerator((ctx) => {
    const order = new Rng(hashSeed('images', ctx.seed, ctx.epoch)).shuffle(samples.map((_, i) => i));
    return order.map((i) => {
      const s = samples[i]!;
      return { x: { data: s.image, shape: [s.size, s.size, 3] }, id: s.id } as Sample;
    });
  }, samples.length).batch(batchSize, { dropRemainder: samples.length >= batchSize });
}
