// The medsam-distill data pipeline: dataset layouts → decoded pairs → SAM preprocessing → prompts and
// augmentation → core-train samples; plus the embedded synthetic data and a Kvasir-SEG layout writer.
export type { Box, DatasetKind, Points, RawPair, RgbImage, SegSample } from './types.js';
export * from './datasets/index.js';
export { encodeImage, readGray, readRgb, type EncodeOptions, type GrayImage } from './image-io.js';
export {
  SAM_PIXEL_MEAN,
  SAM_PIXEL_STD,
  denormalizeImage,
  normalizeAndPad,
  padMask,
  preprocessPair,
  resizeMask,
  resizeRgb,
  resizedShape,
} from './preprocess.js';
export { fillOutline, type FillMethod, type FillOutlineOptions, type OutlineFill } from './hc18-fill.js';
export { conicToEllipse, ellipsePerimeter, fitEllipse, fitEllipseConic, rasterizeEllipse, type Ellipse } from './ellipse.js';
export { countOnes, dilate, erode, fillHoles, floodFromBorder, maskBounds, maskIoU, touchesBorder } from './mask-ops.js';
export { boxPrompt, pointPrompts, tightBox, type BoxPromptOptions, type PointPromptOptions, type PromptSource } from './prompts.js';
export { ENDOSCOPY_AUGMENT, ULTRASOUND_AUGMENT, augment, type AugmentOptions } from './augment.js';
export { splitSamples, type SplitSamplesOptions } from './split.js';
export { toTrainingSample, type SamplePrompts } from './training.js';
export { layoutName, writeKvasirLayout, type WriteLayoutOptions } from './writer.js';
export {
  SYNTHETIC_ASPECT,
  endoscopyPair,
  syntheticPair,
  syntheticPairs,
  syntheticSamples,
  ultrasoundPair,
  type EndoscopyOptions,
  type GrayPair,
  type SyntheticKind,
  type SyntheticOptions,
  type UltrasoundOptions,
  type UltrasoundVariant,
} from './synthetic/index.js';
