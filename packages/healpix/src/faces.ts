// The 12 HEALPix base faces as nside × nside images, and faces padded with pixels of their neighbours.
//
// Image layout (every function here): row-major, index = y·nside + x, where (x, y) are the face
// coordinates of healpy pix2xyf: x grows towards the face's north-east edge, y towards its north-west
// edge. So index 0 is the face's southern corner, index nside−1 its eastern corner, index
// (nside−1)·nside its western corner and the last index its northern corner. A padded image of width
// w = nside + 2·pad puts face pixel (x, y) at (y + pad)·w + (x + pad); positions outside the face take the
// pixel of the neighbouring face at that place, rotated into this face's frame (the same rule as
// healpy's get_all_neighbours, extended to depth `pad`).
//
// Corners: at the 4 polar-face vertices on the pole and at the equatorial faces' east/west vertices
// 4 faces meet and the corner block is filled from the diagonal face. At the other 8 vertices only 3
// faces meet (polar faces' east/west corners, equatorial faces' north/south corners, south faces'
// east/west corners): no pixel lies there. Those corner positions get the mean of their two mirror
// images across the face edges, P(x, y') and P(x', y) (x' = −1−x or 2·nside−1−x, likewise y'), which
// lie in the two edge strips on either side of the missing wedge ('mirror-mean', default), or 0 or NaN.
import { HealpixError } from './errors.js';
import { checkNside, type FloatArray } from './nside.js';
import { internal, offFaceXyf } from './pixel.js';

/** Ordering of the full-sky map the face helpers read or write; default NESTED (`nest: true`). */
export interface FaceOptions {
  /** true (default): the map is NESTED; false: RING. */
  nest?: boolean;
}

/** How to fill the padded corners at vertices where only 3 faces meet. */
export type CornerFill = 'mirror-mean' | 'zero' | 'nan';

/** Options of padFace / padIndex. */
export interface PadOptions extends FaceOptions {
  /** Fill of the corners with no pixel (see the module comment). Default 'mirror-mean'. */
  corner?: CornerFill;
}

/** Pixel index table of a padded face: value(i) = (map[a[i]] + map[b[i]]) / 2, a[i] = b[i] except in mirror-mean corners. */
export interface PadIndex {
  /** Image width nside + 2·pad. */
  width: number;
  /** First source pixel of each padded position; −1 in a missing corner filled with 0 or NaN. */
  a: Int32Array;
  /** Second source pixel (equal to `a` except in mirror-mean corners). */
  b: Int32Array;
}

function checkFace(face: number, fn: string): void {
  if (!Number.isInteger(face) || face < 0 || face > 11) throw new HealpixError(`${fn}: 'face' must be an integer in [0, 11]. Value: ${face}.`);
}

function mapNside(map: ArrayLike<number>, fn: string, nest: boolean): number {
  const nside = Math.round(Math.sqrt(map.length / 12));
  if (12 * nside * nside !== map.length) throw new HealpixError(`${fn}: map length must be 12·nside². Value: ${map.length}.`);
  return checkNside(nside, fn, { nest });
}

function pixelOf(nside: number, x: number, y: number, f: number, nest: boolean): number {
  return nest ? internal.xyf2nest(nside, x, y, f) : internal.xyf2ring(nside, x, y, f);
}

/** Index table of one face: entry y·nside + x holds the map index of face pixel (x, y). */
export function faceIndex(nside: number, face: number, { nest = true }: FaceOptions = {}): Int32Array {
  checkNside(nside, 'faceIndex', { nest: true });
  checkFace(face, 'faceIndex');
  const out = new Int32Array(nside * nside);
  for (let y = 0; y < nside; y++) for (let x = 0; x < nside; x++) out[y * nside + x] = pixelOf(nside, x, y, face, nest);
  return out;
}

function newLike<T extends FloatArray>(map: T, n: number): T {
  return new (map.constructor as { new (k: number): T })(n);
}

/** Base face `face` (0..11) of a full-sky map as an nside × nside image (layout in the module comment); keeps the array type. */
export function face2img<T extends FloatArray>(map: T, face: number, { nest = true }: FaceOptions = {}): T {
  const nside = mapNside(map, 'face2img', true);
  checkFace(face, 'face2img');
  const img = newLike(map, nside * nside);
  if (nest) {
    const off = face * nside * nside;
    for (let y = 0; y < nside; y++) for (let x = 0; x < nside; x++) img[y * nside + x] = map[off + internal.xyf2nest(nside, x, y, 0)]!;
  } else {
    const idx = faceIndex(nside, face, { nest: false });
    for (let i = 0; i < idx.length; i++) img[i] = map[idx[i]!]!;
  }
  return img;
}

