// HEALPix pixel indexing (Górski et al. 2005, ApJ 622, 759), following the integer algorithms of
// HEALPix C++ healpix_base.cc as used by healpy. Every index stays below 2^31 (nside ≤ 8192), so the
// bit operations on 32-bit integers are exact; products that can exceed 2^31 are done in doubles.
import { HealpixError } from './errors.js';
import { checkNside, checkPixel, type SchemeOptions } from './nside.js';

const TWOTHIRD = 2 / 3;
const HALFPI = Math.PI / 2;
const INV_HALFPI = 2 / Math.PI;
/** Ring index (in units of nside) of each base face's southernmost corner, +1. */
const JRLL = [2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4] as const;
/** Longitude index (in units of π/4) of each base face's centre. */
const JPLL = [1, 3, 5, 7, 0, 2, 4, 6, 1, 3, 5, 7] as const;

/** Internal: constants of one resolution. */
interface Base {
  nside: number;
  order: number; // log2(nside), −1 when nside is not a power of two
  npface: number;
  ncap: number;
  npix: number;
  fact1: number;
  fact2: number;
}

const baseCache = new Map<number, Base>();
function base(nside: number): Base {
  let b = baseCache.get(nside);
  if (b === undefined) {
    const npix = 12 * nside * nside;
    const order = (nside & (nside - 1)) === 0 ? 31 - Math.clz32(nside) : -1;
    b = { nside, order, npface: nside * nside, ncap: 2 * nside * (nside - 1), npix, fact2: 4 / npix, fact1: (2 * nside * 4) / npix };
    baseCache.set(nside, b);
  }
  return b;
}

function resolve(nside: number, fn: string, nest: boolean): Base {
  checkNside(nside, fn, { nest });
  return base(nside);
}

/** Integer square root ⌊√v⌋ for 0 ≤ v < 2^52. */
function isqrt(v: number): number {
  let s = Math.floor(Math.sqrt(v));
  while (s * s > v) s--;
  while ((s + 1) * (s + 1) <= v) s++;
  return s;
}

/** Spreads the low 16 bits of v to the even bit positions. */
export function spreadBits(v: number): number {
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  v = (v | (v << 1)) & 0x55555555;
  return v;
}

/** Inverse of spreadBits: gathers the even bits of v. */
export function compressBits(v: number): number {
  v &= 0x55555555;
  v = (v | (v >>> 1)) & 0x33333333;
  v = (v | (v >>> 2)) & 0x0f0f0f0f;
  v = (v | (v >>> 4)) & 0x00ff00ff;
  v = (v | (v >>> 8)) & 0x0000ffff;
  return v;
}

function fmodulo(v1: number, v2: number): number {
  if (v1 >= 0) return v1 < v2 ? v1 : v1 % v2;
  const tmp = (v1 % v2) + v2;
  return tmp === v2 ? 0 : tmp;
}

// ---------------------------------------------------------------------------------------------
// (x, y, face) <-> index
// ---------------------------------------------------------------------------------------------

function xyf2nestB(b: Base, ix: number, iy: number, face: number): number {
  return face * b.npface + spreadBits(ix) + 2 * spreadBits(iy);
}

function nest2xyfB(b: Base, pix: number, out: number[]): void {
  const face = Math.floor(pix / b.npface);
  const p = pix - face * b.npface;
  out[0] = compressBits(p);
  out[1] = compressBits(p >>> 1);
  out[2] = face;
}

function xyf2ringB(b: Base, ix: number, iy: number, face: number): number {
  const nside = b.nside;
  const nl4 = 4 * nside;
  const jr = JRLL[face]! * nside - ix - iy - 1;
  let nr: number;
  let nBefore: number;
  let kshift: number;
  if (jr < nside) {
    nr = jr;
    nBefore = 2 * nr * (nr - 1);
    kshift = 0;
  } else if (jr > 3 * nside) {
    nr = nl4 - jr;
    nBefore = b.npix - 2 * (nr + 1) * nr;
    kshift = 0;
  } else {
    nr = nside;
    nBefore = b.ncap + (jr - nside) * nl4;
    kshift = (jr - nside) & 1;
  }
  let jp = (JPLL[face]! * nr + ix - iy + 1 + kshift) / 2; // always an integer
  if (jp > nl4) jp -= nl4;
  else if (jp < 1) jp += nl4;
  return nBefore + jp - 1;
}

