// Seeded augmentation of a preprocessed sample (the padded, SAM-normalised arrays), applied to image and
// mask together. Geometry works on the valid (unpadded) top-left region only, so the padding stays at the
// bottom/right as SAM expects: flips mirror inside it, a 90° rotation turns it (validWidth and validHeight
// swap), a small-angle rotation turns it about its centre (image bilinear, mask nearest, uncovered corners
// black in pixel space: pixel value 0, as outside an ultrasound sector). Intensity changes undo the
// normalisation, act on 0..255 pixel values (the same factor on all channels, so gray stays gray), clip,
// and normalise again; the padding stays exactly 0. Compute prompts after augmenting.
import { ValueError } from '@lossworks/core-losses';
import type { Rng } from '@lossworks/core-train';
import { SAM_PIXEL_MEAN, SAM_PIXEL_STD } from './preprocess.js';
import type { Box, SegSample } from './types.js';

/** Options of {@link augment}: probabilities in [0, 1], ranges ≥ 0. */
export interface AugmentOptions {
  /** Probability of a horizontal flip. Default 0.5. */
  flipH?: number;
  /** Probability of a vertical flip. Default 0. */
  flipV?: number;
  /** Probability of a 90°, 180° or 270° rotation (equally likely). Default 0. */
  rot90?: number;
  /** Largest small-angle rotation in degrees, uniform in ±rotate. Default 0 (off). */
  rotate?: number;
  /** Brightness shift, uniform in ±brightness × 255. Default 0.1. */
  brightness?: number;
  /** Contrast factor about the valid region's mean, uniform in 1 ± contrast. Default 0.1. */
  contrast?: number;
  /** Gamma exp(U(±gamma)) on the 0..1 pixel scale. Default 0.1. */
  gamma?: number;
  /** Multiplicative speckle-like noise: each pixel × max(0, 1 + speckle · N(0, 1)). Default 0. */
  speckle?: number;
}

/** Defaults for ultrasound: no vertical flip (the probe is at the top), speckle noise on. */
export const ULTRASOUND_AUGMENT: AugmentOptions = { flipH: 0.5, flipV: 0, rot90: 0, rotate: 10, brightness: 0.1, contrast: 0.15, gamma: 0.15, speckle: 0.1 };
/** Defaults for endoscopy / dermoscopy: any orientation. */
export const ENDOSCOPY_AUGMENT: AugmentOptions = { flipH: 0.5, flipV: 0.5, rot90: 0.5, rotate: 0, brightness: 0.1, contrast: 0.1, gamma: 0.1, speckle: 0 };

type Mapper = (x: number, y: number) => [number, number];

/** Moves the valid region's pixels: out(x, y) = in(src(x, y)), for image (3 channels) and mask. */
function remap(s: SegSample, outW: number, outH: number, src: Mapper): { image: Float32Array; mask: Uint8Array } {
  const { size } = s;
  const image = new Float32Array(size * size * 3);
  const mask = new Uint8Array(size * size);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const [sx, sy] = src(x, y);
      const i = y * size + x;
      const j = sy * size + sx;
      mask[i] = s.mask[j]!;
      image[3 * i] = s.image[3 * j]!;
      image[3 * i + 1] = s.image[3 * j + 1]!;
      image[3 * i + 2] = s.image[3 * j + 2]!;
    }
  }
  return { image, mask };
}

function rotateSmall(s: SegSample, degrees: number): { image: Float32Array; mask: Uint8Array } {
  const { size, validWidth: w, validHeight: h } = s;
  const t = (degrees * Math.PI) / 180;
  const cos = Math.cos(t);
  const sin = Math.sin(t);
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const black = [0, 1, 2].map((c) => (0 - SAM_PIXEL_MEAN[c]!) / SAM_PIXEL_STD[c]!);
  const image = new Float32Array(size * size * 3);
  const mask = new Uint8Array(size * size);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // Inverse map: where this output pixel comes from.
      const sx = cos * (x - cx) + sin * (y - cy) + cx;
      const sy = -sin * (x - cx) + cos * (y - cy) + cy;
      const i = y * size + x;
      const nx = Math.round(sx);
      const ny = Math.round(sy);
      if (nx >= 0 && nx < w && ny >= 0 && ny < h) mask[i] = s.mask[ny * size + nx]!;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      for (let c = 0; c < 3; c++) {
        let v = 0;
        for (const [dx, dy, wgt] of [
          [0, 0, (1 - fx) * (1 - fy)],
          [1, 0, fx * (1 - fy)],
          [0, 1, (1 - fx) * fy],
          [1, 1, fx * fy],
        ] as const) {
          const xx = x0 + dx;
          const yy = y0 + dy;
          v += wgt * (xx >= 0 && xx < w && yy >= 0 && yy < h ? s.image[3 * (yy * size + xx) + c]! : black[c]!);
        }
        image[3 * i + c] = v;
      }
    }
  }
  return { image, mask };
}

