// Wiener filter (constrained Gaussian mean) of a masked sky, solved in harmonic space with conjugate
// gradients. For a Gaussian sky s = Y a with a_ℓm ~ N(0, S_ℓ) (S_ℓ = C_ℓ b_ℓ², the spectrum times the beam
// window squared) and data d = M(s + n), n white with variance σ² per pixel and M the observed pixels,
// the posterior mean — the minimum-MSE estimate of the sky — solves
//     (S⁻¹ + Yᴴ M N⁻¹ M Y) a = Yᴴ M N⁻¹ d.
// Operators (all on the healpy alm layout, m ≥ 0; a real map's m < 0 coefficients are implied):
//   Y  = alm2map (synthesis): f(p) = Σ_ℓ [a_ℓ0 Y_ℓ0(p) + 2 Re Σ_{m>0} a_ℓm Y_ℓm(p)];
//   Yᴴ = map2alm with iter = 0 divided by its quadrature weight w = 4π/Npix: (Yᴴ f)_ℓm = Σ_p f(p) Y*_ℓm(p).
//        map2alm alone is w·Yᴴ (an approximate inverse of Y, not its adjoint); the 1/w matters.
// Yᴴ is the adjoint of Y in the inner product ⟨x, y⟩ = Σ_ℓ [x_ℓ0 y_ℓ0 + 2 Σ_{m>0} Re(x*_ℓm y_ℓm)], which
// counts each m > 0 coefficient twice for its m < 0 twin; the prior term ½⟨a, S⁻¹a⟩ is the Gaussian
// log-density in the same product, so the system is symmetric positive definite there and CG runs
// with that inner product.
// Preconditioner ('block', default): for a mask that depends on latitude only (a galactic cut), Yᴴ M N⁻¹ M Y
// couples only coefficients of equal m (ring sums of e^{i(m'−m)φ} vanish unless m' = m, up to aliasing on
// the small polar rings), with block B_m[ℓ, ℓ'] = Σ_rings W_r n_r λ_ℓm(θ_r) λ_ℓ'm(θ_r) (W_r the ring's
// mean weight, n_r its pixel count, λ the normalised associated Legendre functions). The preconditioner
// inverts S⁻¹ + B_m exactly per m (Cholesky), with each ring's weight averaged over the ring — exact
// for galactic cuts, approximate (and still effective) for point-source holes or survey masks.
// 'diagonal' uses 1/(S_ℓ⁻¹ + f_obs/(w σ²)) instead (kept for comparison: far more iterations).
// Constrained realisation (`realisation: { seed }`): the same system with the right-hand side
// Yᴴ(M N⁻¹ M d + (M N⁻¹ M)^{1/2} ξ₂) + (D S)^{−1/2} ξ₁, ξ₁, ξ₂ standard normal and D = 1 (m = 0) or 2 (m > 0)
// per real component; its solution is a draw from the posterior (mean: the Wiener filter, covariance
// (S⁻¹ + Yᴴ M N⁻¹ M Y)⁻¹), so the filled sky has the right power in the hole at the price of a larger RMSE.
// Modes with S_ℓ = 0 (ℓ = 0, 1 of a CMB spectrum) have no prior variance: they stay exactly 0.
import { alm2map, allRings, createAlm, map2alm, almIndex, SeededRandom, type Alm } from '@lossworks/healpix';
import { DataError } from '@lossworks/core-train';

/** Options of {@link wienerFilter}. */
export interface WienerOptions {
  /** Signal spectrum S_ℓ of the map (C_ℓ·b_ℓ², μK²), ℓ = 0..lmax; lmax = length − 1. */
  signalCl: ArrayLike<number>;
  /** White-noise σ per observed pixel (μK), > 0. */
  noise: number;
  /** Stop when ‖r‖/‖b‖ < tol. Default 1e-6. */
  tol?: number;
  /** Most iterations. Default 1000. */
  maxIter?: number;
  /** Preconditioner (see the module comment). Default 'block'. */
  preconditioner?: 'block' | 'diagonal';
  /** Draw a constrained realisation with this seed instead of the Wiener mean (see the module comment). */
  realisation?: { seed: number };
}

