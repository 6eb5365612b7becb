// Writes image/mask pairs (generated, or decoded from another layout) in the Kvasir-SEG layout, so
// `prepare-data` can materialise the embedded data and listKvasirSeg reads it back:
//   <dir>/images/<name>.jpg|png · <dir>/masks/<name>.png|jpg (0/255) · <dir>/kavsir_bboxes.json (boxes
//   from the masks, official format) · <dir>/medsam-meta.json (dataset kind, group and label per name,
//   which listKvasirSeg uses when present, so ids, groups and labels survive the round trip).
// Masks default to PNG (lossless: the round trip gives back the same mask); 'jpg' imitates Kvasir-SEG
// exactly, and the reader's threshold at 128 then recovers all but a few edge pixels.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ValueError } from '@lossworks/core-losses';
import { writeFileAtomic, writeJsonAtomic } from '@lossworks/cli-kit';
import { encodeImage } from './image-io.js';
import { maskBounds } from './mask-ops.js';
import { META_FILE, type LayoutMeta } from './datasets/kvasir.js';
import type { RawPair } from './types.js';


/** Options of {@link writeKvasirLayout}. */
export interface WriteLayoutOptions {
  /** Image format. Default 'jpg' (as Kvasir-SEG). */
  imageFormat?: 'jpg' | 'png';
  /** Mask format. Default 'png' (lossless). */
  maskFormat?: 'jpg' | 'png';
  /** JPEG quality 1..100. Default 95. */
  quality?: number;
}

/** File name for a pair: its id without the dataset prefix, with characters unsafe in file names replaced by '_'. */
export function layoutName(id: string): string {
  const slash = id.indexOf('/');
  return (slash >= 0 ? id.slice(slash + 1) : id).replace(/[^A-Za-z0-9._-]/g, '_');
}

/** Writes pairs in the Kvasir-SEG layout (see the file comment); returns the file names written, without extension. */
export async function writeKvasirLayout(dir: string, pairs: readonly RawPair[], options: WriteLayoutOptions = {}): Promise<string[]> {
  const { imageFormat = 'jpg', maskFormat = 'png', quality = 95 } = options;
  for (const [k, v] of [
    ['imageFormat', imageFormat],
    ['maskFormat', maskFormat],
  ] as const) {
    if (v !== 'jpg' && v !== 'png') throw new ValueError(`writeKvasirLayout: option '${k}' must be 'jpg' or 'png'. Value: ${String(v)}.`);
  }
  if (!(Number.isInteger(quality) && quality >= 1 && quality <= 100)) {
    throw new ValueError(`writeKvasirLayout: option 'quality' must be an integer in 1..100. Value: ${quality}.`);
  }
  await mkdir(join(dir, 'images'), { recursive: true });
  await mkdir(join(dir, 'masks'), { recursive: true });
  const bboxes: Record<string, unknown> = {};
  const meta: LayoutMeta = { format: 'medsam-distill/kvasir-layout', version: 1, samples: {} };
  const names: string[] = [];
  for (const pair of pairs) {
    const { width, height } = pair.image;
    if (pair.mask.length !== width * height) throw new ValueError(`writeKvasirLayout: ${pair.id}: mask has ${pair.mask.length} values for ${width}×${height}.`);
    const name = layoutName(pair.id);
    if (names.includes(name)) throw new ValueError(`writeKvasirLayout: two pairs map to the file name '${name}'.`);
    names.push(name);
    const mask255 = new Uint8Array(pair.mask.length);
    for (let i = 0; i < mask255.length; i++) mask255[i] = pair.mask[i] ? 255 : 0;
    await writeFileAtomic(join(dir, 'images', `${name}.${imageFormat}`), await encodeImage(pair.image.data, width, height, 3, { format: imageFormat, quality }));
    await writeFileAtomic(join(dir, 'masks', `${name}.${maskFormat}`), await encodeImage(mask255, width, height, 1, { format: maskFormat, quality: 100 }));
    const b = maskBounds(pair.mask, width, height);
    bboxes[name] = { height, width, bbox: b ? [{ label: pair.label ?? 'polyp', xmin: b[0], ymin: b[1], xmax: b[2], ymax: b[3] }] : [] };
    meta.samples[name] = { dataset: pair.dataset, group: pair.group, ...(pair.label !== undefined ? { label: pair.label } : {}) };
  }
  await writeJsonAtomic(join(dir, 'kavsir_bboxes.json'), bboxes);
  await writeJsonAtomic(join(dir, META_FILE), meta);
  return names;
}
