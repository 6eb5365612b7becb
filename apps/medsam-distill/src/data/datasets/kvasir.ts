// Kvasir-SEG (Jha et al., MMM 2020): <dir>/images/<id>.jpg and <dir>/masks/<id>.jpg, masks JPEG-encoded
// (thresholded at 128), and optionally the official kavsir_bboxes.json:
//   { "<id>": { "height": 529, "width": 622, "bbox": [{ "label": "polyp", "xmin": 38, "ymin": 5, "xmax": 430, "ymax": 338 }] } }
// The reader also accepts .jpeg/.png for images and masks (our own writer stores lossless PNG masks).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from '@lossworks/core-train';
import type { Box, DatasetKind, SegSample } from '../types.js';
import { listDir, loadPairs, splitExt, type LoadOptions, type PairRef } from './common.js';

const IMAGE_EXTS = new Set(['jpg', 'jpeg', 'png']);
/** Bbox file names looked for in the dataset folder, in order. */
export const KVASIR_BBOX_FILES = ['kavsir_bboxes.json', 'kvasir_bboxes.json', 'kavsir_bboxes_subset.json'] as const;

/** Metadata file written by writeKvasirLayout beside the official layout (dataset kind, group, label per name). */
export const META_FILE = 'medsam-meta.json';

/** The content of {@link META_FILE}. */
export interface LayoutMeta {
  format: 'medsam-distill/kvasir-layout';
  version: 1;
  samples: Record<string, { dataset: DatasetKind; group: string; label?: string }>;
}

const DATASET_KINDS: readonly DatasetKind[] = ['kvasir', 'busi', 'hc18', 'isic', 'synthetic-us', 'synthetic-endo'];

async function readMeta(file: string): Promise<LayoutMeta> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new DataError(`listKvasirSeg: cannot read ${file} as JSON: ${err instanceof Error ? err.message : String(err)}`, file, { cause: err });
  }
  const meta = json as Partial<LayoutMeta>;
  if (meta?.format !== 'medsam-distill/kvasir-layout' || meta.version !== 1 || typeof meta.samples !== 'object' || meta.samples === null) {
    throw new DataError(`listKvasirSeg: ${file} is not a medsam-distill layout file (format 'medsam-distill/kvasir-layout', version 1).`, file);
  }
  for (const [name, s] of Object.entries(meta.samples)) {
    if (!DATASET_KINDS.includes(s?.dataset) || typeof s.group !== 'string') {
      throw new DataError(`listKvasirSeg: ${file}: entry '${name}' needs a known 'dataset' (${DATASET_KINDS.join(', ')}) and a string 'group'.`, file);
    }
  }
  return meta as LayoutMeta;
}

/** Options of {@link listKvasirSeg}. */
export interface KvasirListOptions {
  /** Bbox json: a path, or false for none. Default: the first of {@link KVASIR_BBOX_FILES} in the folder. */
  bboxes?: string | false;
}

interface BboxEntry {
  width: number;
  height: number;
  boxes: Box[];
}

/** Reads a Kvasir-SEG bbox json into per-id boxes; DataError naming the file when it is not that format. */
export async function readKvasirBboxes(file: string): Promise<Map<string, BboxEntry>> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new DataError(`readKvasirBboxes: cannot read ${file} as JSON: ${err instanceof Error ? err.message : String(err)}`, file, { cause: err });
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new DataError(`readKvasirBboxes: ${file} must hold a JSON object keyed by image id.`, file);
  const out = new Map<string, BboxEntry>();
  for (const [id, entry] of Object.entries(json as Record<string, unknown>)) {
    const e = entry as { width?: unknown; height?: unknown; bbox?: unknown };
    const bad = (why: string) => new DataError(`readKvasirBboxes: ${file}: entry '${id}' ${why}.`, file);
    if (!Number.isInteger(e?.width) || !Number.isInteger(e?.height)) throw bad('needs integer width and height');
    if (!Array.isArray(e.bbox)) throw bad("needs a 'bbox' array");
    const boxes = e.bbox.map((b: unknown): Box => {
      const { xmin, ymin, xmax, ymax } = (b ?? {}) as Record<string, unknown>;
      const v = [xmin, ymin, xmax, ymax];
      if (!v.every((x) => typeof x === 'number' && Number.isFinite(x))) throw bad('has a box without numeric xmin, ymin, xmax, ymax');
      return v as Box;
    });
    out.set(id, { width: e.width as number, height: e.height as number, boxes });
  }
  return out;
}

/**
 * The pairs of a Kvasir-SEG folder, sorted by id. Every image needs a mask with the same stem (DataError
 * naming the image otherwise); masks without an image are ignored. Group = id (Kvasir-SEG has no patient
 * ids). With a {@link META_FILE} (our writer's), dataset kind, group and label come from it.
 */
export async function listKvasirSeg(dir: string, options: KvasirListOptions = {}): Promise<PairRef[]> {
  const imageDir = join(dir, 'images');
  const maskDir = join(dir, 'masks');
  const images = (await listDir(imageDir, 'listKvasirSeg')).filter((f) => IMAGE_EXTS.has(splitExt(f)[1]));
  const masks = new Map<string, string>();
  for (const f of await listDir(maskDir, 'listKvasirSeg')) {
    const [stem, ext] = splitExt(f);
    if (IMAGE_EXTS.has(ext) && !masks.has(stem)) masks.set(stem, f);
  }
  let bboxFile: string | undefined;
  if (options.bboxes !== false) bboxFile = options.bboxes ?? KVASIR_BBOX_FILES.map((f) => join(dir, f)).find((f) => existsSync(f));
  const bboxes = bboxFile ? await readKvasirBboxes(bboxFile) : undefined;
  const meta = existsSync(join(dir, META_FILE)) ? await readMeta(join(dir, META_FILE)) : undefined;
  return images.map((f) => {
    const [id] = splitExt(f);
    const mask = masks.get(id);
    if (!mask) throw new DataError(`listKvasirSeg: image ${join(imageDir, f)} has no mask ${join(maskDir, `${id}.jpg`)}.`, join(imageDir, f));
    const info = meta?.samples[id];
    const dataset = info?.dataset ?? 'kvasir';
    const ref: PairRef = {
      id: `${dataset}/${id}`,
      dataset,
      group: info?.group ?? id,
      imageFile: join(imageDir, f),
      maskFiles: [join(maskDir, mask)],
      maskEncoding: 'binary',
    };
    if (info?.label !== undefined) ref.label = info.label;
    const entry = bboxes?.get(id);
    if (entry && bboxFile) ref.boxes = { ...entry, file: bboxFile };
    return ref;
  });
}

/** Loads a Kvasir-SEG folder (images/, masks/, optional bbox json) as preprocessed samples. */
export async function loadKvasirSeg(dir: string, options: LoadOptions & KvasirListOptions): Promise<SegSample[]> {
  return loadPairs(await listKvasirSeg(dir, options), options);
}
