// SAM preprocessing (segment_anything/utils/transforms.py ResizeLongestSide + Sam.preprocess):
//   1. resize so the longest side is S (the other side int(side·S/longest + 0.5)), keeping the aspect;
//      images bilinear (sharp kernel 'linear'); masks resized as 0/255 with the same bilinear kernel and
//      re-thresholded at 128, which keeps the area faithful when downsampling (nearest would alias thin
//      parts) and gives a smooth boundary along the 0.5 level when upsampling;
//   2. SAM normalisation (x − mean)/std per channel on the 0..255 pixel range;
//   3. pad bottom/right to S × S with zeros (after normalisation, as Sam.preprocess does: 0 = the mean).
import sharp from 'sharp';
import { ValueError } from '@lossworks/core-losses';
import { DataError } from '@lossworks/core-train';
import type { RawPair, RgbImage, SegSample } from './types.js';

/** SAM's per-channel pixel mean (RGB, 0..255 range). */
export const SAM_PIXEL_MEAN: readonly [number, number, number] = [123.675, 116.28, 103.53];
/** SAM's per-channel pixel std (RGB, 0..255 range). */
export const SAM_PIXEL_STD: readonly [number, number, number] = [58.395, 57.12, 57.375];

function checkSize(size: number, fn: string): void {
  if (!(Number.isInteger(size) && size >= 1)) throw new ValueError(`${fn}: 'size' must be a positive integer. Value: ${size}.`);
}

/** [height, width] after resizing the longest side to `size` (SAM's ResizeLongestSide.get_preprocess_shape). */
export function resizedShape(height: number, width: number, size: number): [number, number] {
  checkSize(size, 'resizedShape');
  const scale = size / Math.max(height, width);
  return [Math.max(1, Math.floor(height * scale + 0.5)), Math.max(1, Math.floor(width * scale + 0.5))];
}

/** Bilinear resize of an RGB image (sharp kernel 'linear'; a copy when the size is unchanged). */
export async function resizeRgb(image: RgbImage, width: number, height: number): Promise<RgbImage> {
  if (image.width === width && image.height === height) return { data: image.data.slice(), width, height };
  const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(width, height, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new DataError(`resizeRgb: sharp returned ${info.channels} channels, expected 3.`);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width, height };
}

/** Resize of a 0/1 mask: bilinear on 0/255, then ≥ 128 → 1 (see the file comment). */
export async function resizeMask(mask: Uint8Array, fromWidth: number, fromHeight: number, width: number, height: number): Promise<Uint8Array> {
  if (fromWidth === width && fromHeight === height) return mask.slice();
  const scaled = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) scaled[i] = mask[i] ? 255 : 0;
  const { data, info } = await sharp(scaled, { raw: { width: fromWidth, height: fromHeight, channels: 1 } })
    .resize(width, height, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const c = info.channels;
  const out = new Uint8Array(width * height);
  for (let i = 0; i < out.length; i++) out[i] = data[i * c]! >= 128 ? 1 : 0;
  return out;
}

/** SAM-normalises an RGB image into the top-left of a size × size × 3 float32 array; the rest stays 0. */
export function normalizeAndPad(image: RgbImage, size: number): Float32Array {
  checkSize(size, 'normalizeAndPad');
  if (image.width > size || image.height > size) {
    throw new ValueError(`normalizeAndPad: image ${image.width}×${image.height} does not fit in ${size}×${size}.`);
  }
  const out = new Float32Array(size * size * 3);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const src = (y * image.width + x) * 3;
      const dst = (y * size + x) * 3;
      for (let c = 0; c < 3; c++) out[dst + c] = (image.data[src + c]! - SAM_PIXEL_MEAN[c]!) / SAM_PIXEL_STD[c]!;
    }
  }
  return out;
}

/** Places a width × height 0/1 mask into the top-left of a size × size mask; the rest stays 0. */
export function padMask(mask: Uint8Array, width: number, height: number, size: number): Uint8Array {
  checkSize(size, 'padMask');
  if (width > size || height > size) throw new ValueError(`padMask: mask ${width}×${height} does not fit in ${size}×${size}.`);
  const out = new Uint8Array(size * size);
  for (let y = 0; y < height; y++) out.set(mask.subarray(y * width, (y + 1) * width), y * size);
  return out;
}

/**
 * Turns a decoded pair into a {@link SegSample}: longest side to `size`, SAM normalisation, zero padding
 * bottom/right; reference boxes are scaled into the padded frame.
 */
export async function preprocessPair(pair: RawPair, size: number): Promise<SegSample> {
  checkSize(size, 'preprocessPair');
  const { image } = pair;
  if (pair.mask.length !== image.width * image.height) {
    throw new DataError(`preprocessPair: ${pair.id}: mask has ${pair.mask.length} pixels, image ${image.width}×${image.height}.`, pair.source);
  }
  const [h, w] = resizedShape(image.height, image.width, size);
  const resized = await resizeRgb(image, w, h);
  const mask = await resizeMask(pair.mask, image.width, image.height, w, h);
  const sample: SegSample = {
    id: pair.id,
    dataset: pair.dataset,
    group: pair.group,
    image: normalizeAndPad(resized, size),
    mask: padMask(mask, w, h, size),
    size,
    validHeight: h,
    validWidth: w,
    originalHeight: image.height,
    originalWidth: image.width,
  };
  if (pair.label !== undefined) sample.label = pair.label;
  if (pair.source !== undefined) sample.source = pair.source;
  if (pair.boxes) {
    const sx = w / image.width;
    const sy = h / image.height;
    const clip = (v: number, hi: number) => Math.min(hi, Math.max(0, v));
    sample.boxes = pair.boxes.map(([x0, y0, x1, y1]) => [clip(x0 * sx, w - 1), clip(y0 * sy, h - 1), clip(x1 * sx, w - 1), clip(y1 * sy, h - 1)]);
  }
  return sample;
}

/** The 8-bit RGB pixels of a sample (size · size · 3), undoing SAM normalisation; padding shows as the mean colour. */
export function denormalizeImage(sample: Pick<SegSample, 'image' | 'size'>): Uint8Array {
  const n = sample.size * sample.size;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const v = sample.image[3 * i + c]! * SAM_PIXEL_STD[c]! + SAM_PIXEL_MEAN[c]!;
      out[3 * i + c] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  return out;
}
