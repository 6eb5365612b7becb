// One entry point over the dataset layouts: list or load by DatasetKind.
import { ValueError } from '@lossworks/core-losses';
import type { DatasetKind, SegSample } from '../types.js';
import { listBusi, type BusiListOptions } from './busi.js';
import { loadPairs, type LoadOptions, type PairRef } from './common.js';
import { listHc18 } from './hc18.js';
import { listIsic2017, type IsicListOptions } from './isic.js';
import { listKvasirSeg, type KvasirListOptions } from './kvasir.js';

export { BUSI_CLASSES, listBusi, loadBusi, type BusiClass, type BusiListOptions } from './busi.js';
export {
  binarizeMask,
  iteratePairs,
  loadPair,
  loadPairs,
  readPair,
  type LoadOptions,
  type MaskEncoding,
  type PairRef,
  type ReadOptions,
} from './common.js';
export { hc18Group, listHc18, loadHc18 } from './hc18.js';
export { listIsic2017, loadIsic2017, type IsicListOptions, type IsicSplit } from './isic.js';
export { KVASIR_BBOX_FILES, META_FILE, listKvasirSeg, loadKvasirSeg, readKvasirBboxes, type KvasirListOptions, type LayoutMeta } from './kvasir.js';

/** The real-data layouts a folder can be read as (the synthetic kinds are read back through 'kvasir'). */
export type LayoutKind = Extract<DatasetKind, 'kvasir' | 'busi' | 'hc18' | 'isic'>;

/** Options of {@link listDataset}: those of every layout's lister. */
export type ListOptions = KvasirListOptions & BusiListOptions & IsicListOptions;

/** Lists a folder in the given layout (Kvasir-SEG, BUSI, HC18 or ISIC 2017). */
export async function listDataset(kind: LayoutKind, dir: string, options: ListOptions = {}): Promise<PairRef[]> {
  switch (kind) {
    case 'kvasir':
      return listKvasirSeg(dir, options);
    case 'busi':
      return listBusi(dir, options);
    case 'hc18':
      return listHc18(dir);
    case 'isic':
      return listIsic2017(dir, options);
    default:
      throw new ValueError(`listDataset: unknown layout '${String(kind)}'. Known: kvasir, busi, hc18, isic.`);
  }
}

/** Lists and loads a folder in the given layout as preprocessed samples. */
export async function loadDataset(kind: LayoutKind, dir: string, options: LoadOptions & ListOptions): Promise<SegSample[]> {
  return loadPairs(await listDataset(kind, dir, options), options);
}
