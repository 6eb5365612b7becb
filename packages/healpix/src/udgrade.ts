import { HealpixError } from './errors.js';
import { checkNside, UNSEEN, type FloatArray, type Ordering } from './nside.js';
import { reorder } from './pixel.js';

/** healpy mask_bad: true when v is within 1e-5 relative (plus 1e-8) of UNSEEN. */
export function isUnseen(v: number): boolean {
  return Math.abs(v - UNSEEN) <= 1e-8 + 1e-5 * Math.abs(UNSEEN);
}

/** Options of udGrade (healpy ud_grade). */
export interface UdGradeOptions {
  /** Ordering of the input map. Default 'RING'. */
  orderIn?: Ordering;
  /** Ordering of the output map. Default: orderIn. */
  orderOut?: Ordering;
  /** Pessimistic downgrade: an output pixel is UNSEEN as soon as one of its sub-pixels is bad. Default false. */
  pess?: boolean;
  /** Scale values by (nsideOut/nsideIn)^power (power −2 keeps sums, e.g. hit counts). Default: none (averages). */
  power?: number;
}

/**
 * Changes the resolution of a map, as healpy ud_grade: a downgrade averages the good sub-pixels of each
 * output pixel (UNSEEN and non-finite values are bad; an output with no good sub-pixel, or with any bad
 * one when `pess`, is UNSEEN); an upgrade copies each value to its sub-pixels. Returns the input's array
 * type. Difference from healpy: with `power` on an upgrade, UNSEEN inputs stay UNSEEN (healpy scales them).
 */
export function udGrade<T extends FloatArray>(map: T, nsideOut: number, options: UdGradeOptions = {}): T {
  const { orderIn = 'RING', pess = false, power } = options;
  const orderOut = options.orderOut ?? orderIn;
  for (const [name, o] of [['orderIn', orderIn], ['orderOut', orderOut]] as const) {
    if (o !== 'RING' && o !== 'NESTED') throw new HealpixError(`udGrade: option '${name}' must be 'RING' or 'NESTED'. Value: ${String(o)}.`);
  }
  const nsideIn = Math.round(Math.sqrt(map.length / 12));
  if (12 * nsideIn * nsideIn !== map.length) throw new HealpixError(`udGrade: map length must be 12·nside². Value: ${map.length}.`);
  checkNside(nsideIn, 'udGrade', { nest: true });
  checkNside(nsideOut, 'udGrade', { nest: true });
  if (power !== undefined && !Number.isFinite(power)) throw new HealpixError(`udGrade: option 'power' must be finite. Value: ${power}.`);
  const ratio = power ? (nsideOut / nsideIn) ** power : 1;
  const Ctor = map.constructor as { new (n: number): T };
  const nested = orderIn === 'NESTED' ? map : reorder(map, 'r2n');
  const npixOut = 12 * nsideOut * nsideOut;
  let outNest: T;
  if (nsideOut > nsideIn) {
    const rat2 = npixOut / map.length;
    outNest = new Ctor(npixOut);
    for (let p = 0; p < map.length; p++) {
      const v = nested[p]!;
      const w = isUnseen(v) ? UNSEEN : v * ratio;
      outNest.fill(w, p * rat2, (p + 1) * rat2);
    }
  } else if (nsideOut < nsideIn) {
    const rat2 = map.length / npixOut;
    outNest = new Ctor(npixOut);
    for (let q = 0; q < npixOut; q++) {
      let sum = 0;
      let nhit = 0;
      for (let k = q * rat2, end = k + rat2; k < end; k++) {
        const v = nested[k]!;
        if (Number.isFinite(v) && !isUnseen(v)) {
          sum += v;
          nhit++;
        }
      }
      const bad = pess ? nhit !== rat2 : nhit === 0;
      outNest[q] = bad ? UNSEEN : (sum * ratio) / nhit;
    }
  } else {
    outNest = nested === map ? (map.slice() as T) : nested;
  }
  if (orderOut === 'NESTED') return outNest;
  return reorder(outNest, 'n2r');
}
