// HC18 fetal head circumference (van den Heuvel et al., PLOS ONE 13(8), 2018): grayscale ultrasound
// '<id>.png' (id like 000_HC, 010_2HC) with '<id>_Annotation.png', a 1-pixel ellipse OUTLINE that
// fillOutline (../hc18-fill.ts) turns into the filled head. Layouts read:
//   - the official zip: <dir>/training_set/<id>.png and <id>_Annotation.png side by side (or <dir> itself);
//   - split folders: <dir>/images/<id>.png + <dir>/annotations_outline/<id>_Annotation.png (our shared
//     subset), or image/ + annotation/ (the VCLab_HC18 repository).
// Group = the subject number: frames 010_HC and 010_2HC of one subject share group '010'.
import { join } from 'node:path';
import { DataError } from '@lossworks/core-train';
import type { SegSample } from '../types.js';
import { isDir, listDir, loadPairs, splitExt, type LoadOptions, type PairRef } from './common.js';

const IMAGE_DIRS = ['images', 'image', 'training_set'];
const ANNOTATION_DIRS = ['annotations_outline', 'annotations', 'annotation'];
const SUFFIX = '_Annotation';

/** Subject of an HC18 id ('010_2HC' → '010'); the id itself when it has no numeric prefix. */
export function hc18Group(id: string): string {
  return /^(\d+)_/.exec(id)?.[1] ?? id;
}

/**
 * The pairs of an HC18 folder, sorted by id. Every image needs '<id>_Annotation.png' (DataError naming the
 * image otherwise), so the unannotated test_set folder cannot be loaded for training.
 */
export async function listHc18(dir: string): Promise<PairRef[]> {
  let imageDir = dir;
  for (const d of IMAGE_DIRS) {
    if (await isDir(join(dir, d))) {
      imageDir = join(dir, d);
      break;
    }
  }
  let annotationDir = imageDir;
  for (const d of ANNOTATION_DIRS) {
    if (await isDir(join(dir, d))) {
      annotationDir = join(dir, d);
      break;
    }
  }
  const annotations = new Set((await listDir(annotationDir, 'listHc18')).filter((f) => f.endsWith(`${SUFFIX}.png`)));
  const ids = (await listDir(imageDir, 'listHc18'))
    .map((f) => splitExt(f))
    .filter(([stem, ext]) => ext === 'png' && !stem.endsWith(SUFFIX) && !stem.endsWith('_Mask'))
    .map(([stem]) => stem);
  if (ids.length === 0) throw new DataError(`listHc18: no '<id>.png' images in ${imageDir}.`, imageDir);
  return ids.map((id) => {
    const imageFile = join(imageDir, `${id}.png`);
    const annotation = `${id}${SUFFIX}.png`;
    if (!annotations.has(annotation)) throw new DataError(`listHc18: image ${imageFile} has no annotation ${join(annotationDir, annotation)}.`, imageFile);
    return {
      id: `hc18/${id}`,
      dataset: 'hc18',
      group: hc18Group(id),
      imageFile,
      maskFiles: [join(annotationDir, annotation)],
      maskEncoding: 'outline',
    };
  });
}

/** Loads an HC18 folder as preprocessed samples, outlines filled by the app's own fill. */
export async function loadHc18(dir: string, options: LoadOptions): Promise<SegSample[]> {
  return loadPairs(await listHc18(dir), options);
}