function ring2xyfB(b: Base, pix: number, out: number[]): void {
  const nside = b.nside;
  const nl2 = 2 * nside;
  let iring: number;
  let iphi: number;
  let kshift: number;
  let nr: number;
  let face: number;
  if (pix < b.ncap) {
    iring = (1 + isqrt(1 + 2 * pix)) >> 1;
    iphi = pix + 1 - 2 * iring * (iring - 1);
    kshift = 0;
    nr = iring;
    face = Math.floor((iphi - 1) / nr);
  } else if (pix < b.npix - b.ncap) {
    const ip = pix - b.ncap;
    const tmp = Math.floor(ip / (4 * nside));
    iring = tmp + nside;
    iphi = ip - tmp * 4 * nside + 1;
    kshift = (iring + nside) & 1;
    nr = nside;
    const ire = tmp + 1;
    const irm = nl2 + 2 - ire;
    const ifm = Math.floor((iphi - (ire >> 1) + nside - 1) / nside);
    const ifp = Math.floor((iphi - (irm >> 1) + nside - 1) / nside);
    face = ifp === ifm ? ifp | 4 : ifp < ifm ? ifp : ifm + 8;
  } else {
    const ip = b.npix - pix;
    iring = (1 + isqrt(2 * ip - 1)) >> 1;
    iphi = 4 * iring + 1 - (ip - 2 * iring * (iring - 1));
    kshift = 0;
    nr = iring;
    iring = 2 * nl2 - iring;
    face = 8 + Math.floor((iphi - 1) / nr);
  }
  const irt = iring - JRLL[face]! * nside + 1;
  let ipt = 2 * iphi - JPLL[face]! * nr - kshift - 1;
  if (ipt >= nl2) ipt -= 8 * nside;
  out[0] = (ipt - irt) >> 1;
  out[1] = (-ipt - irt) >> 1;
  out[2] = face;
}

/** Index of pixel (x, y) of base face `face` (0..11); x, y in [0, nside). */
export function xyf2pix(nside: number, x: number, y: number, face: number, { nest = false }: SchemeOptions = {}): number {
  const b = resolve(nside, 'xyf2pix', nest);
  if (!Number.isInteger(face) || face < 0 || face > 11) throw new HealpixError(`xyf2pix: 'face' must be an integer in [0, 11]. Value: ${face}.`);
  for (const [name, v] of [['x', x], ['y', y]] as const) {
    if (!Number.isInteger(v) || v < 0 || v >= nside) throw new HealpixError(`xyf2pix: '${name}' must be an integer in [0, ${nside - 1}]. Value: ${v}.`);
  }
  return nest ? xyf2nestB(b, x, y, face) : xyf2ringB(b, x, y, face);
}

/** [x, y, face] of a pixel: its position in its base face (x towards the face's east-north edge, y towards the west-north edge). */
export function pix2xyf(nside: number, pix: number, { nest = false }: SchemeOptions = {}): [number, number, number] {
  const b = resolve(nside, 'pix2xyf', nest);
  checkPixel(pix, b.npix, 'pix2xyf');
  const out = [0, 0, 0];
  if (nest) nest2xyfB(b, pix, out);
  else ring2xyfB(b, pix, out);
  return out as [number, number, number];
}

/** RING index of a NESTED pixel (healpy nest2ring). */
export function nest2ring(nside: number, pix: number): number {
  const b = resolve(nside, 'nest2ring', true);
  checkPixel(pix, b.npix, 'nest2ring');
  const out = [0, 0, 0];
  nest2xyfB(b, pix, out);
  return xyf2ringB(b, out[0]!, out[1]!, out[2]!);
}

/** NESTED index of a RING pixel (healpy ring2nest). */
export function ring2nest(nside: number, pix: number): number {
  const b = resolve(nside, 'ring2nest', true);
  checkPixel(pix, b.npix, 'ring2nest');
  const out = [0, 0, 0];
  ring2xyfB(b, pix, out);
  return xyf2nestB(b, out[0]!, out[1]!, out[2]!);
}

