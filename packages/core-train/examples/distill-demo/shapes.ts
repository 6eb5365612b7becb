// The demo's generated image task: 10 classes of shapes and textures on 32×32 grayscale images with a
// random background gradient, random contrast (bright or dark shapes), a distractor blob and pixel noise.
// Seeded and deterministic: image i of seed s is always the same.
import { Rng, hashSeed } from '../../src/index.js';

/** Class names, in label order. */
export const SHAPE_CLASSES = [
  'disk',
  'ring',
  'square',
  'square outline',
  'triangle',
  'plus',
  'cross',
  'horizontal stripes',
  'vertical stripes',
  'checkerboard',
] as const;

/** Image side in pixels (images are SIZE × SIZE × 1). */
export const SIZE = 32;

/** One generated image: row-major pixels, standardised per image (mean 0, standard deviation 1), and its class. */
export interface ShapeImage {
  pixels: Float32Array;
  label: number;
}

type Inside = (u: number, v: number) => boolean;

/** Membership test of class `label` in the shape's own frame (u, v in pixels, centred, rotated). */
function shapeOf(label: number, r: number, period: number): Inside {
  const w = r * 0.3; // bar half-width of plus / cross
  switch (label) {
    case 0:
      return (u, v) => u * u + v * v < r * r;
    case 1:
      return (u, v) => Math.abs(Math.hypot(u, v) - r * 0.75) < r * 0.25;
    case 2:
      return (u, v) => Math.max(Math.abs(u), Math.abs(v)) < r * 0.8;
    case 3:
      return (u, v) => Math.abs(Math.max(Math.abs(u), Math.abs(v)) - r * 0.72) < r * 0.2;
    case 4: {
      // Equilateral triangle of circumradius r: inside all three half-planes.
      const c = r * 0.5;
      return (u, v) => v < c && v - Math.sqrt(3) * u > -2 * c && v + Math.sqrt(3) * u > -2 * c;
    }
    case 5:
    case 6:
      return (u, v) => (Math.abs(u) < w && Math.abs(v) < r) || (Math.abs(v) < w && Math.abs(u) < r);
    case 7:
      return (u, v) => u * u + v * v < r * r && Math.sin((2 * Math.PI * v) / period) > 0;
    case 8:
      return (u, v) => u * u + v * v < r * r && Math.sin((2 * Math.PI * u) / period) > 0;
    case 9:
      return (u, v) => Math.max(Math.abs(u), Math.abs(v)) < r * 0.85 && Math.sin((2 * Math.PI * u) / period) * Math.sin((2 * Math.PI * v) / period) > 0;
    default:
      throw new RangeError(`shapeOf: label must be 0–9. Value: ${label}.`);
  }
}

/** Rotation of class `label`: free for rotation-invariant shapes, small jitter where orientation is the class. */
function rotationOf(label: number, rng: Rng): number {
  const jitter = ((rng.next() * 2 - 1) * 15 * Math.PI) / 180;
  if (label === 6) return Math.PI / 4 + jitter; // a plus turned by 45°
  if (label === 5 || label >= 7) return jitter;
  return rng.next() * 2 * Math.PI;
}

/** Image `index` of the task for `seed` (label `index mod 10` unless `label` is given). */
export function shapeImage(seed: number, index: number, label = index % SHAPE_CLASSES.length): ShapeImage {
  const rng = new Rng(hashSeed('shapes', seed, index));
  const r = 6 + rng.next() * 5;
  const cx = 9 + rng.next() * 14;
  const cy = 9 + rng.next() * 14;
  const theta = rotationOf(label, rng);
  const [cos, sin] = [Math.cos(theta), Math.sin(theta)];
  const inside = shapeOf(label, r, 4 + rng.next() * 2);
  const background = 0.25 + rng.next() * 0.3;
  const gradAngle = rng.next() * 2 * Math.PI;
  const grad = (rng.next() * 0.3) / SIZE;
  const contrast = (0.3 + rng.next() * 0.35) * (rng.next() < 0.5 ? -1 : 1);
  const blob = rng.next() < 0.6 ? { x: rng.next() * SIZE, y: rng.next() * SIZE, s: 1.2 + rng.next() * 1.5, a: (rng.next() * 2 - 1) * 0.5 } : null;
  const noise = 0.06 + rng.next() * 0.1;
  const pixels = new Float32Array(SIZE * SIZE);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      // 2×2 supersampling for anti-aliased edges.
      let cover = 0;
      for (const [ox, oy] of [[0.25, 0.25], [0.75, 0.25], [0.25, 0.75], [0.75, 0.75]] as const) {
        const dx = x + ox - cx;
        const dy = y + oy - cy;
        if (inside(cos * dx + sin * dy, -sin * dx + cos * dy)) cover += 0.25;
      }
      let value = background + grad * ((x - SIZE / 2) * Math.cos(gradAngle) + (y - SIZE / 2) * Math.sin(gradAngle)) + contrast * cover;
      if (blob) value += blob.a * Math.exp(-((x - blob.x) ** 2 + (y - blob.y) ** 2) / (2 * blob.s * blob.s));
      pixels[y * SIZE + x] = value + noise * rng.normal();
    }
  }
  return { pixels: standardize(pixels), label };
}

/** Per-image standardisation in place: mean 0, standard deviation 1 (the bright/dark and gradient variation stays). */
function standardize(pixels: Float32Array): Float32Array {
  let mean = 0;
  for (const v of pixels) mean += v;
  mean /= pixels.length;
  let sq = 0;
  for (const v of pixels) sq += (v - mean) ** 2;
  const sd = Math.sqrt(sq / pixels.length) || 1;
  for (let i = 0; i < pixels.length; i++) pixels[i] = (pixels[i]! - mean) / sd;
  return pixels;
}