function checkOptions(o: Required<AugmentOptions>): void {
  for (const k of ['flipH', 'flipV', 'rot90'] as const) {
    if (!(o[k] >= 0 && o[k] <= 1)) throw new ValueError(`augment: option '${k}' must be a probability in [0, 1]. Value: ${o[k]}.`);
  }
  for (const k of ['rotate', 'brightness', 'contrast', 'gamma', 'speckle'] as const) {
    if (!(o[k] >= 0 && Number.isFinite(o[k]))) throw new ValueError(`augment: option '${k}' must be a finite number ≥ 0. Value: ${o[k]}.`);
  }
}

/**
 * A randomly augmented copy of a sample (see the file comment); the input is not changed. Reference
 * boxes follow flips and 90° rotations and are dropped by small-angle rotations.
 */
export function augment(sample: SegSample, rng: Rng, options: AugmentOptions = {}): SegSample {
  const o: Required<AugmentOptions> = { flipH: 0.5, flipV: 0, rot90: 0, rotate: 0, brightness: 0.1, contrast: 0.1, gamma: 0.1, speckle: 0, ...options };
  checkOptions(o);
  let s: SegSample = { ...sample, image: sample.image.slice(), mask: sample.mask.slice() };
  if (sample.boxes) s.boxes = sample.boxes.map((b) => [...b] as Box);
  const step = (w: number, h: number, src: Mapper, box: (b: Box) => Box): void => {
    const moved = remap(s, w, h, src);
    s = { ...s, ...moved, validWidth: w, validHeight: h };
    if (s.boxes) s.boxes = s.boxes.map(box);
  };
  // Every random draw happens whether or not its option is on, so the stream does not shift with options.
  const doH = rng.next() < o.flipH;
  const doV = rng.next() < o.flipV;
  const doR = rng.next() < o.rot90;
  const turns = 1 + rng.int(3);
  const angle = (rng.next() * 2 - 1) * o.rotate;
  const brightness = (rng.next() * 2 - 1) * o.brightness * 255;
  const contrast = 1 + (rng.next() * 2 - 1) * o.contrast;
  const gamma = Math.exp((rng.next() * 2 - 1) * o.gamma);

  if (doH) {
    const w = s.validWidth;
    step(w, s.validHeight, (x, y) => [w - 1 - x, y], ([x0, y0, x1, y1]) => [w - 1 - x1, y0, w - 1 - x0, y1]);
  }
  if (doV) {
    const h = s.validHeight;
    step(s.validWidth, h, (x, y) => [x, h - 1 - y], ([x0, y0, x1, y1]) => [x0, h - 1 - y1, x1, h - 1 - y0]);
  }
  if (doR) {
    for (let t = 0; t < turns; t++) {
      // 90° counter-clockwise on screen: out(x, y) = in(W − 1 − y, x); the new region is H wide, W high.
      const w = s.validWidth;
      const h = s.validHeight;
      step(h, w, (x, y) => [w - 1 - y, x], ([x0, y0, x1, y1]) => [y0, w - 1 - x1, y1, w - 1 - x0]);
    }
  }
  if (o.rotate > 0 && angle !== 0) {
    s = { ...s, ...rotateSmall(s, angle) };
    delete s.boxes;
  }
  const intensity = o.brightness > 0 || o.contrast > 0 || o.gamma > 0 || o.speckle > 0;
  if (intensity) applyIntensity(s, rng, brightness, contrast, gamma, o.speckle);
  return s;
}

/** Brightness, contrast, gamma and speckle on pixel values of the valid region, in place. */
function applyIntensity(s: SegSample, rng: Rng, brightness: number, contrast: number, gamma: number, speckle: number): void {
  const { size, validWidth: w, validHeight: h, image } = s;
  let mean = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = 3 * (y * size + x);
      for (let c = 0; c < 3; c++) mean += image[i + c]! * SAM_PIXEL_STD[c]! + SAM_PIXEL_MEAN[c]!;
    }
  }
  mean /= 3 * w * h;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = 3 * (y * size + x);
      const noise = speckle > 0 ? Math.max(0, 1 + speckle * rng.normal()) : 1;
      for (let c = 0; c < 3; c++) {
        let v = image[i + c]! * SAM_PIXEL_STD[c]! + SAM_PIXEL_MEAN[c]!;
        v = (v - mean) * contrast + mean + brightness;
        v = 255 * Math.pow(Math.min(1, Math.max(0, v / 255)), gamma);
        v = Math.min(255, Math.max(0, v * noise));
        image[i + c] = (v - SAM_PIXEL_MEAN[c]!) / SAM_PIXEL_STD[c]!;
      }
    }
  }
}
