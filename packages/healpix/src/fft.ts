// Complex FFT of any length in O(n log n): mixed-radix Cooley–Tukey (radix 4, 2 and generic odd radices
// up to 13, after the structure of KISS FFT) when n has only small prime factors, Bluestein's chirp-z
// algorithm (a power-of-two convolution of length ≥ 2n − 1) otherwise. HEALPix rings have 4·i pixels,
// so both paths are needed. Split real/imaginary Float64Arrays, in place.
import { HealpixError } from './errors.js';

const MAX_DIRECT_RADIX = 13;

/** A reusable FFT plan for one length. */
export class Fft {
  /** Transform length. */
  readonly n: number;
  private readonly factors: number[] = [];
  private readonly twRe: Float64Array;
  private readonly twIm: Float64Array;
  private readonly outRe: Float64Array;
  private readonly outIm: Float64Array;
  private readonly scrRe: Float64Array;
  private readonly scrIm: Float64Array;
  private readonly blue: { m: number; plan: Fft; wRe: Float64Array; wIm: Float64Array; bRe: Float64Array; bIm: Float64Array; aRe: Float64Array; aIm: Float64Array } | null = null;

  /** Plans a transform of length n ≥ 1. */
  constructor(n: number) {
    if (!Number.isInteger(n) || n < 1) throw new HealpixError(`Fft: length must be a positive integer. Value: ${n}.`);
    this.n = n;
    let rest = n;
    let maxP = 1;
    for (const p of [4, 2]) {
      while (rest % p === 0 && rest > 1) {
        this.factors.push(p, (rest /= p));
      }
    }
    for (let p = 3; rest > 1; p += 2) {
      if (p * p > rest) p = rest; // rest is prime
      while (rest % p === 0) {
        this.factors.push(p, (rest /= p));
        maxP = Math.max(maxP, p);
      }
    }
    this.twRe = new Float64Array(n);
    this.twIm = new Float64Array(n);
    this.outRe = new Float64Array(n);
    this.outIm = new Float64Array(n);
    this.scrRe = new Float64Array(Math.max(maxP, 4));
    this.scrIm = new Float64Array(Math.max(maxP, 4));
    if (maxP > MAX_DIRECT_RADIX) {
      this.blue = bluesteinPlan(n);
      return;
    }
    for (let k = 0; k < n; k++) {
      const a = (-2 * Math.PI * k) / n;
      this.twRe[k] = Math.cos(a);
      this.twIm[k] = Math.sin(a);
    }
  }

  /** In-place forward DFT: X_k = Σ_j x_j e^{−2πi jk/n}. */
  forward(re: Float64Array, im: Float64Array): void {
    if (this.n === 1) return;
    if (this.blue) {
      this.bluestein(re, im);
      return;
    }
    this.work(0, re, im, 0, 1, 0);
    re.set(this.outRe.subarray(0, this.n));
    im.set(this.outIm.subarray(0, this.n));
  }

  /** In-place unnormalised inverse DFT: x_j = Σ_k X_k e^{+2πi jk/n}. */
  inverse(re: Float64Array, im: Float64Array): void {
    const n = this.n;
    for (let i = 0; i < n; i++) im[i] = -im[i]!;
    this.forward(re, im);
    for (let i = 0; i < n; i++) im[i] = -im[i]!;
  }

  private work(outOff: number, inRe: Float64Array, inIm: Float64Array, inOff: number, fstride: number, fi: number): void {
    const p = this.factors[fi]!;
    const m = this.factors[fi + 1]!;
    const oRe = this.outRe;
    const oIm = this.outIm;
    if (m === 1) {
      for (let k = 0; k < p; k++) {
        oRe[outOff + k] = inRe[inOff + k * fstride]!;
        oIm[outOff + k] = inIm[inOff + k * fstride]!;
      }
    } else {
      for (let q = 0; q < p; q++) this.work(outOff + q * m, inRe, inIm, inOff + q * fstride, fstride * p, fi + 2);
    }
    if (p === 2) this.bfly2(outOff, fstride, m);
    else if (p === 4) this.bfly4(outOff, fstride, m);
    else this.bflyGeneric(outOff, fstride, m, p);
  }

  private bfly2(off: number, fstride: number, m: number): void {
    const oRe = this.outRe;
    const oIm = this.outIm;
    for (let k = 0; k < m; k++) {
      const wr = this.twRe[k * fstride]!;
      const wi = this.twIm[k * fstride]!;
      const i0 = off + k;
      const i1 = i0 + m;
      const tr = oRe[i1]! * wr - oIm[i1]! * wi;
      const ti = oRe[i1]! * wi + oIm[i1]! * wr;
      oRe[i1] = oRe[i0]! - tr;
      oIm[i1] = oIm[i0]! - ti;
      oRe[i0] = oRe[i0]! + tr;
      oIm[i0] = oIm[i0]! + ti;
    }
  }

