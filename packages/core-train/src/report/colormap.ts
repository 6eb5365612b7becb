// Scalar fields → RGBA pixels through a colormap, for reports.
import { ValueError } from '../errors.js';
import type { RawImage } from './png.js';

/** Colormaps {@link colorize} knows. */
export type ColormapName = 'gray' | 'viridis' | 'magma' | 'coolwarm';

// Evenly spaced samples of matplotlib's maps (viridis, magma: 10 samples; coolwarm: Moreland's 8),
// interpolated linearly in RGB: close to, not bit-identical with, matplotlib's 256-entry tables.
const ANCHORS: Record<ColormapName, string[]> = {
  gray: ['#000000', '#ffffff'],
  viridis: ['#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725'],
  magma: ['#000004', '#180f3d', '#440f76', '#721f81', '#9e2f7f', '#cd4071', '#f1605d', '#fd9668', '#feca8d', '#fcfdbf'],
  coolwarm: ['#3b4cc0', '#6788ee', '#9abbff', '#c9d7f0', '#edd1c2', '#f7a889', '#e26952', '#b40426'],
};

/** The names {@link colorize} accepts. */
export const COLORMAPS = Object.keys(ANCHORS) as ColormapName[];

function rgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** The colour of t ∈ [0, 1] (clamped) in colormap `name`. */
export function colormapColor(name: ColormapName, t: number): [number, number, number] {
  const anchors = ANCHORS[name];
  if (!anchors) throw new ValueError(`colormapColor: unknown colormap '${String(name)}'. Known: ${COLORMAPS.join(', ')}.`);
  const u = Math.min(1, Math.max(0, t)) * (anchors.length - 1);
  const i = Math.min(Math.floor(u), anchors.length - 2);
  const f = u - i;
  const a = rgb(anchors[i] as string);
  const b = rgb(anchors[i + 1] as string);
  return [0, 1, 2].map((k) => Math.round((a[k] as number) + ((b[k] as number) - (a[k] as number)) * f)) as [number, number, number];
}

/** Options of {@link colorize}. */
export interface ColorizeOptions {
  /** Default 'viridis'. */
  colormap?: ColormapName;
  /** Value mapped to the first colour; default the smallest finite value. */
  min?: number;
  /** Value mapped to the last colour; default the largest finite value. */
  max?: number;
  /** RGBA for NaN/±Infinity (masked pixels); default transparent. */
  nanColor?: readonly [number, number, number, number];
}

/** A row-major scalar field (height × width) as an RGBA image; also returns the value range used. */
export function colorize(
  data: ArrayLike<number>,
  width: number,
  height: number,
  options: ColorizeOptions = {},
): RawImage & { min: number; max: number } {
  const { colormap = 'viridis', nanColor = [0, 0, 0, 0] } = options;
  if (!ANCHORS[colormap]) throw new ValueError(`colorize: unknown colormap '${String(colormap)}'. Known: ${COLORMAPS.join(', ')}.`);
  if (data.length !== width * height) {
    throw new ValueError(`colorize: data has ${data.length} values, ${width}×${height} needs ${width * height}.`);
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const x = data[i] as number;
    if (Number.isFinite(x)) {
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  }
  const min = options.min ?? (Number.isFinite(lo) ? lo : 0);
  const max = options.max ?? (Number.isFinite(hi) ? hi : 1);
  const span = max - min;
  // A 256-entry lookup table keeps big fields fast.
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) lut.set(colormapColor(colormap, i / 255), i * 3);
  const out = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i++) {
    const x = data[i] as number;
    if (!Number.isFinite(x)) {
      out.set(nanColor, i * 4);
      continue;
    }
    const t = span > 0 ? (x - min) / span : 0.5;
    const k = Math.round(Math.min(1, Math.max(0, t)) * 255) * 3;
    out[i * 4] = lut[k] as number;
    out[i * 4 + 1] = lut[k + 1] as number;
    out[i * 4 + 2] = lut[k + 2] as number;
    out[i * 4 + 3] = 255;
  }
  return { width, height, channels: 4, data: out, min, max };
}
