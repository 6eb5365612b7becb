import { describe, expect, it } from 'vitest';
import { ValueError } from '@lossworks/core-losses';
import { conicToEllipse, ellipsePerimeter, fitEllipse, fitEllipseConic, rasterizeEllipse, type Ellipse } from '../src/data/ellipse.js';
import { fillOutline } from '../src/data/hc18-fill.js';
import { countOnes, dilate, erode, fillHoles, maskBounds, maskIoU, touchesBorder } from '../src/data/mask-ops.js';

/** The inner boundary of a filled mask: filled pixels with a 4-neighbour that is empty (frame edges do not count). */
function outlineOf(filled: Uint8Array, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!filled[y * w + x]) continue;
      const empty = (xx: number, yy: number) => xx >= 0 && yy >= 0 && xx < w && yy < h && !filled[yy * w + xx];
      if (empty(x - 1, y) || empty(x + 1, y) || empty(x, y - 1) || empty(x, y + 1)) out[y * w + x] = 1;
    }
  }
  return out;
}

describe('fitEllipse (direct least squares, Fitzgibbon et al. 1999)', () => {
  it('recovers an ellipse from exact points on it', () => {
    const truth: Ellipse = { cx: 61.5, cy: 40.25, rx: 30, ry: 17, angle: 0.6 };
    const xs: number[] = [];
    const ys: number[] = [];
    for (let k = 0; k < 50; k++) {
      const t = (2 * Math.PI * k) / 50;
      const u = truth.rx * Math.cos(t);
      const v = truth.ry * Math.sin(t);
      xs.push(truth.cx + u * Math.cos(truth.angle) - v * Math.sin(truth.angle));
      ys.push(truth.cy + u * Math.sin(truth.angle) + v * Math.cos(truth.angle));
    }
    const e = fitEllipse(xs, ys)!;
    // Exact data: the algebraic fit is exact up to float64 rounding of the 3×3 eigenproblem.
    expect(e.cx).toBeCloseTo(truth.cx, 6);
    expect(e.cy).toBeCloseTo(truth.cy, 6);
    expect(e.rx).toBeCloseTo(truth.rx, 6);
    expect(e.ry).toBeCloseTo(truth.ry, 6);
    expect(e.angle).toBeCloseTo(truth.angle, 6);
  });

  it('recovers an ellipse from a 120° arc only (the clipped-outline case)', () => {
    const truth: Ellipse = { cx: 0, cy: 0, rx: 50, ry: 35, angle: 0 };
    const xs: number[] = [];
    const ys: number[] = [];
    for (let k = 0; k <= 40; k++) {
      const t = (-Math.PI / 3) + ((2 * Math.PI) / 3) * (k / 40);
      xs.push(truth.rx * Math.cos(t));
      ys.push(truth.ry * Math.sin(t));
    }
    const e = fitEllipse(xs, ys)!;
    expect(e.rx).toBeCloseTo(50, 4);
    expect(e.ry).toBeCloseTo(35, 4);
  });

  it('returns null for too few or collinear points and rejects length mismatch', () => {
    expect(fitEllipse([1, 2, 3, 4], [1, 2, 3, 4])).toBeNull();
    expect(fitEllipse([0, 1, 2, 3, 4, 5], [0, 1, 2, 3, 4, 5])).toBeNull();
    expect(() => fitEllipseConic([1, 2], [1])).toThrow(ValueError);
  });

  it('conicToEllipse rejects a hyperbola; the perimeter of a circle is 2πr', () => {
    expect(conicToEllipse([1, 0, -1, 0, 0, -1])).toBeNull();
    expect(ellipsePerimeter({ rx: 10, ry: 10 })).toBeCloseTo(20 * Math.PI, 10);
    // Ramanujan II for a 2:1 ellipse: exact value 2π·… = 48.44224110 for semi-axes 10 and 5 (elliptic integral).
    expect(ellipsePerimeter({ rx: 10, ry: 5 })).toBeCloseTo(48.4422411, 5);
  });
});