const permCache = new Map<string, Int32Array>();
/** Permutation table: `table[i]` is the RING index of NESTED pixel i (`n2r`), or the NESTED index of RING pixel i (`r2n`); cached. */
export function reorderTable(nside: number, direction: 'n2r' | 'r2n'): Int32Array {
  const key = `${nside}:${direction}`;
  let t = permCache.get(key);
  if (t === undefined) {
    const b = resolve(nside, 'reorderTable', true);
    t = new Int32Array(b.npix);
    const out = [0, 0, 0];
    for (let p = 0; p < b.npix; p++) {
      if (direction === 'n2r') {
        nest2xyfB(b, p, out);
        t[p] = xyf2ringB(b, out[0]!, out[1]!, out[2]!);
      } else {
        ring2xyfB(b, p, out);
        t[p] = xyf2nestB(b, out[0]!, out[1]!, out[2]!);
      }
    }
    if (permCache.size > 8) permCache.clear();
    permCache.set(key, t);
  }
  return t;
}

/** A copy of `map` reordered RING→NESTED (`r2n`) or NESTED→RING (`n2r`), as healpy reorder; keeps the array type. */
export function reorder<T extends Float64Array | Float32Array>(map: T, direction: 'n2r' | 'r2n'): T {
  const nside = Math.round(Math.sqrt(map.length / 12));
  if (12 * nside * nside !== map.length) throw new HealpixError(`reorder: map length must be 12·nside². Value: ${map.length}.`);
  const table = reorderTable(checkNside(nside, 'reorder', { nest: true }), direction);
  const out = new (map.constructor as { new (n: number): T })(map.length);
  // table[i] maps an index in the input scheme to the output scheme.
  for (let i = 0; i < map.length; i++) out[table[i]!] = map[i]!;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Angles and vectors
// ---------------------------------------------------------------------------------------------

function loc2pix(b: Base, z: number, phi: number, sth: number, haveSth: boolean, nest: boolean): number {
  const nside = b.nside;
  const za = Math.abs(z);
  const tt = fmodulo(phi * INV_HALFPI, 4.0); // in [0, 4)
  if (!nest) {
    if (za <= TWOTHIRD) {
      const nl4 = 4 * nside;
      const temp1 = nside * (0.5 + tt);
      const temp2 = nside * z * 0.75;
      const jp = Math.floor(temp1 - temp2); // ascending edge line
      const jm = Math.floor(temp1 + temp2); // descending edge line
      const ir = nside + 1 + jp - jm; // ring number counted from z = 2/3, in [1, 2nside+1]
      const kshift = 1 - (ir & 1);
      const t1 = jp + jm - nside + kshift + 1 + nl4 + nl4;
      const ip = (t1 >> 1) % nl4;
      return b.ncap + (ir - 1) * nl4 + ip;
    }
    const tp = tt - Math.floor(tt);
    const tmp = haveSth ? (nside * sth) / Math.sqrt((1 + za) / 3) : nside * Math.sqrt(3 * (1 - za));
    const jp = Math.floor(tp * tmp);
    const jm = Math.floor((1 - tp) * tmp);
    const ir = jp + jm + 1; // ring counted from the closest pole
    const ip = Math.floor(tt * ir); // in [0, 4 ir)
    return z > 0 ? 2 * ir * (ir - 1) + ip : b.npix - 2 * ir * (ir + 1) + ip;
  }
  if (za <= TWOTHIRD) {
    const temp1 = nside * (0.5 + tt);
    const temp2 = nside * (z * 0.75);
    const jp = Math.floor(temp1 - temp2);
    const jm = Math.floor(temp1 + temp2);
    const ifp = jp >> b.order;
    const ifm = jm >> b.order;
    const face = ifp === ifm ? ifp | 4 : ifp < ifm ? ifp : ifm + 8;
    const ix = jm & (nside - 1);
    const iy = nside - (jp & (nside - 1)) - 1;
    return xyf2nestB(b, ix, iy, face);
  }
  const ntt = Math.min(3, Math.floor(tt));
  const tp = tt - ntt;
  const tmp = haveSth ? (nside * sth) / Math.sqrt((1 + za) / 3) : nside * Math.sqrt(3 * (1 - za));
  const jp = Math.min(Math.floor(tp * tmp), nside - 1);
  const jm = Math.min(Math.floor((1 - tp) * tmp), nside - 1);
  return z >= 0 ? xyf2nestB(b, nside - jm - 1, nside - jp - 1, ntt) : xyf2nestB(b, jp, jm, ntt + 8);
}

/** Internal location of a pixel centre: z = cos θ, φ, and sin θ when it was computed directly (near the poles). */
interface Loc {
  z: number;
  phi: number;
  sth: number;
  haveSth: boolean;
}

function pix2loc(b: Base, pix: number, nest: boolean, loc: Loc): void {
  const nside = b.nside;
  loc.haveSth = false;
  loc.sth = 0;
  if (!nest) {
    if (pix < b.ncap) {
      const iring = (1 + isqrt(1 + 2 * pix)) >> 1;
      const iphi = pix + 1 - 2 * iring * (iring - 1);
      const tmp = iring * iring * b.fact2;
      loc.z = 1 - tmp;
      if (loc.z > 0.99) {
        loc.sth = Math.sqrt(tmp * (2 - tmp));
        loc.haveSth = true;
      }
      loc.phi = ((iphi - 0.5) * HALFPI) / iring;
    } else if (pix < b.npix - b.ncap) {
      const nl4 = 4 * nside;
      const ip = pix - b.ncap;
      const tmp = Math.floor(ip / nl4);
      const iring = tmp + nside;
      const iphi = ip - nl4 * tmp + 1;
      const fodd = (iring + nside) & 1 ? 1 : 0.5;
      loc.z = (2 * nside - iring) * b.fact1;
      loc.phi = (iphi - fodd) * Math.PI * 0.75 * b.fact1;
    } else {
      const ip = b.npix - pix;
      const iring = (1 + isqrt(2 * ip - 1)) >> 1;
      const iphi = 4 * iring + 1 - (ip - 2 * iring * (iring - 1));
      const tmp = iring * iring * b.fact2;
      loc.z = tmp - 1;
      if (loc.z < -0.99) {
        loc.sth = Math.sqrt(tmp * (2 - tmp));
        loc.haveSth = true;
      }
      loc.phi = ((iphi - 0.5) * HALFPI) / iring;
    }
    return;
  }
  const xyf = [0, 0, 0];
  nest2xyfB(b, pix, xyf);
  const ix = xyf[0]!;
  const iy = xyf[1]!;
  const face = xyf[2]!;
  const jr = JRLL[face]! * nside - ix - iy - 1;
  let nr: number;
  if (jr < nside) {
    nr = jr;
    const tmp = nr * nr * b.fact2;
    loc.z = 1 - tmp;
    if (loc.z > 0.99) {
      loc.sth = Math.sqrt(tmp * (2 - tmp));
      loc.haveSth = true;
    }
  } else if (jr > 3 * nside) {
    nr = 4 * nside - jr;
    const tmp = nr * nr * b.fact2;
    loc.z = tmp - 1;
    if (loc.z < -0.99) {
      loc.sth = Math.sqrt(tmp * (2 - tmp));
      loc.haveSth = true;
    }
  } else {
    nr = nside;
    loc.z = (2 * nside - jr) * b.fact1;
  }
  let tmp = JPLL[face]! * nr + ix - iy;
  if (tmp < 0) tmp += 8 * nr;
  loc.phi = nr === nside ? 0.75 * HALFPI * tmp * b.fact1 : (0.5 * HALFPI * tmp) / nr;
}

function checkAngles(theta: number, phi: number, fn: string): void {
  if (!(theta >= 0 && theta <= Math.PI)) throw new HealpixError(`${fn}: 'theta' must be in [0, π]. Value: ${theta}.`);
  if (!Number.isFinite(phi)) throw new HealpixError(`${fn}: 'phi' must be finite. Value: ${phi}.`);
}

/** Pixel containing the direction (θ colatitude in [0, π], φ longitude in radians), as healpy ang2pix. */
export function ang2pix(nside: number, theta: number, phi: number, { nest = false }: SchemeOptions = {}): number {
  const b = resolve(nside, 'ang2pix', nest);
  checkAngles(theta, phi, 'ang2pix');
  const z = Math.cos(theta);
  if (theta < 0.01 || theta > 3.14159 - 0.01) return loc2pix(b, z, phi, Math.sin(theta), true, nest);
  return loc2pix(b, z, phi, 0, false, nest);
}

/** [θ, φ] of a pixel centre (θ colatitude, φ in [0, 2π)), as healpy pix2ang. */
export function pix2ang(nside: number, pix: number, { nest = false }: SchemeOptions = {}): [number, number] {
  const b = resolve(nside, 'pix2ang', nest);
  checkPixel(pix, b.npix, 'pix2ang');
  const loc: Loc = { z: 0, phi: 0, sth: 0, haveSth: false };
  pix2loc(b, pix, nest, loc);
  return [loc.haveSth ? Math.atan2(loc.sth, loc.z) : Math.acos(loc.z), loc.phi];
}

/** Pixel containing the direction of the vector (x, y, z) (any non-zero length), as healpy vec2pix. */
export function vec2pix(nside: number, x: number, y: number, z: number, { nest = false }: SchemeOptions = {}): number {
  const b = resolve(nside, 'vec2pix', nest);
  const len = Math.hypot(x, y, z);
  if (!(len > 0) || !Number.isFinite(len)) throw new HealpixError(`vec2pix: vector must be finite and non-zero. Value: (${x}, ${y}, ${z}).`);
  const xl = 1 / len;
  const phi = x === 0 && y === 0 ? 0 : Math.atan2(y, x);
  const nz = z * xl;
  if (Math.abs(nz) > 0.99) return loc2pix(b, nz, phi, Math.sqrt(x * x + y * y) * xl, true, nest);
  return loc2pix(b, nz, phi, 0, false, nest);
}

/** Unit vector [x, y, z] of a pixel centre, as healpy pix2vec. */
export function pix2vec(nside: number, pix: number, { nest = false }: SchemeOptions = {}): [number, number, number] {
  const b = resolve(nside, 'pix2vec', nest);
  checkPixel(pix, b.npix, 'pix2vec');
  const loc: Loc = { z: 0, phi: 0, sth: 0, haveSth: false };
  pix2loc(b, pix, nest, loc);
  const st = loc.haveSth ? loc.sth : Math.sqrt((1 - loc.z) * (1 + loc.z));
  return [st * Math.cos(loc.phi), st * Math.sin(loc.phi), loc.z];
}

/** Unit vector of the direction (θ, φ). */
export function ang2vec(theta: number, phi: number): [number, number, number] {
  checkAngles(theta, phi, 'ang2vec');
  const st = Math.sin(theta);
  return [st * Math.cos(phi), st * Math.sin(phi), Math.cos(theta)];
}

/** [θ, φ] of a vector (φ in [0, 2π)). */
export function vec2ang(x: number, y: number, z: number): [number, number] {
  const len = Math.hypot(x, y, z);
  if (!(len > 0) || !Number.isFinite(len)) throw new HealpixError(`vec2ang: vector must be finite and non-zero. Value: (${x}, ${y}, ${z}).`);
  let phi = Math.atan2(y, x);
  if (phi < 0) phi += 2 * Math.PI;
  return [Math.atan2(Math.hypot(x, y), z), phi];
}

// ---------------------------------------------------------------------------------------------
// Rings
// ---------------------------------------------------------------------------------------------

/** One iso-latitude ring of pixels (rings are numbered 1..4·nside−1 from north to south). */
export interface RingInfo {
  /** Ring number, 1-based from the north pole. */
  ring: number;
  /** RING index of the ring's first pixel. */
  startPixel: number;
  /** Number of pixels in the ring (4·i in the polar caps, 4·nside in the equatorial belt). */
  count: number;
  /** Colatitude of the ring centre, radians. */
  theta: number;
  /** cos θ. */
  z: number;
  /** sin θ (computed directly near the poles). */
  sinTheta: number;
  /** true when the first pixel sits at φ = π/count (half a pixel), false when at φ = 0. */
  shifted: boolean;
  /** Longitude of the first pixel: π/count if shifted, else 0. */
  phi0: number;
}

function ringInfoB(b: Base, ring: number): RingInfo {
  const nside = b.nside;
  const northRing = ring > 2 * nside ? 4 * nside - ring : ring;
  let z: number;
  let sth: number;
  let count: number;
  let shifted: boolean;
  let start: number;
  if (northRing < nside) {
    const tmp = northRing * northRing * b.fact2;
    z = 1 - tmp;
    sth = Math.sqrt(tmp * (2 - tmp));
    count = 4 * northRing;
    shifted = true;
    start = 2 * northRing * (northRing - 1);
  } else {
    z = (2 * nside - northRing) * b.fact1;
    sth = Math.sqrt((1 - z) * (1 + z));
    count = 4 * nside;
    shifted = ((northRing - nside) & 1) === 0;
    start = b.ncap + (northRing - nside) * count;
  }
  if (northRing !== ring) {
    z = -z;
    start = b.npix - start - count;
  }
  return { ring, startPixel: start, count, theta: Math.atan2(sth, z), z, sinTheta: sth, shifted, phi0: shifted ? Math.PI / count : 0 };
}

/** Information on ring `ring` (1..4·nside−1): first pixel, pixel count, θ, and whether it is shifted (healpy ringinfo). */
export function ringInfo(nside: number, ring: number): RingInfo {
  const b = resolve(nside, 'ringInfo', false);
  if (!Number.isInteger(ring) || ring < 1 || ring > 4 * nside - 1) {
    throw new HealpixError(`ringInfo: 'ring' must be an integer in [1, ${4 * nside - 1}]. Value: ${ring}.`);
  }
  return ringInfoB(b, ring);
}

/** Every ring of the resolution, north to south (index i holds ring i + 1). */
export function allRings(nside: number): RingInfo[] {
  const b = resolve(nside, 'allRings', false);
  const out: RingInfo[] = [];
  for (let r = 1; r < 4 * nside; r++) out.push(ringInfoB(b, r));
  return out;
}

/** Ring number (1..4·nside−1, north to south) of a pixel (healpy pix2ring). */
export function pix2ring(nside: number, pix: number, { nest = false }: SchemeOptions = {}): number {
  const b = resolve(nside, 'pix2ring', nest);
  checkPixel(pix, b.npix, 'pix2ring');
  if (nest) {
    const out = [0, 0, 0];
    nest2xyfB(b, pix, out);
    return JRLL[out[2]!]! * nside - out[0]! - out[1]! - 1;
  }
  if (pix < b.ncap) return (1 + isqrt(1 + 2 * pix)) >> 1;
  if (pix < b.npix - b.ncap) return Math.floor((pix - b.ncap) / (4 * nside)) + nside;
  return 4 * nside - ((1 + isqrt(2 * (b.npix - pix) - 1)) >> 1);
}

// ---------------------------------------------------------------------------------------------
// Neighbours
// ---------------------------------------------------------------------------------------------

const XOFFSET = [-1, -1, 0, 1, 1, 1, 0, -1] as const;
const YOFFSET = [0, 1, 1, 1, 0, -1, -1, -1] as const;
/** FACEARRAY[nb][face]: the face reached from `face` in direction nb = 4 + dx + 3·dy (−1: no face, 3 faces meet). */
const FACEARRAY = [
  [8, 9, 10, 11, -1, -1, -1, -1, 10, 11, 8, 9], // S
  [5, 6, 7, 4, 8, 9, 10, 11, 9, 10, 11, 8], // SE
  [-1, -1, -1, -1, 5, 6, 7, 4, -1, -1, -1, -1], // E
  [4, 5, 6, 7, 11, 8, 9, 10, 11, 8, 9, 10], // SW
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], // centre
  [1, 2, 3, 0, 0, 1, 2, 3, 5, 6, 7, 4], // NE
  [-1, -1, -1, -1, 7, 4, 5, 6, -1, -1, -1, -1], // W
  [3, 0, 1, 2, 3, 0, 1, 2, 4, 5, 6, 7], // NW
  [2, 3, 0, 1, -1, -1, -1, -1, 0, 1, 2, 3], // N
] as const;
/** SWAPARRAY[nb][face >> 2]: bit 1 flips x, bit 2 flips y, bit 4 swaps x and y when entering the neighbour face. */
const SWAPARRAY = [
  [0, 0, 3],
  [0, 0, 6],
  [0, 0, 0],
  [0, 0, 5],
  [0, 0, 0],
  [5, 0, 0],
  [0, 0, 0],
  [6, 0, 0],
  [3, 0, 0],
] as const;