/** What {@link wienerFilter} returns. */
export interface WienerResult {
  /** The Wiener-filtered sky Y a (RING), defined everywhere. */
  wienerMap: Float64Array;
  /** The inpainted map m·x + (1 − m)·(Y a). */
  map: Float64Array;
  /** The solution a_ℓm. */
  alm: Alm;
  iterations: number;
  /** Final ‖r‖/‖b‖. */
  relResidual: number;
  converged: boolean;
}

/** ⟨x, y⟩ = Σ_ℓ x_ℓ0 y_ℓ0 + 2 Σ_{m>0} Re(x* y): the inner product in which Yᴴ is Y's adjoint. */
export function almDot(x: Alm, y: Alm): number {
  let s = 0;
  for (let m = 0; m <= x.mmax; m++) {
    const base = almIndex(0, m, x.lmax);
    const f = m === 0 ? 1 : 2;
    for (let l = m; l <= x.lmax; l++) {
      const i = base + l;
      s += f * (x.re[i]! * y.re[i]! + x.im[i]! * y.im[i]!);
    }
  }
  return s;
}

/** (Yᴴ f)_ℓm = Σ_p f(p) Y*_ℓm(p): map2alm (iter 0) divided by its quadrature weight 4π/Npix. */
export function adjointSynthesis(map: ArrayLike<number>, lmax: number): Alm {
  const alm = map2alm(map, { lmax, iter: 0 });
  const inv = map.length / (4 * Math.PI);
  for (let i = 0; i < alm.re.length; i++) {
    alm.re[i]! *= inv;
    alm.im[i]! *= inv;
  }
  return alm;
}

/** Per-coefficient ℓ of the healpy layout (lmax = mmax). */
function ellOf(lmax: number): Int32Array {
  const n = ((lmax + 1) * (lmax + 2)) / 2;
  const out = new Int32Array(n);
  for (let m = 0; m <= lmax; m++) for (let l = m; l <= lmax; l++) out[almIndex(l, m, lmax)] = l;
  return out;
}

/**
 * Normalised associated Legendre functions λ_ℓm(z) (Y_ℓm = λ_ℓm(cos θ) e^{imφ}, up to the sign (−1)^m,
 * which cancels in every product used here) for ℓ = m..lmax at one z; written into `out[ℓ − m]`.
 * Values below the double range near the poles underflow to 0.
 */
export function legendreColumn(m: number, lmax: number, z: number, out: Float64Array): void {
  const sin2 = Math.max(0, (1 - z) * (1 + z));
  let lmm = 1 / (4 * Math.PI);
  for (let k = 1; k <= m; k++) lmm *= ((2 * k + 1) / (2 * k)) * sin2;
  let v1 = Math.sqrt(lmm);
  let v0 = 0;
  out[0] = v1;
  for (let l = m + 1; l <= lmax; l++) {
    const a = Math.sqrt((4 * l * l - 1) / (l * l - m * m));
    const b = l === m + 1 ? 0 : Math.sqrt((4 * l * l - 1) / (l * l - m * m)) / Math.sqrt((4 * (l - 1) * (l - 1) - 1) / ((l - 1) * (l - 1) - m * m));
    const v = a * z * v1 - b * v0;
    v0 = v1;
    v1 = v;
    out[l - m] = v;
  }
}

/** Per-m Cholesky factors of S⁻¹ + B_m (see the module comment), applied as z = P r. */
class BlockPreconditioner {
  /** Per m: first active ℓ, and the lower-triangular factor (row-major n×n) over ℓ = l0..lmax. */
  private readonly blocks: { l0: number; n: number; L: Float64Array }[] = [];

