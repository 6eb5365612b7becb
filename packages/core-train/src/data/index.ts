export { Rng, hashSeed, withRandom, withSeed, type RngState } from './random.js';
export { Dataset, type BatchOptions, type IterationContext, type ShuffleOptions } from './dataset.js';
export {
  batchSize,
  collate,
  disposeBatch,
  isBatch,
  type Batch,
  type NestedNumbers,
  type Sample,
  type SampleField,
  type SampleValue,
  type ShapedData,
  type TensorField,
} from './collate.js';
export { kFoldByGroup, splitByGroup, type GroupFold, type GroupKFoldOptions, type GroupSplit, type GroupSplitOptions } from './split.js';
