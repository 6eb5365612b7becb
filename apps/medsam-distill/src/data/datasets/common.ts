// What every dataset loader shares: a PairRef (files of one image/mask pair, found by a layout-specific
// lister), decoding with checks (sizes match, masks binary-ish, outlines filled), preprocessing, and
// ordered loading with bounded concurrency.
import { readdir, stat } from 'node:fs/promises';
import { ValueError } from '@lossworks/core-losses';
import { DataError } from '@lossworks/core-train';
import { fillOutline } from '../hc18-fill.js';
import { readGray, readRgb } from '../image-io.js';
import { preprocessPair } from '../preprocess.js';
import type { Box, DatasetKind, RawPair, SegSample } from '../types.js';

/** How a mask file encodes the target: a (near-)binary region, or an outline to be filled (HC18). */
export type MaskEncoding = 'binary' | 'outline';

/** The files of one image/mask pair, as a dataset lister finds them (nothing decoded yet). */
export interface PairRef {
  /** Unique and stable: '<dataset>/<file id>'. */
  id: string;
  dataset: DatasetKind;
  group: string;
  imageFile: string;
  /** One or more mask files, united (logical OR); all must have the image's size. */
  maskFiles: string[];
  maskEncoding: MaskEncoding;
  label?: string;
  /** Reference boxes in original pixels, and the image size and file they were declared with. */
  boxes?: { boxes: Box[]; width: number; height: number; file: string };
}

/** Options of the checks applied while decoding a pair. */
export interface ReadOptions {
  /**
   * Largest share of mask pixels allowed strictly between 32 and 223 before a mask counts as "not binary"
   * (JPEG masks have a thin band of such values along edges; a photo or a soft map has many). Default 0.05.
   */
  maxGrayFraction?: number;
}

/** Options of the dataset loaders. */
export interface LoadOptions extends ReadOptions {
  /** Side S of the padded square frame (longest image side resized to S). */
  size: number;
  /** Load only the first `limit` pairs (sorted by id). Default: all. */
  limit?: number;
  /** Files decoded at once. Default 2. */
  concurrency?: number;
}

/**
 * A 0/1 mask from 8-bit mask values: ≥ 128 is foreground (JPEG masks: the Kvasir-SEG convention); a mask
 * whose values are all 0 or 1 is read as 0/1 labels. Throws DataError naming `file` when too many values
 * lie between 32 and 223 (see {@link ReadOptions.maxGrayFraction}).
 */
export function binarizeMask(values: Uint8Array, file: string, { maxGrayFraction = 0.05 }: ReadOptions = {}): Uint8Array {
  let max = 0;
  let gray = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v > max) max = v;
    if (v > 32 && v < 223) gray++;
  }
  const out = new Uint8Array(values.length);
  if (max <= 1) {
    out.set(values);
    return out;
  }
  const share = gray / Math.max(1, values.length);
  if (share > maxGrayFraction) {
    throw new DataError(
      `mask ${file} is not binary: ${(100 * share).toFixed(1)}% of its pixels lie between 32 and 223 (at most ${(100 * maxGrayFraction).toFixed(1)}% allowed).`,
      file,
    );
  }
  for (let i = 0; i < values.length; i++) out[i] = values[i]! >= 128 ? 1 : 0;
  return out;
}

/** Decodes a pair with every check: image readable, each mask readable, same size, binary-ish, outlines fillable. */
export async function readPair(ref: PairRef, options: ReadOptions = {}): Promise<RawPair> {
  if (ref.maskFiles.length === 0) throw new DataError(`readPair: ${ref.id}: no mask file for image ${ref.imageFile}.`, ref.imageFile);
  const image = await readRgb(ref.imageFile);
  const mask = new Uint8Array(image.width * image.height);
  for (const file of ref.maskFiles) {
    const values = await readGray(file);
    if (values.width !== image.width || values.height !== image.height) {
      throw new DataError(
        `mask ${file} is ${values.width}×${values.height} but its image ${ref.imageFile} is ${image.width}×${image.height}.`,
        file,
      );
    }
    let part: Uint8Array;
    if (ref.maskEncoding === 'outline') {
      const outline = binarizeMask(values.data, file, options);
      const fill = fillOutline(outline, image.width, image.height);
      if (fill.method === 'empty') throw new DataError(`annotation ${file} has no outline pixels.`, file);
      if (fill.method === 'unfilled') throw new DataError(`annotation ${file}: the outline encloses no region and no ellipse fits it.`, file);
      part = fill.mask;
    } else {
      part = binarizeMask(values.data, file, options);
    }
    for (let i = 0; i < mask.length; i++) mask[i] = mask[i]! | part[i]!;
  }
  const pair: RawPair = { id: ref.id, dataset: ref.dataset, group: ref.group, image, mask, source: ref.imageFile };
  if (ref.label !== undefined) pair.label = ref.label;
  if (ref.boxes) {
    const { boxes, width, height, file } = ref.boxes;
    if (width !== image.width || height !== image.height) {
      throw new DataError(
        `${file} lists ${ref.id} as ${width}×${height} but the image ${ref.imageFile} is ${image.width}×${image.height}.`,
        file,
      );
    }
    pair.boxes = boxes.map((b) => [...b] as Box);
  }
  return pair;
}

/** Decodes, checks and preprocesses one pair into a {@link SegSample}. */
export async function loadPair(ref: PairRef, options: LoadOptions): Promise<SegSample> {
  return preprocessPair(await readPair(ref, options), options.size);
}

function checkLoadOptions(options: LoadOptions, fn: string): void {
  const { size, limit, concurrency = 2 } = options;
  if (!(Number.isInteger(size) && size >= 1)) throw new ValueError(`${fn}: option 'size' must be a positive integer. Value: ${size}.`);
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
    throw new ValueError(`${fn}: option 'limit' must be a non-negative integer. Value: ${limit}.`);
  }
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new ValueError(`${fn}: option 'concurrency' must be a positive integer. Value: ${concurrency}.`);
  }
}

/** Loads pairs into samples, in the order of `refs` (first `limit`), with `concurrency` files in flight. */
export async function loadPairs(refs: readonly PairRef[], options: LoadOptions): Promise<SegSample[]> {
  checkLoadOptions(options, 'loadPairs');
  const todo = refs.slice(0, options.limit ?? refs.length);
  const out = new Array<SegSample>(todo.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < todo.length) {
      const i = next++;
      out[i] = await loadPair(todo[i]!, options);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 2, Math.max(1, todo.length)) }, worker));
  return out;
}

/** Streams samples one at a time in the order of `refs` (for sizes where all samples would not fit in memory). */
export async function* iteratePairs(refs: readonly PairRef[], options: LoadOptions): AsyncGenerator<SegSample> {
  checkLoadOptions(options, 'iteratePairs');
  for (const ref of refs.slice(0, options.limit ?? refs.length)) yield await loadPair(ref, options);
}

/** Names in a folder; DataError naming the folder when it is missing or not a folder. */
export async function listDir(dir: string, fn: string): Promise<string[]> {
  try {
    if (!(await stat(dir)).isDirectory()) throw new DataError(`${fn}: ${dir} is not a folder.`, dir);
    return (await readdir(dir)).sort();
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(`${fn}: cannot read folder ${dir}: ${err instanceof Error ? err.message : String(err)}`, dir, { cause: err });
  }
}

/** Whether a path is an existing folder. */
export async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** File stem without its (last) extension, and the lower-case extension without the dot. */
export function splitExt(name: string): [string, string] {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? [name, ''] : [name.slice(0, dot), name.slice(dot + 1).toLowerCase()];
}