/**
 * Internal: maps face coordinates (x, y), possibly up to nside outside face `face`, to [x', y', face'] on the
 * face that holds them; returns false where no face exists (the corners where only 3 faces meet).
 */
export function offFaceXyf(nside: number, x: number, y: number, face: number, out: number[]): boolean {
  let nb = 4;
  if (x < 0) {
    x += nside;
    nb -= 1;
  } else if (x >= nside) {
    x -= nside;
    nb += 1;
  }
  if (y < 0) {
    y += nside;
    nb -= 3;
  } else if (y >= nside) {
    y -= nside;
    nb += 3;
  }
  const f = FACEARRAY[nb]![face]!;
  if (f < 0) return false;
  const bits = SWAPARRAY[nb]![face >> 2]!;
  if (bits & 1) x = nside - x - 1;
  if (bits & 2) y = nside - y - 1;
  if (bits & 4) {
    const t = x;
    x = y;
    y = t;
  }
  out[0] = x;
  out[1] = y;
  out[2] = f;
  return true;
}

/**
 * The 8 neighbours of a pixel in healpy's order SW, W, NW, N, NE, E, SE, S; −1 where a neighbour does not
 * exist (at the 8 base-face corners where only 3 faces meet), as healpy get_all_neighbours.
 */
export function neighbours(nside: number, pix: number, { nest = false }: SchemeOptions = {}): number[] {
  const b = resolve(nside, 'neighbours', nest);
  checkPixel(pix, b.npix, 'neighbours');
  const xyf = [0, 0, 0];
  if (nest) nest2xyfB(b, pix, xyf);
  else ring2xyfB(b, pix, xyf);
  const ix = xyf[0]!;
  const iy = xyf[1]!;
  const face = xyf[2]!;
  const result: number[] = new Array<number>(8);
  const tmp = [0, 0, 0];
  for (let i = 0; i < 8; i++) {
    const x = ix + XOFFSET[i]!;
    const y = iy + YOFFSET[i]!;
    if (x >= 0 && x < nside && y >= 0 && y < nside) {
      result[i] = nest ? xyf2nestB(b, x, y, face) : xyf2ringB(b, x, y, face);
    } else if (offFaceXyf(nside, x, y, face, tmp)) {
      result[i] = nest ? xyf2nestB(b, tmp[0]!, tmp[1]!, tmp[2]!) : xyf2ringB(b, tmp[0]!, tmp[1]!, tmp[2]!);
    } else {
      result[i] = -1;
    }
  }
  return result;
}

