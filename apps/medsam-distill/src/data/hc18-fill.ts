// HC18 annotations are 1-pixel ellipse OUTLINES; segmentation needs the filled head. The fill, in order:
//   1. flood fill: the background is what is 4-connected to the image border without crossing the outline
//      (scipy binary_fill_holes); the mask is everything else, the outline included;
//   2. gap closing: if the flood leaked (a gap in the outline), dilate the outline by a disk of radius
//      r = 1, 2, … (closing gaps up to about 2r pixels), flood again, and erode the filled region by r;
//   3. ellipse fit: if neither agrees with the direct least-squares ellipse fitted to the outline pixels
//      (an outline clipped by the image border encloses nothing), the fitted ellipse, rasterised, united
//      with the outline pixels (the same convention as the flood fill).
// "Agrees" means IoU ≥ `minAgreement` (0.9) with the rasterised fit: a good flood fill agrees at ≥ 0.97
// on the HC18 data (the annotations are near-ellipses), a leaked one at ≈ 0 (only the outline is left).
import { ValueError } from '@lossworks/core-losses';
import { countOnes, dilate, erode, fillHoles, maskIoU } from './mask-ops.js';
import { fitEllipse, rasterizeEllipse, type Ellipse } from './ellipse.js';

/** How {@link fillOutline} produced a mask. */
export type FillMethod = 'flood-fill' | 'gap-closed' | 'ellipse-fit' | 'empty' | 'unfilled';

/** The result of {@link fillOutline}. */
export interface OutlineFill {
  /** width · height, 0/1: the filled region, outline included. */
  mask: Uint8Array;
  method: FillMethod;
  /** Disk radius used to close gaps (0 unless method is 'gap-closed'). */
  closeRadius: number;
  /** IoU of the flood-filled (or gap-closed) mask with the rasterised ellipse fit; NaN without a fit. */
  agreement: number;
  /** The direct least-squares ellipse through the outline pixels; null when none fits. */
  ellipse: Ellipse | null;
}

/** Options of {@link fillOutline}. */
export interface FillOutlineOptions {
  /** Largest disk radius tried for gap closing (closes gaps up to about 2·r pixels). Default 4; 0 disables. */
  maxCloseRadius?: number;
  /** IoU with the ellipse fit a flood fill must reach to be kept. Default 0.9. */
  minAgreement?: number;
}

/**
 * Turns an outline annotation (width · height, nonzero = outline) into a filled 0/1 mask: flood fill,
 * else gap closing, else a direct least-squares ellipse fit (see the file comment). An empty outline
 * gives an empty mask with method 'empty'; an open outline through which no ellipse fits gives the outline
 * alone with method 'unfilled'.
 */
export function fillOutline(outline: Uint8Array, width: number, height: number, options: FillOutlineOptions = {}): OutlineFill {
  const { maxCloseRadius = 4, minAgreement = 0.9 } = options;
  if (outline.length !== width * height) {
    throw new ValueError(`fillOutline: 'outline' has ${outline.length} values for ${width}×${height}.`);
  }
  if (!(Number.isInteger(maxCloseRadius) && maxCloseRadius >= 0)) {
    throw new ValueError(`fillOutline: option 'maxCloseRadius' must be a non-negative integer. Value: ${maxCloseRadius}.`);
  }
  if (!(minAgreement > 0 && minAgreement <= 1)) throw new ValueError(`fillOutline: option 'minAgreement' must be in (0, 1]. Value: ${minAgreement}.`);
  const line = new Uint8Array(width * height);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < line.length; i++) {
    if (outline[i]) {
      line[i] = 1;
      xs.push(i % width);
      ys.push(Math.floor(i / width));
    }
  }
  if (xs.length === 0) return { mask: line, method: 'empty', closeRadius: 0, agreement: Number.NaN, ellipse: null };

  const ellipse = fitEllipse(xs, ys);
  const fitted = ellipse ? rasterizeEllipse(ellipse, width, height) : null;
  if (fitted) for (let i = 0; i < fitted.length; i++) if (line[i]) fitted[i] = 1;
  const agreementOf = (mask: Uint8Array): number => (fitted ? maskIoU(mask, fitted) : Number.NaN);
  // Without a fit to compare with, a flood fill counts as good when it filled more than the outline.
  const accept = (mask: Uint8Array, agreement: number): boolean =>
    fitted ? agreement >= minAgreement : countOnes(mask) > 2 * xs.length;

  const flood = fillHoles(line, width, height);
  const floodAgreement = agreementOf(flood);
  if (accept(flood, floodAgreement)) return { mask: flood, method: 'flood-fill', closeRadius: 0, agreement: floodAgreement, ellipse };

  for (let r = 1; r <= maxCloseRadius; r++) {
    const closed = erode(fillHoles(dilate(line, width, height, r), width, height), width, height, r);
    for (let i = 0; i < closed.length; i++) if (line[i]) closed[i] = 1;
    const agreement = agreementOf(closed);
    if (accept(closed, agreement)) return { mask: closed, method: 'gap-closed', closeRadius: r, agreement, ellipse };
  }
  if (fitted) return { mask: fitted, method: 'ellipse-fit', closeRadius: 0, agreement: floodAgreement, ellipse };
  // No ellipse and no closed contour: only the outline itself (the HC18 loader rejects this as a DataError).
  return { mask: flood, method: 'unfilled', closeRadius: 0, agreement: Number.NaN, ellipse: null };
}
