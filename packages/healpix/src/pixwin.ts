// HEALPix pixel window function, computed here rather than read from healpy's data files.
//
// Definition (Górski et al. 2005, eqs. 18–19): W_ℓ² = (1/Npix) Σ_p (4π/(2ℓ+1)) Σ_m |w_ℓm(p)|², with
// w_ℓm(p) the average of Y_ℓm over pixel p; equivalently W_ℓ² = (1/Npix) Σ_p ⟨P_ℓ(n·n')⟩ over pairs of
// points n, n' uniform in pixel p. By the grid's symmetries one pixel per equatorial ring and half a
// quadrant of each polar-cap ring (mirror pairs) give every distinct pixel shape. Each pixel is
// integrated with an 8×8 Gauss–Legendre rule in HEALPix face coordinates (where the map to the sphere is
// equal-area); the ring at z = 2/3, whose pixels change formula along their diagonal, gets a rule per
// half. All pair separations u = 1 − n·n' go into one histogram (linear binning on 16384 points) and
// Σ H(u) P_ℓ(1 − u) follows by the Legendre recurrence.
// Agreement with healpy's tabulated windows (ℓ ≤ 4·nside): ≤ 4e-7 absolute at nside 2, ≤ 1e-7 at
// nside 4–128; 7e-6 at nside 256, where more nodes or bins change our values by < 1e-8, so the
// difference is in the table.
import { HealpixError } from './errors.js';
import { checkNside } from './nside.js';
import { internal, xyf2vec } from './pixel.js';

const BINS = 16384;
const QUAD = 8;

function maxPixRad(nside: number): number {
  // HEALPix C++ max_pixrad: angle between the vertex at (z = 2/3, φ = π/(4 nside)) and the centre-most vertex near the pole
  const va = [Math.sqrt(1 - 4 / 9) * Math.cos(Math.PI / (4 * nside)), Math.sqrt(1 - 4 / 9) * Math.sin(Math.PI / (4 * nside)), 2 / 3];
  let t1 = 1 - 1 / nside;
  t1 *= t1;
  const zb = 1 - t1 / 3;
  const vb = [Math.sqrt((1 - zb) * (1 + zb)), 0, zb];
  const dot = va[0]! * vb[0]! + va[1]! * vb[1]! + va[2]! * vb[2]!;
  return Math.acos(Math.min(1, dot));
}

