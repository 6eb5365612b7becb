import { DataError } from '@lossworks/core-train';

/** Mean of the observed data, weighted by the mask: Σ m·x / Σ m. */
export function observedMean(observed: ArrayLike<number>, mask: ArrayLike<number>): number {
  let s = 0;
  let w = 0;
  for (let p = 0; p < mask.length; p++) {
    s += mask[p]! * observed[p]!;
    w += mask[p]!;
  }
  if (!(w > 0)) throw new DataError('meanFill: the mask observes no pixel (Σ mask = 0).');
  return s / w;
}

/** Mean-fill inpainting: m·x + (1 − m)·x̄ with x̄ the mask-weighted mean of the observed pixels. */
export function meanFill(observed: ArrayLike<number>, mask: ArrayLike<number>): Float64Array {
  if (observed.length !== mask.length) throw new DataError(`meanFill: map and mask lengths differ: ${observed.length} vs ${mask.length}.`);
  const mean = observedMean(observed, mask);
  return Float64Array.from({ length: mask.length }, (_, p) => mask[p]! * observed[p]! + (1 - mask[p]!) * mean);
}
