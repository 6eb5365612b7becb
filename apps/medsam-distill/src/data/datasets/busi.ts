// BUSI, Breast Ultrasound Images (Al-Dhabyani et al., Data in Brief 28, 2020): class folders
// <dir>/{benign,malignant,normal}/ holding '<name>.png' with '<name>_mask.png' and, for some images, extra
// '<name>_mask_1.png' (…_mask_2.png) masks, united here by logical OR. Normal images have all-zero masks.
// The class is kept as the sample's label. Images are RGB PNGs with gray content; masks 1-bit or 8-bit PNGs.
import { join } from 'node:path';
import { DataError } from '@lossworks/core-train';
import { ValueError } from '@lossworks/core-losses';
import type { SegSample } from '../types.js';
import { isDir, listDir, loadPairs, splitExt, type LoadOptions, type PairRef } from './common.js';

/** BUSI's three classes (folder names). */
export const BUSI_CLASSES = ['benign', 'malignant', 'normal'] as const;
/** One BUSI class. */
export type BusiClass = (typeof BUSI_CLASSES)[number];

/** Options of {@link listBusi}. */
export interface BusiListOptions {
  /** Classes to read. Default: every class folder present (at least one must be). */
  classes?: readonly BusiClass[];
}

const MASK_RE = /^(.*)_mask(?:_(\d+))?$/;

/**
 * The pairs of a BUSI folder, sorted by class then name. An image without '<name>_mask.png' is a
 * DataError naming it; a mask without its image is ignored. Group = the image name (BUSI has no patient ids).
 */
export async function listBusi(dir: string, options: BusiListOptions = {}): Promise<PairRef[]> {
  for (const c of options.classes ?? []) {
    if (!BUSI_CLASSES.includes(c)) throw new ValueError(`listBusi: unknown class '${c}'. Known: ${BUSI_CLASSES.join(', ')}.`);
  }
  const present: BusiClass[] = [];
  for (const c of options.classes ?? BUSI_CLASSES) if (await isDir(join(dir, c))) present.push(c);
  if (options.classes) {
    const missing = options.classes.filter((c) => !present.includes(c));
    if (missing.length) throw new DataError(`listBusi: class folder(s) ${missing.map((c) => join(dir, c)).join(', ')} missing.`, join(dir, missing[0]!));
  }
  if (present.length === 0) throw new DataError(`listBusi: ${dir} has none of the class folders ${BUSI_CLASSES.join(', ')}.`, dir);
  const refs: PairRef[] = [];
  for (const cls of present) {
    const folder = join(dir, cls);
    const images: string[] = [];
    const masks = new Map<string, string[]>();
    for (const f of await listDir(folder, 'listBusi')) {
      const [stem, ext] = splitExt(f);
      if (ext !== 'png') continue;
      const m = MASK_RE.exec(stem);
      if (m) {
        const list = masks.get(m[1]!) ?? [];
        list.push(f);
        masks.set(m[1]!, list);
      } else images.push(stem);
    }
    for (const name of images) {
      const own = masks.get(name) ?? [];
      const imageFile = join(folder, `${name}.png`);
      if (!own.includes(`${name}_mask.png`)) throw new DataError(`listBusi: image ${imageFile} has no mask ${join(folder, `${name}_mask.png`)}.`, imageFile);
      refs.push({
        id: `busi/${cls}/${name}`,
        dataset: 'busi',
        group: name,
        imageFile,
        maskFiles: own.sort().map((f) => join(folder, f)),
        maskEncoding: 'binary',
        label: cls,
      });
    }
  }
  return refs;
}

/** Loads a BUSI folder as preprocessed samples (masks united, class as label). */
export async function loadBusi(dir: string, options: LoadOptions & BusiListOptions): Promise<SegSample[]> {
  return loadPairs(await listBusi(dir, options), options);
}