/** Writes an nside × nside image back into face `face` of a full-sky map (in place); returns the map. */
export function img2face<T extends FloatArray>(img: ArrayLike<number>, face: number, map: T, { nest = true }: FaceOptions = {}): T {
  const nside = mapNside(map, 'img2face', true);
  checkFace(face, 'img2face');
  if (img.length !== nside * nside) throw new HealpixError(`img2face: image length must be nside² = ${nside * nside}. Value: ${img.length}.`);
  const idx = faceIndex(nside, face, { nest });
  for (let i = 0; i < idx.length; i++) map[idx[i]!] = img[i]!;
  return map;
}

/** All 12 faces of a map as images (face2img for faces 0..11). */
export function map2faces<T extends FloatArray>(map: T, options: FaceOptions = {}): T[] {
  return Array.from({ length: 12 }, (_, f) => face2img(map, f, options));
}

/** A full-sky Float64Array map assembled from 12 face images (inverse of map2faces). */
export function faces2map(imgs: readonly ArrayLike<number>[], { nest = true }: FaceOptions = {}): Float64Array {
  if (imgs.length !== 12) throw new HealpixError(`faces2map: expected 12 face images. Value: ${imgs.length}.`);
  const nside = Math.round(Math.sqrt(imgs[0]!.length));
  checkNside(nside, 'faces2map', { nest: true });
  const map = new Float64Array(12 * nside * nside);
  imgs.forEach((img, f) => img2face(img, f, map, { nest }));
  return map;
}

const padCache = new Map<string, PadIndex>();

/**
 * Source-pixel table of face `face` padded by `pad` pixels (1 ≤ pad ≤ nside) on every side, for gathering
 * padded faces from many maps (e.g. with a tensor gather); see PadIndex. Cached per arguments.
 */
export function padIndex(nside: number, face: number, pad: number, options: PadOptions = {}): PadIndex {
  const { nest = true, corner = 'mirror-mean' } = options;
  checkNside(nside, 'padIndex', { nest: true });
  checkFace(face, 'padIndex');
  if (!Number.isInteger(pad) || pad < 0 || pad > nside) throw new HealpixError(`padIndex: 'pad' must be an integer in [0, nside = ${nside}]. Value: ${pad}.`);
  if (corner !== 'mirror-mean' && corner !== 'zero' && corner !== 'nan') {
    throw new HealpixError(`padIndex: option 'corner' must be 'mirror-mean', 'zero' or 'nan'. Value: ${String(corner)}.`);
  }
  const key = `${nside}:${face}:${pad}:${nest}:${corner}`;
  const hit = padCache.get(key);
  if (hit) return hit;
  const w = nside + 2 * pad;
  const a = new Int32Array(w * w);
  const b = new Int32Array(w * w);
  const tmp = [0, 0, 0];
  const at = (x: number, y: number): number => {
    if (x >= 0 && x < nside && y >= 0 && y < nside) return pixelOf(nside, x, y, face, nest);
    return offFaceXyf(nside, x, y, face, tmp) ? pixelOf(nside, tmp[0]!, tmp[1]!, tmp[2]!, nest) : -1;
  };
  for (let y = -pad; y < nside + pad; y++) {
    for (let x = -pad; x < nside + pad; x++) {
      const i = (y + pad) * w + (x + pad);
      const p = at(x, y);
      if (p >= 0 || corner !== 'mirror-mean') {
        a[i] = p;
        b[i] = p;
      } else {
        const xm = x < 0 ? -1 - x : 2 * nside - 1 - x;
        const ym = y < 0 ? -1 - y : 2 * nside - 1 - y;
        a[i] = at(x, ym);
        b[i] = at(xm, y);
      }
    }
  }
  const result = { width: w, a, b };
  if (padCache.size > 256) padCache.clear();
  padCache.set(key, result);
  return result;
}

/**
 * Face `face` of a full-sky map padded by `pad` pixels from the neighbouring faces: an (nside + 2·pad)²
 * image, same array type as the map (layout and corner rule in the module comment). Map NESTED by default.
 */
export function padFace<T extends FloatArray>(map: T, face: number, pad: number, options: PadOptions = {}): T {
  const nest = options.nest ?? true;
  const nside = mapNside(map, 'padFace', true);
  const { width, a, b } = padIndex(nside, face, pad, { ...options, nest });
  const fill = options.corner === 'nan' ? NaN : 0;
  const out = newLike(map, width * width);
  for (let i = 0; i < out.length; i++) {
    const ia = a[i]!;
    const ib = b[i]!;
    out[i] = ia < 0 ? fill : ia === ib ? map[ia]! : 0.5 * (map[ia]! + map[ib]!);
  }
  return out;
}

/** The 12 padded faces of a map (padFace for faces 0..11). */
export function padFaces<T extends FloatArray>(map: T, pad: number, options: PadOptions = {}): T[] {
  return Array.from({ length: 12 }, (_, f) => padFace(map, f, pad, options));
}