  private bfly4(off: number, fstride: number, m: number): void {
    const oRe = this.outRe;
    const oIm = this.outIm;
    const twRe = this.twRe;
    const twIm = this.twIm;
    for (let k = 0; k < m; k++) {
      const i0 = off + k;
      const i1 = i0 + m;
      const i2 = i1 + m;
      const i3 = i2 + m;
      const w1r = twRe[k * fstride]!;
      const w1i = twIm[k * fstride]!;
      const w2r = twRe[2 * k * fstride]!;
      const w2i = twIm[2 * k * fstride]!;
      const w3r = twRe[3 * k * fstride]!;
      const w3i = twIm[3 * k * fstride]!;
      const s0r = oRe[i1]! * w1r - oIm[i1]! * w1i;
      const s0i = oRe[i1]! * w1i + oIm[i1]! * w1r;
      const s1r = oRe[i2]! * w2r - oIm[i2]! * w2i;
      const s1i = oRe[i2]! * w2i + oIm[i2]! * w2r;
      const s2r = oRe[i3]! * w3r - oIm[i3]! * w3i;
      const s2i = oRe[i3]! * w3i + oIm[i3]! * w3r;
      const s5r = oRe[i0]! - s1r;
      const s5i = oIm[i0]! - s1i;
      const a0r = oRe[i0]! + s1r;
      const a0i = oIm[i0]! + s1i;
      const s3r = s0r + s2r;
      const s3i = s0i + s2i;
      const s4r = s0r - s2r;
      const s4i = s0i - s2i;
      oRe[i2] = a0r - s3r;
      oIm[i2] = a0i - s3i;
      oRe[i0] = a0r + s3r;
      oIm[i0] = a0i + s3i;
      oRe[i1] = s5r + s4i;
      oIm[i1] = s5i - s4r;
      oRe[i3] = s5r - s4i;
      oIm[i3] = s5i + s4r;
    }
  }

  private bflyGeneric(off: number, fstride: number, m: number, p: number): void {
    const oRe = this.outRe;
    const oIm = this.outIm;
    const sRe = this.scrRe;
    const sIm = this.scrIm;
    const n = this.n;
    for (let u = 0; u < m; u++) {
      for (let q1 = 0, k = off + u; q1 < p; q1++, k += m) {
        sRe[q1] = oRe[k]!;
        sIm[q1] = oIm[k]!;
      }
      for (let q1 = 0, k = u; q1 < p; q1++, k += m) {
        let accR = sRe[0]!;
        let accI = sIm[0]!;
        let tw = 0;
        const step = fstride * k;
        for (let q = 1; q < p; q++) {
          tw += step;
          if (tw >= n) tw %= n;
          const wr = this.twRe[tw]!;
          const wi = this.twIm[tw]!;
          accR += sRe[q]! * wr - sIm[q]! * wi;
          accI += sRe[q]! * wi + sIm[q]! * wr;
        }
        oRe[off + k] = accR;
        oIm[off + k] = accI;
      }
    }
  }

  private bluestein(re: Float64Array, im: Float64Array): void {
    const { m, plan, wRe, wIm, bRe, bIm, aRe, aIm } = this.blue!;
    const n = this.n;
    aRe.fill(0);
    aIm.fill(0);
    for (let j = 0; j < n; j++) {
      aRe[j] = re[j]! * wRe[j]! - im[j]! * wIm[j]!;
      aIm[j] = re[j]! * wIm[j]! + im[j]! * wRe[j]!;
    }
    plan.forward(aRe, aIm);
    for (let k = 0; k < m; k++) {
      const r = aRe[k]! * bRe[k]! - aIm[k]! * bIm[k]!;
      aIm[k] = aRe[k]! * bIm[k]! + aIm[k]! * bRe[k]!;
      aRe[k] = r;
    }
    plan.inverse(aRe, aIm);
    const s = 1 / m;
    for (let k = 0; k < n; k++) {
      const cr = aRe[k]! * s;
      const ci = aIm[k]! * s;
      re[k] = cr * wRe[k]! - ci * wIm[k]!;
      im[k] = cr * wIm[k]! + ci * wRe[k]!;
    }
  }
}

function bluesteinPlan(n: number) {
  let m = 1;
  while (m < 2 * n - 1) m *= 2;
  const plan = new Fft(m);
  const wRe = new Float64Array(n);
  const wIm = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const a = (-Math.PI * ((j * j) % (2 * n))) / n; // j² mod 2n keeps the angle exact
    wRe[j] = Math.cos(a);
    wIm[j] = Math.sin(a);
  }
  const bRe = new Float64Array(m);
  const bIm = new Float64Array(m);
  for (let j = 0; j < n; j++) {
    bRe[j] = wRe[j]!;
    bIm[j] = -wIm[j]!;
    if (j > 0) {
      bRe[m - j] = wRe[j]!;
      bIm[m - j] = -wIm[j]!;
    }
  }
  plan.forward(bRe, bIm);
  return { m, plan, wRe, wIm, bRe, bIm, aRe: new Float64Array(m), aIm: new Float64Array(m) };
}

const cache = new Map<number, Fft>();
/** A cached plan for length n (plans hold scratch buffers: do not share one across concurrent workers). */
export function fftPlan(n: number): Fft {
  let f = cache.get(n);
  if (f === undefined) {
    if (cache.size > 4096) cache.clear();
    f = new Fft(n);
    cache.set(n, f);
  }
  return f;
}
