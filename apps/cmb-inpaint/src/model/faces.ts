// Full-sky RING maps ↔ the network's face images. Each of the 12 HEALPix base faces becomes an
// (nside + 2·pad)² image padded with the neighbouring faces' pixels (healpix padIndex: the same pixels
// healpy's neighbour rule gives, corners where only three faces meet filled with the mirror mean), with
// two channels: the observed map (0 in the hole) and the mask. The network predicts the central
// nside × nside face, which is written back with faceIndex.
import { faceIndex, padIndex } from '@lossworks/healpix';

/** Index tables of one (nside, pad): padded gather tables and the central face's pixels, per face. */
export interface FaceGeometry {
  nside: number;
  pad: number;
  /** Padded image width nside + 2·pad. */
  width: number;
  /** Per face: first and second source pixel of each padded position (RING indices; mean of the two). */
  a: Int32Array[];
  b: Int32Array[];
  /** Per face: RING index of central pixel (x, y) at y·nside + x. */
  centre: Int32Array[];
}

const cache = new Map<string, FaceGeometry>();

/** The face tables for (nside, pad), cached. */
export function faceGeometry(nside: number, pad: number): FaceGeometry {
  const key = `${nside}:${pad}`;
  let g = cache.get(key);
  if (g) return g;
  const a: Int32Array[] = [];
  const b: Int32Array[] = [];
  const centre: Int32Array[] = [];
  for (let f = 0; f < 12; f++) {
    const idx = padIndex(nside, f, pad, { nest: false, corner: 'mirror-mean' });
    a.push(idx.a);
    b.push(idx.b);
    centre.push(faceIndex(nside, f, { nest: false }));
  }
  g = { nside, pad, width: nside + 2 * pad, a, b, centre };
  cache.set(key, g);
  return g;
}

/**
 * Writes face `face` of `map` padded from its neighbours into `out` at channel `channel` of an
 * interleaved [width, width, channels] image starting at `offset`, multiplied by `scale`.
 */
export function gatherFace(
  map: ArrayLike<number>,
  geo: FaceGeometry,
  face: number,
  out: Float32Array | Float64Array,
  { offset = 0, channels = 1, channel = 0, scale = 1 }: { offset?: number; channels?: number; channel?: number; scale?: number } = {},
): void {
  const a = geo.a[face]!;
  const b = geo.b[face]!;
  for (let i = 0; i < a.length; i++) {
    const ia = a[i]!;
    const ib = b[i]!;
    const v = ia === ib ? map[ia]! : 0.5 * (map[ia]! + map[ib]!);
    out[offset + i * channels + channel] = v * scale;
  }
}

/** Writes the central face `face` of `map` (nside² values, times `scale`) into `out` at `offset`. */
export function gatherCentre(map: ArrayLike<number>, geo: FaceGeometry, face: number, out: Float32Array, offset = 0, scale = 1): void {
  const c = geo.centre[face]!;
  for (let i = 0; i < c.length; i++) out[offset + i] = map[c[i]!]! * scale;
}

/** Writes an nside² face image (times `scale`) from `src` at `offset` back into face `face` of `map`. */
export function scatterCentre(src: ArrayLike<number>, geo: FaceGeometry, face: number, map: Float64Array, offset = 0, scale = 1): void {
  const c = geo.centre[face]!;
  for (let i = 0; i < c.length; i++) map[c[i]!] = src[offset + i]! * scale;
}

/** Observed map: the data where the mask is > 0, and 0 in the hole (what the network and baselines see). */
export function observedMap(data: ArrayLike<number>, mask: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: data.length }, (_, p) => (mask[p]! > 0 ? data[p]! : 0));
}

/** Faces (0..11) whose central pixels include at least one unobserved (mask < 1) pixel. */
export function facesWithHoles(mask: ArrayLike<number>, geo: FaceGeometry): number[] {
  const out: number[] = [];
  for (let f = 0; f < 12; f++) if (geo.centre[f]!.some((p) => mask[p]! < 1)) out.push(f);
  return out;
}

/**
 * The two-channel padded input of face `face` ([width, width, 2]: observed/scale, mask) written into
 * `out` at `offset`.
 */
export function faceInput(observed: ArrayLike<number>, mask: ArrayLike<number>, geo: FaceGeometry, face: number, out: Float32Array, offset: number, scale: number): void {
  gatherFace(observed, geo, face, out, { offset, channels: 2, channel: 0, scale: 1 / scale });
  gatherFace(mask, geo, face, out, { offset, channels: 2, channel: 1 });
}
