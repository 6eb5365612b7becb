/** The data contract between the medsam-distill data pipeline and its models (NHWC, SAM-normalised). */

/** Where a sample comes from. */
export type DatasetKind = 'kvasir' | 'busi' | 'hc18' | 'isic' | 'synthetic-us' | 'synthetic-endo';

/** One image/mask pair, resized (longest side to `size`), padded to size x size, normalised. */
export interface SegSample {
  /** Unique and stable, e.g. 'kvasir/cju0qkwl35piu0993l0dewei2'. */
  id: string;
  dataset: DatasetKind;
  /** Patient / subject / sequence id, for splits that keep a group on one side (HC18 '010' for 010_2HC). */
  group: string;
  /** size·size·3 float32, NHWC, SAM normalisation ((x − mean)/std per channel, pixel range 0..255), 0 in the padding. */
  image: Float32Array;
  /** size·size, 0/1, 0 in the padding. */
  mask: Uint8Array;
  size: number;
  /** The image region before padding (top-left aligned, as SAM pads bottom/right). */
  validHeight: number;
  validWidth: number;
  /** Original image size, for mapping predictions back. */
  originalHeight: number;
  originalWidth: number;
  /**
   * Optional metadata (added after the first contract; consumers may ignore it): the class or variant
   * (BUSI 'benign' | 'malignant' | 'normal'; synthetic 'lesion' | 'head' | 'polyp').
   */
  label?: string;
  /** Optional: the dataset's own reference boxes (Kvasir-SEG bbox json), mapped to the padded frame. */
  boxes?: Box[];
  /** Optional: the image file the sample was read from (absent for generated samples). */
  source?: string;
}

/** An 8-bit RGB image, row-major, interleaved (width · height · 3). */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * One image/mask pair at its own resolution, before resizing, padding and normalisation (what the
 * loaders decode and the synthetic generator draws; `preprocessPair` turns it into a {@link SegSample}).
 */
export interface RawPair {
  id: string;
  dataset: DatasetKind;
  group: string;
  image: RgbImage;
  /** image.width · image.height, 0/1. */
  mask: Uint8Array;
  label?: string;
  /** Reference boxes in original pixel coordinates [x0, y0, x1, y1] (Kvasir-SEG bbox json). */
  boxes?: Box[];
  source?: string;
}

/** A box prompt in pixel coordinates of the padded size x size frame: [x0, y0, x1, y1]. */
export type Box = [number, number, number, number];

/** Point prompts: coordinates (x, y) in the padded frame and labels (1 foreground, 0 background). */
export interface Points {
  coords: Array<[number, number]>;
  labels: number[];
}
