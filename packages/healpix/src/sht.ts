// Spin-0 spherical-harmonic transforms on the HEALPix grid (RING ordering), as healpy map2alm / alm2map:
// an FFT along each iso-latitude ring (rings have 4·i or 4·nside pixels) and the normalised associated
// Legendre recurrence in θ, with north/south ring pairs sharing one recurrence through
// λ_ℓm(−z) = (−1)^(ℓ+m) λ_ℓm(z). Quadrature weights are 4π/Npix for every pixel (healpy's default
// use_weights=False); map2alm refines with `iter` Jacobi iterations (healpy default 3):
//   a ← A(m);  repeat iter times: a ← a + A(m − S(a)),   A = analysis, S = synthesis.
// λ_mm = (−1)^m √((2m+1)/(4π) Π_{k≤m} (2k−1)/(2k)) sin^m θ underflows near the poles for large m; values
// carry a power-of-two scale (2^600 steps) until the recurrence brings them back into range, and
// contributions below 2^−300 of the scale are dropped (as libsharp does). Pairs run from the equator
// towards the poles: once a ring's λ_ℓm stays below 2^−300 up to lmax (the evanescent region, where
// |λ_ℓm| grows with sin θ), every ring nearer the pole is skipped for that m.
import { almIndex, almSize, createAlm, type Alm } from './alm.js';
import { HealpixError } from './errors.js';
import { fftPlan } from './fft.js';
import { checkNside, UNSEEN } from './nside.js';
import { internal } from './pixel.js';
import { isUnseen } from './udgrade.js';

const SCALE_UP = 2 ** 600;
const SCALE_DOWN = 2 ** -600;
const HIGH = 2 ** 300;
const LOW = 2 ** -300;

/** Internal: ring pairs of one nside. Pair p: north ring p+1 and south ring 4·nside−1−p; the last pair is the equator alone. */
interface Geometry {
  nside: number;
  npix: number;
  npairs: number;
  z: Float64Array;
  sinTheta: Float64Array;
  count: Int32Array;
  phi0: Float64Array;
  startN: Int32Array;
  startS: Int32Array; // −1 for the equator
}

const geometryCache = new Map<number, Geometry>();
function geometry(nside: number): Geometry {
  let g = geometryCache.get(nside);
  if (g) return g;
  const npairs = 2 * nside;
  g = {
    nside,
    npix: 12 * nside * nside,
    npairs,
    z: new Float64Array(npairs),
    sinTheta: new Float64Array(npairs),
    count: new Int32Array(npairs),
    phi0: new Float64Array(npairs),
    startN: new Int32Array(npairs),
    startS: new Int32Array(npairs),
  };
  for (let p = 0; p < npairs; p++) {
    const r = internal.ringInfo(nside, p + 1);
    g.z[p] = r.z;
    g.sinTheta[p] = r.sinTheta;
    g.count[p] = r.count;
    g.phi0[p] = r.phi0;
    g.startN[p] = r.startPixel;
    g.startS[p] = p + 1 === 2 * nside ? -1 : internal.ringInfo(nside, 4 * nside - 1 - p).startPixel;
  }
  if (geometryCache.size > 8) geometryCache.clear();
  geometryCache.set(nside, g);
  return g;
}

/** Internal: recurrence coefficients for one m: λ_ℓ = A_ℓ z λ_{ℓ−1} − B_ℓ λ_{ℓ−2}. */
function recurrence(m: number, lmax: number, A: Float64Array, B: Float64Array): void {
  for (let l = m + 1; l <= lmax; l++) {
    A[l] = Math.sqrt((4 * l * l - 1) / (l * l - m * m));
    B[l] = l === m + 1 ? 0 : A[l]! / A[l - 1]!;
  }
}

/** Internal: λ_mm for every pair, advanced one m at a time, with its 2^600 scale count. */
class StartValues {
  readonly v: Float64Array;
  readonly s: Int32Array;
  private m = 0;
  constructor(private readonly sinTheta: Float64Array) {
    this.v = new Float64Array(sinTheta.length).fill(1 / Math.sqrt(4 * Math.PI));
    this.s = new Int32Array(sinTheta.length);
  }
  /** Moves every pair from λ_{m−1,m−1} to λ_mm. */
  advance(): void {
    const m = ++this.m;
    const f = -Math.sqrt((2 * m + 1) / (2 * m));
    for (let p = 0; p < this.v.length; p++) {
      let v = this.v[p]! * f * this.sinTheta[p]!;
      if (v !== 0 && Math.abs(v) < LOW) {
        v *= SCALE_UP;
        this.s[p]!++;
      }
      this.v[p] = v;
    }
  }
}

