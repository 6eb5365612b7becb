// ISIC 2017 Part 1, lesion segmentation (Codella et al., ISBI 2018): 'ISIC_<id>.jpg' images and
// 'ISIC_<id>_segmentation.png' masks (0/255). Layouts read, in this order:
//   - explicit `imageDir` / `maskDir` options;
//   - the official archives unpacked side by side: <dir>/ISIC-2017_Training_Data/ and
//     <dir>/ISIC-2017_Training_Part1_GroundTruth/ (Validation: ISIC-2017_Validation_*, Test: ISIC-2017_Test_v2_*);
//   - <dir>/images/ + <dir>/masks/;
//   - images and masks in <dir> itself.
// The data folders also hold '*_superpixels.png' files (Part 2); only ISIC_<digits>.jpg count as images.
// Group = the image id (ISIC 2017 has no patient ids).
import { join } from 'node:path';
import { DataError } from '@lossworks/core-train';
import type { SegSample } from '../types.js';
import { isDir, listDir, loadPairs, type LoadOptions, type PairRef } from './common.js';

/** An ISIC 2017 split, as named in the official archives. */
export type IsicSplit = 'Training' | 'Validation' | 'Test';

/** Options of {@link listIsic2017}. */
export interface IsicListOptions {
  /** Which official split folder pair to read. Default 'Training'. */
  split?: IsicSplit;
  /** Image folder (overrides the layout search); `maskDir` defaults to it. */
  imageDir?: string;
  /** Mask folder; default: found by the layout search, or `imageDir`. */
  maskDir?: string;
}

const IMAGE_RE = /^(ISIC_\d+)\.jpe?g$/i;

async function findFolders(dir: string, options: IsicListOptions): Promise<[string, string]> {
  if (options.imageDir) return [options.imageDir, options.maskDir ?? options.imageDir];
  const tag = options.split === 'Test' ? 'Test_v2' : (options.split ?? 'Training');
  const official: [string, string] = [join(dir, `ISIC-2017_${tag}_Data`), join(dir, `ISIC-2017_${tag}_Part1_GroundTruth`)];
  if (await isDir(official[0])) return [official[0], options.maskDir ?? official[1]];
  if (await isDir(join(dir, 'images'))) return [join(dir, 'images'), options.maskDir ?? join(dir, 'masks')];
  return [dir, options.maskDir ?? dir];
}

/**
 * The pairs of an ISIC 2017 folder, sorted by id. Every image needs 'ISIC_<id>_segmentation.png' in the
 * mask folder (DataError naming the image otherwise).
 */
export async function listIsic2017(dir: string, options: IsicListOptions = {}): Promise<PairRef[]> {
  const [imageDir, maskDir] = await findFolders(dir, options);
  const masks = new Set(await listDir(maskDir, 'listIsic2017'));
  const refs: PairRef[] = [];
  for (const f of await listDir(imageDir, 'listIsic2017')) {
    const m = IMAGE_RE.exec(f);
    if (!m) continue;
    const id = m[1]!;
    const mask = `${id}_segmentation.png`;
    if (!masks.has(mask)) throw new DataError(`listIsic2017: image ${join(imageDir, f)} has no mask ${join(maskDir, mask)}.`, join(imageDir, f));
    refs.push({ id: `isic/${id}`, dataset: 'isic', group: id, imageFile: join(imageDir, f), maskFiles: [join(maskDir, mask)], maskEncoding: 'binary' });
  }
  if (refs.length === 0) throw new DataError(`listIsic2017: no ISIC_<id>.jpg images in ${imageDir}.`, imageDir);
  return refs;
}

/** Loads an ISIC 2017 folder (official layout or images/masks side by side) as preprocessed samples. */
export async function loadIsic2017(dir: string, options: LoadOptions & IsicListOptions): Promise<SegSample[]> {
  return loadPairs(await listIsic2017(dir, options), options);
}