describe('mask operations', () => {
  it('fillHoles fills a closed 8-connected ring and not an open one', () => {
    const w = 9;
    const ring = new Uint8Array(w * w);
    for (let i = 2; i <= 6; i++) for (const [x, y] of [[i, 2], [i, 6], [2, i], [6, i]] as const) ring[y * w + x] = 1;
    expect(countOnes(fillHoles(ring, w, w))).toBe(25);
    ring[2 * w + 4] = 0; // a gap in the top side
    expect(countOnes(fillHoles(ring, w, w))).toBe(countOnes(ring));
  });

  it('dilate then erode by the same disk gives back a convex blob; bounds and border checks', () => {
    const w = 20;
    const blob = rasterizeEllipse({ cx: 10, cy: 9, rx: 5, ry: 4, angle: 0 }, w, w);
    const back = erode(dilate(blob, w, w, 2), w, w, 2);
    expect(maskIoU(back, blob)).toBe(1);
    expect(maskBounds(blob, w, w)).toEqual([5, 5, 15, 13]);
    expect(maskBounds(new Uint8Array(w * w), w, w)).toBeNull();
    expect(touchesBorder(blob, w, w)).toBe(false);
    expect(touchesBorder(dilate(blob, w, w, 6), w, w)).toBe(true);
  });
});

describe('fillOutline (HC18 outline → filled mask)', () => {
  const w = 160;
  const h = 120;

  it('flood-fills a closed drawn ellipse outline (IoU vs the analytic ellipse ≥ 0.97)', () => {
    const filled = rasterizeEllipse({ cx: 80, cy: 58, rx: 50, ry: 35, angle: 0.4 }, w, h);
    const fill = fillOutline(outlineOf(filled, w, h), w, h);
    expect(fill.method).toBe('flood-fill');
    // The outline is the boundary of the raster itself, so the fill reproduces it exactly.
    expect(maskIoU(fill.mask, filled)).toBeGreaterThanOrEqual(0.97);
    expect(maskIoU(fill.mask, filled)).toBe(1);
    expect(fill.agreement).toBeGreaterThan(0.97);
  });

  it('closes a gap of a few pixels in the outline', () => {
    const filled = rasterizeEllipse({ cx: 80, cy: 60, rx: 45, ry: 38, angle: -0.3 }, w, h);
    const outline = outlineOf(filled, w, h);
    // Cut a 3-pixel gap where the ellipse crosses its major axis on the right.
    let cut = 0;
    for (let y = 0; y < h && cut === 0; y++) {
      for (let x = w - 1; x >= 0; x--) {
        if (outline[y * w + x] && y > 55) {
          for (let dy = -1; dy <= 1; dy++) for (let dx = -2; dx <= 2; dx++) outline[(y + dy) * w + x + dx] = 0;
          cut = 1;
          break;
        }
      }
    }
    expect(countOnes(fillHoles(outline, w, h))).toBe(countOnes(outline)); // the plain flood leaks
    const fill = fillOutline(outline, w, h);
    expect(fill.method).toBe('gap-closed');
    expect(fill.closeRadius).toBeGreaterThan(0);
    expect(maskIoU(fill.mask, filled)).toBeGreaterThanOrEqual(0.97);
  });

  it('falls back to the ellipse fit for an outline clipped by the image border', () => {
    // Centre near the bottom edge: a third of the ellipse lies outside the frame.
    const e: Ellipse = { cx: 70, cy: 100, rx: 48, ry: 36, angle: 0.2 };
    const filled = rasterizeEllipse(e, w, h);
    const outline = outlineOf(filled, w, h);
    expect(touchesBorder(filled, w, h)).toBe(true);
    const fill = fillOutline(outline, w, h);
    expect(fill.method).toBe('ellipse-fit');
    expect(fill.agreement).toBeLessThan(0.5); // the flood leaked through the border
    expect(maskIoU(fill.mask, filled)).toBeGreaterThanOrEqual(0.97);
    expect(fill.ellipse!.cx).toBeCloseTo(e.cx, 0);
    expect(fill.ellipse!.ry).toBeCloseTo(e.ry, 0);
  });

  it('reports an empty outline, and an open curve through which no ellipse fits', () => {
    expect(fillOutline(new Uint8Array(w * h), w, h).method).toBe('empty');
    const line = new Uint8Array(w * h);
    for (let x = 10; x < 100; x++) line[50 * w + x] = 1;
    expect(fillOutline(line, w, h).method).toBe('unfilled');
  });

  it('rejects bad options and sizes', () => {
    expect(() => fillOutline(new Uint8Array(10), w, h)).toThrow(/has 10 values for 160×120/);
    expect(() => fillOutline(new Uint8Array(w * h), w, h, { minAgreement: 0 })).toThrow(/'minAgreement'/);
    expect(() => fillOutline(new Uint8Array(w * h), w, h, { maxCloseRadius: 1.5 })).toThrow(/'maxCloseRadius'/);
  });
});