function checkLmax(lmax: number, mmax: number, fn: string): void {
  if (!Number.isInteger(lmax) || lmax < 0) throw new HealpixError(`${fn}: option 'lmax' must be a non-negative integer. Value: ${lmax}.`);
  if (!Number.isInteger(mmax) || mmax < 0 || mmax > lmax) throw new HealpixError(`${fn}: option 'mmax' must be an integer in [0, lmax = ${lmax}]. Value: ${mmax}.`);
}

function mapNside(map: ArrayLike<number>, fn: string): number {
  const nside = Math.round(Math.sqrt(map.length / 12));
  if (12 * nside * nside !== map.length) throw new HealpixError(`${fn}: map length must be 12·nside². Value: ${map.length}.`);
  return checkNside(nside, fn);
}

/** One analysis pass A(map) added into `alm` (map in RING order, no UNSEEN handling). */
function analysis(map: ArrayLike<number>, g: Geometry, alm: Alm): void {
  const { lmax, mmax } = alm;
  const P = g.npairs;
  const mm1 = mmax + 1;
  // phase coefficients per (m, pair), m-major: E = F_N + F_S, O = F_N − F_S
  const Er = new Float64Array(mm1 * P);
  const Ei = new Float64Array(mm1 * P);
  const Or = new Float64Array(mm1 * P);
  const Oi = new Float64Array(mm1 * P);
  const w = (4 * Math.PI) / g.npix;
  const maxN = 4 * g.nside;
  const bufRe = new Float64Array(maxN);
  const bufIm = new Float64Array(maxN);
  // ring phases F_m = w e^{−imφ0} X_{m mod n}, X = DFT of the ring's values; [0] north, [1] south
  const fR = [new Float64Array(mm1), new Float64Array(mm1)] as const;
  const fI = [new Float64Array(mm1), new Float64Array(mm1)] as const;
  for (let p = 0; p < P; p++) {
    const n = g.count[p]!;
    const phi0 = g.phi0[p]!;
    const plan = fftPlan(n);
    const re = bufRe.subarray(0, n);
    const im = bufIm.subarray(0, n);
    for (let half = 0; half < 2; half++) {
      const start = half === 0 ? g.startN[p]! : g.startS[p]!;
      const outR = fR[half]!;
      const outI = fI[half]!;
      if (start < 0) {
        outR.fill(0); // the equator has no southern partner
        outI.fill(0);
        continue;
      }
      for (let j = 0; j < n; j++) re[j] = map[start + j]!;
      im.fill(0);
      plan.forward(re, im);
      for (let m = 0; m <= mmax; m++) {
        const k = m % n;
        const c = Math.cos(m * phi0);
        const s = -Math.sin(m * phi0);
        outR[m] = (re[k]! * c - im[k]! * s) * w;
        outI[m] = (re[k]! * s + im[k]! * c) * w;
      }
    }
    for (let m = 0; m <= mmax; m++) {
      const i = m * P + p;
      Er[i] = fR[0][m]! + fR[1][m]!;
      Ei[i] = fI[0][m]! + fI[1][m]!;
      Or[i] = fR[0][m]! - fR[1][m]!;
      Oi[i] = fI[0][m]! - fI[1][m]!;
    }
  }
  const A = new Float64Array(lmax + 2);
  const B = new Float64Array(lmax + 2);
  const start = new StartValues(g.sinTheta);
  const aRe = alm.re;
  const aIm = alm.im;
  for (let m = 0; m <= mmax; m++) {
    if (m > 0) start.advance();
    recurrence(m, lmax, A, B);
    const base = almIndex(0, m, lmax);
    for (let p = P - 1; p >= 0; p--) {
      const i = m * P + p;
      const er = Er[i]!;
      const ei = Ei[i]!;
      const or = Or[i]!;
      const oi = Oi[i]!;
      const z = g.z[p]!;
      let v0 = 0;
      let v1 = start.v[p]!;
      let sc = start.s[p]!;
      let l = m;
      // scaled regime: values below 2^-300 of unity are negligible, just run the recurrence
      while (sc > 0 && l < lmax) {
        l++;
        const v = A[l]! * z * v1 - B[l]! * v0;
        v0 = v1;
        v1 = v;
        if (Math.abs(v1) > HIGH) {
          v0 *= SCALE_DOWN;
          v1 *= SCALE_DOWN;
          sc--;
        }
      }
      if (sc > 0) break; // negligible up to lmax here, so in every ring nearer the pole too
      // v1 = λ_l, v0 = λ_{l-1}
      if (((l - m) & 1) === 0) {
        aRe[base + l]! += v1 * er;
        aIm[base + l]! += v1 * ei;
      } else {
        aRe[base + l]! += v1 * or;
        aIm[base + l]! += v1 * oi;
      }
      for (l = l + 1; l <= lmax; l++) {
        const v = A[l]! * z * v1 - B[l]! * v0;
        v0 = v1;
        v1 = v;
        if (((l - m) & 1) === 0) {
          aRe[base + l]! += v * er;
          aIm[base + l]! += v * ei;
        } else {
          aRe[base + l]! += v * or;
          aIm[base + l]! += v * oi;
        }
      }
    }
  }
}

