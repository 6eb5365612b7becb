// Overlay strips for the report: the image, then the truth and each model's prediction drawn over it
// (tinted region and outline), side by side, cropped to the valid region; PNG via core-train's encoder.
import { encodePng } from '@lossworks/core-train/report';
import { denormalizeImage, type Box, type SegSample } from '../data/index.js';

/** An RGB colour. */
export type Rgb = [number, number, number];

/** Panel colours: truth green, predictions per model. */
export const PANEL_COLORS: Record<string, Rgb> = {
  truth: [40, 220, 80],
  teacher: [255, 170, 0],
  'student-kd': [230, 40, 230],
  'student-scratch': [40, 160, 255],
};

/** RGB pixels of the valid region of a sample. */
function crop(sample: SegSample): Uint8Array {
  const full = denormalizeImage(sample);
  const { size, validWidth: w, validHeight: h } = sample;
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) out.set(full.subarray(3 * y * size, 3 * (y * size + w)), 3 * y * w);
  return out;
}

/** Draws a mask (S × S, cropped to w × h) over RGB pixels: tint inside, solid outline, box corners. */
function drawMask(rgb: Uint8Array, mask: Uint8Array, sample: SegSample, color: Rgb, box?: Box): Uint8Array {
  const { size, validWidth: w, validHeight: h } = sample;
  const out = rgb.slice();
  const at = (x: number, y: number) => x >= 0 && y >= 0 && x < w && y < h && mask[y * size + x] === 1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!at(x, y)) continue;
      const edge = !at(x - 1, y) || !at(x + 1, y) || !at(x, y - 1) || !at(x, y + 1);
      const a = edge ? 1 : 0.35;
      for (let c = 0; c < 3; c++) out[3 * (y * w + x) + c] = Math.round((1 - a) * out[3 * (y * w + x) + c]! + a * color[c]!);
    }
  }
  if (box) {
    const [x0, y0, x1, y1] = box.map(Math.round) as Box;
    for (let x = x0; x <= x1; x++) {
      for (const y of [y0, y1]) if (x >= 0 && x < w && y >= 0 && y < h) out.set([255, 255, 255], 3 * (y * w + x));
    }
    for (let y = y0; y <= y1; y++) {
      for (const x of [x0, x1]) if (x >= 0 && x < w && y >= 0 && y < h) out.set([255, 255, 255], 3 * (y * w + x));
    }
  }
  return out;
}

/**
 * One PNG strip: image (with the box prompt), truth, then one panel per prediction (0/1 S × S masks),
 * separated by 2-pixel white gaps. Returns the PNG bytes and the strip size.
 */
export function overlayStrip(sample: SegSample, box: Box, predictions: ReadonlyArray<{ name: string; mask: Uint8Array }>): { png: Uint8Array; width: number; height: number } {
  const { validWidth: w, validHeight: h } = sample;
  const base = crop(sample);
  const panels = [
    drawMask(base, new Uint8Array(sample.size * sample.size), sample, [0, 0, 0], box),
    drawMask(base, sample.mask, sample, PANEL_COLORS.truth!),
    ...predictions.map((p) => drawMask(base, p.mask, sample, PANEL_COLORS[p.name] ?? [255, 0, 0])),
  ];
  const gap = 2;
  const width = panels.length * w + (panels.length - 1) * gap;
  const data = new Uint8Array(width * h * 3).fill(255);
  panels.forEach((p, i) => {
    for (let y = 0; y < h; y++) data.set(p.subarray(3 * y * w, 3 * (y + 1) * w), 3 * (y * width + i * (w + gap)));
  });
  return { png: encodePng({ width, height: h, channels: 3, data }), width, height: h };
}