  constructor(
    private readonly lmax: number,
    nside: number,
    weight: Float64Array,
    invS: Float64Array,
    active: Uint8Array,
  ) {
    const rings = allRings(nside);
    const ringW = rings.map((r) => {
      let s = 0;
      for (let j = 0; j < r.count; j++) s += weight[r.startPixel + j]!;
      return s; // W_r·n_r
    });
    const col = new Float64Array(lmax + 1);
    for (let m = 0; m <= lmax; m++) {
      let l0 = m;
      while (l0 <= lmax && !active[almIndex(l0, m, lmax)]) l0++;
      const n = lmax - l0 + 1;
      const Q = new Float64Array(Math.max(0, n * n));
      if (n > 0) {
        for (let r = 0; r < rings.length; r++) {
          const c = ringW[r]!;
          if (c === 0) continue;
          legendreColumn(m, lmax, rings[r]!.z, col);
          const off = l0 - m;
          for (let i = 0; i < n; i++) {
            const ci = c * col[off + i]!;
            if (ci === 0) continue;
            for (let j = 0; j <= i; j++) Q[i * n + j]! += ci * col[off + j]!;
          }
        }
        for (let i = 0; i < n; i++) Q[i * n + i]! += invS[almIndex(l0 + i, m, lmax)]!;
        cholesky(Q, n);
      }
      this.blocks.push({ l0, n, L: Q });
    }
  }

  apply(src: Alm, dst: Alm): void {
    dst.re.fill(0);
    dst.im.fill(0);
    const tmp = new Float64Array(this.lmax + 1);
    for (let m = 0; m <= this.lmax; m++) {
      const { l0, n, L } = this.blocks[m]!;
      if (n === 0) continue;
      const base = almIndex(l0, m, this.lmax);
      for (const part of [src.re, src.im] as const) {
        const out = part === src.re ? dst.re : dst.im;
        for (let i = 0; i < n; i++) tmp[i] = part[base + i]!;
        choleskySolve(L, n, tmp);
        for (let i = 0; i < n; i++) out[base + i] = tmp[i]!;
      }
    }
  }
}

/** In-place Cholesky factorisation A = L Lᵀ of a symmetric positive-definite n×n matrix (lower triangle used). */
export function cholesky(A: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) {
    let d = A[j * n + j]!;
    for (let k = 0; k < j; k++) d -= A[j * n + k]! ** 2;
    if (!(d > 0)) throw new DataError(`cholesky: the matrix is not positive definite (pivot ${j}: ${d}).`);
    const ljj = Math.sqrt(d);
    A[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = A[i * n + j]!;
      for (let k = 0; k < j; k++) s -= A[i * n + k]! * A[j * n + k]!;
      A[i * n + j] = s / ljj;
    }
  }
}

/** Solves L Lᵀ x = b in place (L from {@link cholesky}). */
export function choleskySolve(L: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= L[i * n + k]! * b[k]!;
    b[i] = s / L[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= L[k * n + i]! * b[k]!;
    b[i] = s / L[i * n + i]!;
  }
}

/**
 * Wiener-filter inpainting (see the module comment): the minimum-MSE estimate of a Gaussian sky with
 * spectrum `signalCl`, given the data where mask > 0 with white noise σ = `noise`. Returns the filtered sky
 * and the inpainted map m·x + (1 − m)·(Y a).
 */