/** Synthesis S(alm) into a RING map of nside (overwrites `out`). */
function synthesis(alm: Alm, g: Geometry, out: Float64Array): void {
  const { lmax, mmax } = alm;
  const P = g.npairs;
  const mm1 = mmax + 1;
  const Nr = new Float64Array(mm1 * P);
  const Ni = new Float64Array(mm1 * P);
  const Sr = new Float64Array(mm1 * P);
  const Si = new Float64Array(mm1 * P);
  const A = new Float64Array(lmax + 2);
  const B = new Float64Array(lmax + 2);
  const start = new StartValues(g.sinTheta);
  const aRe = alm.re;
  const aIm = alm.im;
  for (let m = 0; m <= mmax; m++) {
    if (m > 0) start.advance();
    recurrence(m, lmax, A, B);
    const base = almIndex(0, m, lmax);
    for (let p = P - 1; p >= 0; p--) {
      const z = g.z[p]!;
      let v0 = 0;
      let v1 = start.v[p]!;
      let sc = start.s[p]!;
      let l = m;
      while (sc > 0 && l < lmax) {
        l++;
        const v = A[l]! * z * v1 - B[l]! * v0;
        v0 = v1;
        v1 = v;
        if (Math.abs(v1) > HIGH) {
          v0 *= SCALE_DOWN;
          v1 *= SCALE_DOWN;
          sc--;
        }
      }
      if (sc > 0) break;
      let evR = 0;
      let evI = 0;
      let odR = 0;
      let odI = 0;
      if (((l - m) & 1) === 0) {
        evR += v1 * aRe[base + l]!;
        evI += v1 * aIm[base + l]!;
      } else {
        odR += v1 * aRe[base + l]!;
        odI += v1 * aIm[base + l]!;
      }
      for (l = l + 1; l <= lmax; l++) {
        const v = A[l]! * z * v1 - B[l]! * v0;
        v0 = v1;
        v1 = v;
        if (((l - m) & 1) === 0) {
          evR += v * aRe[base + l]!;
          evI += v * aIm[base + l]!;
        } else {
          odR += v * aRe[base + l]!;
          odI += v * aIm[base + l]!;
        }
      }
      const i = m * P + p;
      Nr[i] = evR + odR;
      Ni[i] = evI + odI;
      Sr[i] = evR - odR;
      Si[i] = evI - odI;
    }
  }
  const maxN = 4 * g.nside;
  const bufRe = new Float64Array(maxN);
  const bufIm = new Float64Array(maxN);
  for (let p = 0; p < P; p++) {
    const n = g.count[p]!;
    const phi0 = g.phi0[p]!;
    const plan = fftPlan(n);
    const re = bufRe.subarray(0, n);
    const im = bufIm.subarray(0, n);
    for (let half = 0; half < 2; half++) {
      const startPix = half === 0 ? g.startN[p]! : g.startS[p]!;
      if (startPix < 0) continue;
      const Fr = half === 0 ? Nr : Sr;
      const Fi = half === 0 ? Ni : Si;
      re.fill(0);
      im.fill(0);
      for (let m = 0; m <= mmax; m++) {
        const i = m * P + p;
        const c = Math.cos(m * phi0);
        const s = Math.sin(m * phi0);
        const gr = Fr[i]! * c - Fi[i]! * s;
        const gi = Fr[i]! * s + Fi[i]! * c;
        const k = m % n;
        re[k]! += gr;
        im[k]! += gi;
        if (m > 0) {
          const k2 = (n - k) % n;
          re[k2]! += gr;
          im[k2]! -= gi;
        }
      }
      plan.inverse(re, im);
      for (let j = 0; j < n; j++) out[startPix + j] = re[j]!;
    }
  }
}