/** Gauss–Legendre nodes and weights on [0, 1] (weights sum to 1). */
function gaussLegendre(q: number): { x: Float64Array; w: Float64Array } {
  const x = new Float64Array(q);
  const w = new Float64Array(q);
  for (let i = 0; i < q; i++) {
    let t = Math.cos((Math.PI * (i + 0.75)) / (q + 0.5));
    let dp = 1;
    for (let it = 0; it < 100; it++) {
      let p0 = 1;
      let p1 = t;
      for (let k = 2; k <= q; k++) {
        const p = ((2 * k - 1) * t * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p;
      }
      dp = (q * (t * p1 - p0)) / (t * t - 1);
      const dt = p1 / dp;
      t -= dt;
      if (Math.abs(dt) < 1e-16) break;
    }
    x[i] = 0.5 * (1 - t);
    w[i] = 1 / ((1 - t * t) * dp * dp);
  }
  return { x, w };
}

/**
 * Quadrature points (unit vectors) and weights (summing to 1) of pixel (ix, iy) of `face`: a Q×Q Gauss
 * rule in face coordinates, where the HEALPix map is equal-area. Pixels of the ring at z = 2/3 (`kink`)
 * switch from the polar to the equatorial formula along their anti-diagonal, so each half gets its own
 * (collapsed-square) rule there.
 */
function pixelPoints(nside: number, ix: number, iy: number, face: number, kink: boolean, gl: { x: Float64Array; w: Float64Array }) {
  const q = gl.x.length;
  const n = kink ? 2 * q * q : q * q;
  const vx = new Float64Array(n);
  const vy = new Float64Array(n);
  const vz = new Float64Array(n);
  const w = new Float64Array(n);
  const v = [0, 0, 0];
  let c = 0;
  const put = (s: number, t: number, weight: number): void => {
    xyf2vec((ix + s) / nside, (iy + t) / nside, face, v);
    vx[c] = v[0]!;
    vy[c] = v[1]!;
    vz[c] = v[2]!;
    w[c++] = weight;
  };
  for (let a = 0; a < q; a++) {
    for (let b = 0; b < q; b++) {
      const u = gl.x[a]!;
      const t = gl.x[b]!;
      const ww = gl.w[a]! * gl.w[b]!;
      if (!kink) put(u, t, ww);
      else {
        put(u, t * (1 - u), ww * (1 - u)); // triangle s + t ≤ 1
        put(1 - u, 1 - t * (1 - u), ww * (1 - u)); // triangle s + t ≥ 1
      }
    }
  }
  return { vx, vy, vz, w };
}

/** W_ℓ² for ℓ = 0..lmax: every distinct pixel shape's pair separations binned on u = 1 − n·n', then Σ H(u) P_ℓ(1 − u). */
function windowSquared(nside: number, lmax: number, q: number, uMax: number): Float64Array {
  const hist = new Float64Array(BINS + 2);
  const du = uMax / BINS;
  const gl = gaussLegendre(q);
  const xyf = [0, 0, 0];
  const npix = 12 * nside * nside;
  const addPixel = (pix: number, weight: number, kink: boolean): void => {
    internal.ring2xyf(nside, pix, xyf);
    const { vx, vy, vz, w } = pixelPoints(nside, xyf[0]!, xyf[1]!, xyf[2]!, kink, gl);
    const K = w.length;
    for (let a = 0; a < K; a++) {
      const ax = vx[a]!;
      const ay = vy[a]!;
      const az = vz[a]!;
      const wa = weight * w[a]!;
      hist[0]! += wa * w[a]!; // the point with itself
      for (let b = a + 1; b < K; b++) {
        const dx = ax - vx[b]!;
        const dy = ay - vy[b]!;
        const dz = az - vz[b]!;
        const t = (0.5 * (dx * dx + dy * dy + dz * dz)) / du; // u = 1 − cos γ = |Δ|²/2, in bins
        const k = Math.floor(t);
        const f = t - k;
        const wab = 2 * wa * w[b]!; // (a, b) and (b, a)
        hist[k]! += wab * (1 - f);
        hist[k + 1]! += wab * f;
      }
    }
  };
  for (let ring = 1; ring <= 2 * nside; ring++) {
    const info = internal.ringInfo(nside, ring);
    const hemispheres = ring === 2 * nside ? 1 : 2;
    if (ring <= nside) {
      // polar-cap rings: `ring` pixels per quadrant, pixel j the mirror image of pixel ring − 1 − j
      for (let j = 0; j < Math.ceil(ring / 2); j++) {
        const copies = (j === ring - 1 - j ? 1 : 2) * 4 * hemispheres;
        addPixel(info.startPixel + j, copies / npix, ring === nside);
      }
    } else {
      addPixel(info.startPixel, (info.count * hemispheres) / npix, false); // equatorial rings: congruent pixels
    }
  }
  const out = new Float64Array(lmax + 1);
  for (let b = 0; b < hist.length; b++) {
    const h = hist[b]!;
    if (h === 0) continue;
    const x = 1 - b * du;
    let p0 = 1;
    let p1 = x;
    out[0]! += h;
    if (lmax >= 1) out[1]! += h * x;
    for (let l = 2; l <= lmax; l++) {
      const p = ((2 * l - 1) * x * p1 - (l - 1) * p0) / l;
      p0 = p1;
      p1 = p;
      out[l]! += h * p;
    }
  }
  return out;
}

/** Options of pixwin. */
export interface PixwinOptions {
  /** Largest ℓ. Default 3·nside − 1 (healpy's default); at most 4·nside, the range of healpy's tables. */
  lmax?: number;
}

const cache = new Map<string, Float64Array>();

/**
 * Temperature pixel window W_ℓ of resolution nside, ℓ = 0..lmax (healpy pixwin, computed numerically:
 * see the module comment; cached). Cost grows as nside²: about 0.05–0.25 s at nside 64, 0.5–1.2 s at 256, 20 s at 1024 (shared machine).
 */
export function pixwin(nside: number, { lmax }: PixwinOptions = {}): Float64Array {
  checkNside(nside, 'pixwin');
  const L = lmax ?? 3 * nside - 1;
  if (!Number.isInteger(L) || L < 0 || L > 4 * nside) throw new HealpixError(`pixwin: option 'lmax' must be an integer in [0, 4·nside = ${4 * nside}]. Value: ${L}.`);
  const key = `${nside}:${L}`;
  const hit = cache.get(key);
  if (hit) return hit.slice();
  const d = 2 * maxPixRad(nside) * 1.05;
  const uMax = d >= Math.PI ? 2 : 1 - Math.cos(d);
  const w2 = windowSquared(nside, L, QUAD, uMax);
  const out = Float64Array.from(w2, (v) => Math.sqrt(Math.max(0, v)));
  if (cache.size > 16) cache.clear();
  cache.set(key, out);
  return out.slice();
}