export function wienerFilter(observed: ArrayLike<number>, mask: ArrayLike<number>, options: WienerOptions): WienerResult {
  const { signalCl, noise, tol = 1e-6, maxIter = 1000, preconditioner = 'block' } = options;
  const npix = mask.length;
  const nside = Math.round(Math.sqrt(npix / 12));
  if (12 * nside * nside !== npix || observed.length !== npix) throw new DataError(`wienerFilter: map and mask must both have 12·nside² pixels. Values: ${observed.length}, ${npix}.`);
  if (!(noise > 0)) throw new DataError(`wienerFilter: option 'noise' must be > 0 (μK per pixel). Value: ${noise}.`);
  const lmax = signalCl.length - 1;
  if (lmax < 0) throw new DataError('wienerFilter: option \'signalCl\' is empty.');
  const w = (4 * Math.PI) / npix;
  const invN = 1 / (noise * noise);
  const weight = Float64Array.from({ length: npix }, (_, p) => (mask[p]! > 0 ? invN : 0));
  let fObs = 0;
  for (let p = 0; p < npix; p++) if (mask[p]! > 0) fObs++;
  fObs /= npix;
  const ell = ellOf(lmax);
  const invS = Float64Array.from(ell, (l) => (signalCl[l]! > 0 ? 1 / signalCl[l]! : 0));
  const active = Uint8Array.from(ell, (l) => (signalCl[l]! > 0 ? 1 : 0));
  const precond = Float64Array.from(ell, (l, i) => (active[i] ? 1 / (invS[i]! + fObs / (w * noise * noise)) : 0));
  const project = (a: Alm): Alm => {
    for (let i = 0; i < a.re.length; i++) {
      if (!active[i]) {
        a.re[i] = 0;
        a.im[i] = 0;
      }
    }
    for (let l = 0; l <= lmax; l++) a.im[l] = 0; // m = 0 coefficients of a real map are real
    return a;
  };
  const applyA = (x: Alm): Alm => {
    const f = alm2map(x, nside);
    for (let p = 0; p < npix; p++) f[p]! *= weight[p]!;
    const out = adjointSynthesis(f, lmax);
    for (let i = 0; i < out.re.length; i++) {
      out.re[i]! += invS[i]! * x.re[i]!;
      out.im[i]! += invS[i]! * x.im[i]!;
    }
    return project(out);
  };
  const rng = options.realisation ? new SeededRandom(options.realisation.seed) : null;
  const dw = Float64Array.from({ length: npix }, (_, p) => observed[p]! * weight[p]! + (rng && weight[p]! > 0 ? Math.sqrt(weight[p]!) * rng.normal() : 0));
  const b = adjointSynthesis(dw, lmax);
  if (rng) {
    for (let m = 0; m <= lmax; m++) {
      const d = m === 0 ? 1 : 2;
      for (let l = m; l <= lmax; l++) {
        const i = almIndex(l, m, lmax);
        if (!active[i]) continue;
        const f = 1 / Math.sqrt(d * signalCl[l]!);
        b.re[i]! += f * rng.normal();
        if (m > 0) b.im[i]! += f * rng.normal();
      }
    }
  }
  project(b);
  const x = createAlm(lmax);
  const r = { ...b, re: b.re.slice(), im: b.im.slice() };
  const z = createAlm(lmax);
  const block = preconditioner === 'block' ? new BlockPreconditioner(lmax, nside, weight, invS, active) : null;
  const applyP = (src: Alm, dst: Alm): void => {
    if (block) {
      block.apply(src, dst);
      project(dst);
      return;
    }
    for (let i = 0; i < src.re.length; i++) {
      dst.re[i] = precond[i]! * src.re[i]!;
      dst.im[i] = precond[i]! * src.im[i]!;
    }
  };
  applyP(r, z);
  const p = { ...z, re: z.re.slice(), im: z.im.slice() };
  const bNorm = Math.sqrt(almDot(b, b)) || 1;
  let rz = almDot(r, z);
  let rel = Math.sqrt(almDot(r, r)) / bNorm;
  let it = 0;
  while (it < maxIter && rel >= tol) {
    it++;
    const Ap = applyA(p);
    const alpha = rz / almDot(p, Ap);
    for (let i = 0; i < x.re.length; i++) {
      x.re[i]! += alpha * p.re[i]!;
      x.im[i]! += alpha * p.im[i]!;
      r.re[i]! -= alpha * Ap.re[i]!;
      r.im[i]! -= alpha * Ap.im[i]!;
    }
    rel = Math.sqrt(almDot(r, r)) / bNorm;
    applyP(r, z);
    const rzNew = almDot(r, z);
    const beta = rzNew / rz;
    rz = rzNew;
    for (let i = 0; i < p.re.length; i++) {
      p.re[i] = z.re[i]! + beta * p.re[i]!;
      p.im[i] = z.im[i]! + beta * p.im[i]!;
    }
  }
  const wienerMap = alm2map(x, nside);
  const map = Float64Array.from({ length: npix }, (_, q) => mask[q]! * observed[q]! + (1 - mask[q]!) * wienerMap[q]!);
  return { wienerMap, map, alm: x, iterations: it, relResidual: rel, converged: rel < tol };
}