/** Options of map2alm. */
export interface Map2almOptions {
  /** Largest ℓ. Default 3·nside − 1. */
  lmax?: number;
  /** Largest m. Default lmax. */
  mmax?: number;
  /** Jacobi refinement iterations (healpy default 3; 0 = plain quadrature). */
  iter?: number;
}

/**
 * Spherical-harmonic coefficients of a RING-ordered map (healpy map2alm, spin 0, use_weights=False):
 * a_ℓm = (4π/Npix) Σ_p f(p) Y*_ℓm(p), refined by `iter` Jacobi iterations. UNSEEN pixels are replaced by 0
 * (as healpy); NaN values make the result NaN. Y_ℓm includes the Condon–Shortley phase (−1)^m.
 */
export function map2alm(map: ArrayLike<number>, options: Map2almOptions = {}): Alm {
  const nside = mapNside(map, 'map2alm');
  const lmax = options.lmax ?? 3 * nside - 1;
  const mmax = options.mmax ?? lmax;
  const iter = options.iter ?? 3;
  checkLmax(lmax, mmax, 'map2alm');
  if (!Number.isInteger(iter) || iter < 0) throw new HealpixError(`map2alm: option 'iter' must be a non-negative integer. Value: ${iter}.`);
  const g = geometry(nside);
  const clean = Float64Array.from(map, (v) => (isUnseen(v) ? 0 : v));
  const alm = createAlm(lmax, mmax);
  analysis(clean, g, alm);
  if (iter > 0) {
    const resid = new Float64Array(g.npix);
    for (let it = 0; it < iter; it++) {
      synthesis(alm, g, resid);
      for (let i = 0; i < resid.length; i++) resid[i] = clean[i]! - resid[i]!;
      analysis(resid, g, alm);
    }
  }
  return alm;
}

/** Options of alm2map. */
export interface Alm2mapOptions {
  /** Use only ℓ ≤ lmax of the alm (default: the alm's own lmax). */
  lmax?: number;
}

/** RING-ordered map f(p) = Σ_ℓm a_ℓm Y_ℓm(p) of resolution nside (healpy alm2map, spin 0, no beam or pixel window). */
export function alm2map(alm: Alm, nside: number, options: Alm2mapOptions = {}): Float64Array {
  checkNside(nside, 'alm2map');
  checkLmax(alm.lmax, alm.mmax, 'alm2map');
  if (alm.re.length !== almSize(alm.lmax, alm.mmax) || alm.im.length !== alm.re.length) {
    throw new HealpixError(`alm2map: alm arrays must hold almSize(${alm.lmax}, ${alm.mmax}) = ${almSize(alm.lmax, alm.mmax)} values. Values: ${alm.re.length}, ${alm.im.length}.`);
  }
  let use = alm;
  if (options.lmax !== undefined && options.lmax < alm.lmax) {
    const l = options.lmax;
    checkLmax(l, Math.min(l, alm.mmax), 'alm2map');
    use = createAlm(l, Math.min(l, alm.mmax));
    for (let m = 0; m <= use.mmax; m++) {
      const src = almIndex(0, m, alm.lmax);
      const dst = almIndex(0, m, l);
      use.re.set(alm.re.subarray(src + m, src + l + 1), dst + m);
      use.im.set(alm.im.subarray(src + m, src + l + 1), dst + m);
    }
  }
  const out = new Float64Array(12 * nside * nside);
  synthesis(use, geometry(nside), out);
  return out;
}

/** Internal: UNSEEN mask of a map (true where bad). */
export function badMask(map: ArrayLike<number>): Uint8Array {
  return Uint8Array.from({ length: map.length }, (_, i) => (isUnseen(map[i]!) ? 1 : 0));
}

/** Internal: writes UNSEEN where mask is set. */
export function applyMask(map: Float64Array, mask: Uint8Array): Float64Array {
  for (let i = 0; i < map.length; i++) if (mask[i]) map[i] = UNSEEN;
  return map;
}