/**
 * Internal: unit vector of the point with fractional face coordinates (x, y) ∈ [0, 1]² on face `face`
 * (HEALPix C++ xyf2loc); pixel (ix, iy) of nside has its centre at ((ix + ½)/nside, (iy + ½)/nside).
 * The map (x, y) → sphere is equal-area, so a uniform sub-grid splits a pixel into equal areas.
 */
export function xyf2vec(x: number, y: number, face: number, out: number[]): void {
  const jr = JRLL[face]! - x - y;
  let nr: number;
  let z: number;
  let sth: number;
  if (jr < 1) {
    nr = jr;
    const tmp = (nr * nr) / 3;
    z = 1 - tmp;
    sth = Math.sqrt(tmp * (2 - tmp));
  } else if (jr > 3) {
    nr = 4 - jr;
    const tmp = (nr * nr) / 3;
    z = tmp - 1;
    sth = Math.sqrt(tmp * (2 - tmp));
  } else {
    nr = 1;
    z = ((2 - jr) * 2) / 3;
    sth = Math.sqrt((1 - z) * (1 + z));
  }
  let tmp = JPLL[face]! * nr + x - y;
  if (tmp < 0) tmp += 8;
  if (tmp >= 8) tmp -= 8;
  const phi = nr < 1e-15 ? 0 : (0.5 * HALFPI * tmp) / nr;
  out[0] = sth * Math.cos(phi);
  out[1] = sth * Math.sin(phi);
  out[2] = z;
}

/** Internal fast paths for other modules (no argument checks). */
export const internal = {
  xyf2nest: (nside: number, x: number, y: number, f: number): number => xyf2nestB(base(nside), x, y, f),
  xyf2ring: (nside: number, x: number, y: number, f: number): number => xyf2ringB(base(nside), x, y, f),
  nest2xyf: (nside: number, pix: number, out: number[]): void => nest2xyfB(base(nside), pix, out),
  ring2xyf: (nside: number, pix: number, out: number[]): void => ring2xyfB(base(nside), pix, out),
  ringInfo: (nside: number, ring: number): RingInfo => ringInfoB(base(nside), ring),
};
