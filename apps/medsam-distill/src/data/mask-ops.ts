// Binary mask operations on row-major Uint8Array masks (0 / 1, width · height): flood fill, disk
// morphology, IoU and bounding boxes. Plain loops, no tensors: masks are small and this runs per file.

/**
 * Pixels 4-connected to the image border through 0-pixels of `barrier` (scipy `binary_fill_holes`'s
 * background: its default structure is the 4-neighbourhood cross). Returns 1 for reachable background.
 */
export function floodFromBorder(barrier: Uint8Array, width: number, height: number): Uint8Array {
  const reached = new Uint8Array(width * height);
  const stack = new Int32Array(width * height);
  let top = 0;
  const push = (i: number): void => {
    if (barrier[i] === 0 && reached[i] === 0) {
      reached[i] = 1;
      stack[top++] = i;
    }
  };
  for (let x = 0; x < width; x++) {
    push(x);
    push((height - 1) * width + x);
  }
  for (let y = 0; y < height; y++) {
    push(y * width);
    push(y * width + width - 1);
  }
  while (top > 0) {
    const i = stack[--top]!;
    const x = i % width;
    if (x > 0) push(i - 1);
    if (x < width - 1) push(i + 1);
    if (i >= width) push(i - width);
    if (i < (height - 1) * width) push(i + width);
  }
  return reached;
}

/** Fills the holes of `mask` (everything not 4-connected to the border through background): binary_fill_holes. */
export function fillHoles(mask: Uint8Array, width: number, height: number): Uint8Array {
  const outside = floodFromBorder(mask, width, height);
  const out = new Uint8Array(width * height);
  for (let i = 0; i < out.length; i++) out[i] = outside[i] ? 0 : 1;
  return out;
}

/** Offsets (dx, dy) of a digital disk of the given radius (dx² + dy² ≤ r²). */
function diskOffsets(radius: number): Array<[number, number]> {
  const r = Math.floor(radius);
  const out: Array<[number, number]> = [];
  for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) if (dx * dx + dy * dy <= radius * radius) out.push([dx, dy]);
  return out;
}

/** Binary dilation by a disk of `radius` pixels (pixels outside the frame count as 0). */
export function dilate(mask: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  if (radius <= 0) return mask.slice();
  const offsets = diskOffsets(radius);
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!mask[y * width + x]) continue;
      for (const [dx, dy] of offsets) {
        const xx = x + dx;
        const yy = y + dy;
        if (xx >= 0 && xx < width && yy >= 0 && yy < height) out[yy * width + xx] = 1;
      }
    }
  }
  return out;
}

/** Binary erosion by a disk of `radius` pixels (pixels outside the frame count as 1, so the border does not erode). */
export function erode(mask: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  if (radius <= 0) return mask.slice();
  const inv = new Uint8Array(width * height);
  for (let i = 0; i < inv.length; i++) inv[i] = mask[i] ? 0 : 1;
  const grown = dilate(inv, width, height, radius);
  for (let i = 0; i < grown.length; i++) grown[i] = grown[i] ? 0 : 1;
  return grown;
}

/** Number of 1-pixels. */
export function countOnes(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) n++;
  return n;
}

/** Intersection over union of two binary masks of equal length; 1 when both are empty. */
export function maskIoU(a: Uint8Array, b: Uint8Array): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    const p = a[i] ? 1 : 0;
    const q = b[i] ? 1 : 0;
    inter += p & q;
    union += p | q;
  }
  return union === 0 ? 1 : inter / union;
}

/** Whether any 1-pixel lies on the outermost row or column. */
export function touchesBorder(mask: Uint8Array, width: number, height: number): boolean {
  for (let x = 0; x < width; x++) if (mask[x] || mask[(height - 1) * width + x]) return true;
  for (let y = 0; y < height; y++) if (mask[y * width] || mask[y * width + width - 1]) return true;
  return false;
}

/**
 * Tight bounding box [x0, y0, x1, y1] of the 1-pixels (inclusive pixel indices, as MedSAM's
 * `np.min/np.max` of the mask indices), or null for an empty mask.
 */
export function maskBounds(
  mask: Uint8Array,
  width: number,
  height: number,
): [number, number, number, number] | null {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (!mask[row + x]) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return x1 < 0 ? null : [x0, y0, x1, y1];
}
