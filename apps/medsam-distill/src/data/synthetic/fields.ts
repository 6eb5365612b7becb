// Building blocks of the synthetic images: smooth random fields, blurs and irregular blob shapes, all
// drawn from a seeded Rng (core-train's sfc32) on float32 width · height fields.
import type { Rng } from '@lossworks/core-train';

/** A float32 scalar field, row-major (width · height). */
export interface Field {
  data: Float32Array;
  width: number;
  height: number;
}

/** A new zero field. */
export function field(width: number, height: number): Field {
  return { data: new Float32Array(width * height), width, height };
}

function smooth(t: number): number {
  return t * t * (3 - 2 * t);
}

/**
 * Value noise in about [−1, 1]: random values on a grid of `cell` pixels, interpolated with smoothstep;
 * `octaves` > 1 adds finer grids (each half the cell, half the amplitude), normalised to unit peak.
 */
export function valueNoise(rng: Rng, width: number, height: number, cell: number, octaves = 1): Field {
  const out = field(width, height);
  let amp = 1;
  let total = 0;
  let c = Math.max(1, cell);
  for (let o = 0; o < octaves; o++) {
    const gw = Math.ceil(width / c) + 2;
    const gh = Math.ceil(height / c) + 2;
    const grid = new Float32Array(gw * gh);
    for (let i = 0; i < grid.length; i++) grid[i] = rng.next() * 2 - 1;
    const ox = rng.next() * c;
    const oy = rng.next() * c;
    for (let y = 0; y < height; y++) {
      const gy = (y + oy) / c;
      const y0 = Math.floor(gy);
      const ty = smooth(gy - y0);
      for (let x = 0; x < width; x++) {
        const gx = (x + ox) / c;
        const x0 = Math.floor(gx);
        const tx = smooth(gx - x0);
        const a = grid[y0 * gw + x0]!;
        const b = grid[y0 * gw + x0 + 1]!;
        const d = grid[(y0 + 1) * gw + x0]!;
        const e = grid[(y0 + 1) * gw + x0 + 1]!;
        out.data[y * width + x]! += amp * ((a * (1 - tx) + b * tx) * (1 - ty) + (d * (1 - tx) + e * tx) * ty);
      }
    }
    total += amp;
    amp /= 2;
    c = Math.max(1, c / 2);
  }
  for (let i = 0; i < out.data.length; i++) out.data[i]! /= total;
  return out;
}

/** Separable Gaussian blur with standard deviations sx (along x) and sy (along y), edges clamped. */
export function gaussianBlur(f: Field, sx: number, sy = sx): Field {
  const { width, height } = f;
  const kernel = (s: number): Float32Array => {
    if (s <= 0) return Float32Array.of(1);
    const r = Math.max(1, Math.ceil(3 * s));
    const k = new Float32Array(2 * r + 1);
    let sum = 0;
    for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp((-i * i) / (2 * s * s));
    for (let i = 0; i < k.length; i++) k[i]! /= sum;
    return k;
  };
  const kx = kernel(sx);
  const ky = kernel(sy);
  const rx = (kx.length - 1) / 2;
  const ry = (ky.length - 1) / 2;
  const tmp = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let i = -rx; i <= rx; i++) s += kx[i + rx]! * f.data[y * width + Math.min(width - 1, Math.max(0, x + i))]!;
      tmp[y * width + x] = s;
    }
  }
  const out = field(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let i = -ry; i <= ry; i++) s += ky[i + ry]! * tmp[Math.min(height - 1, Math.max(0, y + i)) * width + x]!;
      out.data[y * width + x] = s;
    }
  }
  return out;
}

/**
 * An irregular closed blob: an ellipse (centre, semi-axes, angle) whose radius is modulated by a few
 * random harmonics, r(θ) = 1 + Σ a_k cos(kθ + φ_k), k = 2..2+n−1, with amplitudes up to `irregularity`/k.
 */
export interface Blob {
  cx: number;
  cy: number;
  rx: number;
  ry: number;
  angle: number;
  harmonics: Array<{ k: number; amp: number; phase: number }>;
}

/** A random {@link Blob}. */
export function randomBlob(rng: Rng, cx: number, cy: number, rx: number, ry: number, irregularity: number, count = 4): Blob {
  const harmonics = Array.from({ length: count }, (_, i) => {
    const k = i + 2;
    return { k, amp: ((rng.next() * 2 - 1) * irregularity) / k, phase: rng.next() * 2 * Math.PI };
  });
  return { cx, cy, rx, ry, angle: rng.next() * Math.PI, harmonics };
}

/**
 * Signed radial coordinate of a point relative to a blob: ρ/r(θ) − 1 in the blob's normalised frame,
 * negative inside, 0 on the boundary, about (distance / radius) outside; also returns the angle θ and ρ.
 */
export function blobCoord(b: Blob, x: number, y: number): { d: number; theta: number; rho: number } {
  const dx = x - b.cx;
  const dy = y - b.cy;
  const cos = Math.cos(b.angle);
  const sin = Math.sin(b.angle);
  const u = (dx * cos + dy * sin) / b.rx;
  const v = (-dx * sin + dy * cos) / b.ry;
  const rho = Math.hypot(u, v);
  const theta = Math.atan2(v, u);
  let r = 1;
  for (const h of b.harmonics) r += h.amp * Math.cos(h.k * theta + h.phase);
  return { d: rho / r - 1, theta, rho: rho / r };
}

/** Rasterises a blob: 1 where the pixel centre is inside (d < 0). */
export function blobMask(b: Blob, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (blobCoord(b, x, y).d < 0) out[y * width + x] = 1;
  return out;
}

/** Smooth 0→1 ramp of t over [e0, e1] (GLSL smoothstep). */
export function smoothstep(e0: number, e1: number, t: number): number {
  const u = Math.min(1, Math.max(0, (t - e0) / (e1 - e0)));
  return u * u * (3 - 2 * u);
}

/** Uniform draw in [lo, hi). */
export function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.next();
}
