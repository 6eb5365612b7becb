// Direct least-squares ellipse fit (Fitzgibbon, Pilu & Fisher, IEEE TPAMI 21(5), 1999) in the numerically
// stable form of Halíř & Flusser (WSCG 1998): the conic a·[x², xy, y², x, y, 1] minimising the algebraic
// distance under the ellipse constraint 4ac − b² = 1. Points are centred and scaled first, which keeps the
// scatter matrices well conditioned for pixel coordinates in the hundreds.
import { ValueError } from '@lossworks/core-losses';

/** An ellipse: centre, semi-axes and the angle (radians, from +x towards +y) of the `rx` axis (fits report rx ≥ ry). */
export interface Ellipse {
  cx: number;
  cy: number;
  rx: number;
  ry: number;
  angle: number;
}

type Vec3 = [number, number, number];
type Mat3 = [Vec3, Vec3, Vec3];

function zeros3(): Mat3 {
  return [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
}

function mul3(a: Mat3, b: Mat3): Mat3 {
  const out = zeros3();
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) out[i]![j] = a[i]![0]! * b[0]![j]! + a[i]![1]! * b[1]![j]! + a[i]![2]! * b[2]![j]!;
  return out;
}

function det3(m: Mat3): number {
  const [a, b, c] = m;
  return a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0]) + a[2] * (b[0] * c[1] - b[1] * c[0]);
}

function inv3(m: Mat3): Mat3 | null {
  const d = det3(m);
  if (!Number.isFinite(d) || Math.abs(d) < 1e-300) return null;
  const [a, b, c] = m;
  return [
    [(b[1] * c[2] - b[2] * c[1]) / d, (a[2] * c[1] - a[1] * c[2]) / d, (a[1] * b[2] - a[2] * b[1]) / d],
    [(b[2] * c[0] - b[0] * c[2]) / d, (a[0] * c[2] - a[2] * c[0]) / d, (a[2] * b[0] - a[0] * b[2]) / d],
    [(b[0] * c[1] - b[1] * c[0]) / d, (a[1] * c[0] - a[0] * c[1]) / d, (a[0] * b[1] - a[1] * b[0]) / d],
  ];
}

function cross(u: Vec3, v: Vec3): Vec3 {
  return [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
}

/** Real roots of λ³ + p2·λ² + p1·λ + p0 (the generalised problem here has only real ones; tiny complex parts are clamped). */
function cubicRoots(p2: number, p1: number, p0: number): number[] {
  const q = (3 * p1 - p2 * p2) / 9;
  const r = (9 * p2 * p1 - 27 * p0 - 2 * p2 * p2 * p2) / 54;
  const shift = -p2 / 3;
  if (q >= 0) {
    // One real root (or a triple root): Cardano.
    const disc = Math.sqrt(q * q * q + r * r);
    return [Math.cbrt(r + disc) + Math.cbrt(r - disc) + shift];
  }
  const m = Math.sqrt(-q);
  const cos = Math.max(-1, Math.min(1, r / (m * m * m)));
  const theta = Math.acos(cos);
  return [0, 1, 2].map((k) => 2 * m * Math.cos((theta + 2 * Math.PI * k) / 3) + shift);
}

/** A null vector of the 3×3 matrix m − λI: the longest cross product of two of its rows. */
function nullVector(m: Mat3, lambda: number): Vec3 {
  const rows: Vec3[] = m.map((row, i) => row.map((v, j) => (i === j ? v - lambda : v)) as Vec3);
  let best: Vec3 = [0, 0, 0];
  let bestNorm = -1;
  for (const [i, j] of [
    [0, 1],
    [0, 2],
    [1, 2],
  ] as const) {
    const c = cross(rows[i]!, rows[j]!);
    const n = Math.hypot(...c);
    if (n > bestNorm) [best, bestNorm] = [c, n];
  }
  return best;
}

/**
 * Conic coefficients [a, b, c, d, e, f] (a·x² + b·xy + c·y² + d·x + e·y + f = 0) of the direct
 * least-squares ellipse through the points, or null when the points admit no ellipse (fewer than 5, or
 * degenerate, e.g. collinear).
 */
export function fitEllipseConic(xs: ArrayLike<number>, ys: ArrayLike<number>): [number, number, number, number, number, number] | null {
  const n = xs.length;
  if (n !== ys.length) throw new ValueError(`fitEllipseConic: 'xs' and 'ys' must have the same length. Values: ${n} and ${ys.length}.`);
  if (n < 5) return null;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i]!;
    my += ys[i]!;
  }
  mx /= n;
  my /= n;
  let spread = 0;
  for (let i = 0; i < n; i++) spread += (xs[i]! - mx) ** 2 + (ys[i]! - my) ** 2;
  const s = Math.sqrt(spread / (2 * n));
  if (!(s > 0)) return null;
  // Scatter matrices S1 = D1ᵀD1, S2 = D1ᵀD2, S3 = D2ᵀD2 with D1 = [u², uv, v²], D2 = [u, v, 1].
  const S1 = zeros3();
  const S2 = zeros3();
  const S3 = zeros3();
  for (let i = 0; i < n; i++) {
    const u = (xs[i]! - mx) / s;
    const v = (ys[i]! - my) / s;
    const d1: Vec3 = [u * u, u * v, v * v];
    const d2: Vec3 = [u, v, 1];
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 3; c++) {
        S1[r]![c]! += d1[r]! * d1[c]!;
        S2[r]![c]! += d1[r]! * d2[c]!;
        S3[r]![c]! += d2[r]! * d2[c]!;
      }
    }
  }
  const S3inv = inv3(S3);
  if (!S3inv) return null;
  const S2t: Mat3 = [0, 1, 2].map((r) => [0, 1, 2].map((c) => S2[c]![r]!)) as Mat3;
  const T = mul3(S3inv, S2t).map((row) => row.map((v) => -v)) as Mat3; // a2 = T·a1
  const S2T = mul3(S2, T);
  const M = S1.map((row, r) => row.map((v, c) => v + S2T[r]![c]!)) as Mat3;
  // Premultiply by C1⁻¹ (C1 = [[0,0,2],[0,-1,0],[2,0,0]]).
  const Mp: Mat3 = [M[2].map((v) => v / 2) as Vec3, M[1].map((v) => -v) as Vec3, M[0].map((v) => v / 2) as Vec3];
  const tr = Mp[0][0] + Mp[1][1] + Mp[2][2];
  const minors =
    Mp[0][0] * Mp[1][1] - Mp[0][1] * Mp[1][0] + Mp[0][0] * Mp[2][2] - Mp[0][2] * Mp[2][0] + Mp[1][1] * Mp[2][2] - Mp[1][2] * Mp[2][1];
  const roots = cubicRoots(-tr, minors, -det3(Mp));
  let a1: Vec3 | null = null;
  let bestCond = 0;
  for (const lambda of roots) {
    const v = nullVector(Mp, lambda);
    const cond = 4 * v[0] * v[2] - v[1] * v[1];
    const norm = v[0] * v[0] + v[1] * v[1] + v[2] * v[2];
    if (norm > 0 && cond / norm > bestCond) [a1, bestCond] = [v, cond / norm];
  }
  if (!a1) return null;
  const a2: Vec3 = [0, 1, 2].map((r) => T[r]![0]! * a1[0] + T[r]![1]! * a1[1] + T[r]![2]! * a1[2]) as Vec3;
  // Back from (u, v) = ((x − mx)/s, (y − my)/s) to pixel coordinates.
  const [A, B, C] = a1;
  const [D, E, F] = a2;
  const s2 = s * s;
  return [
    A / s2,
    B / s2,
    C / s2,
    (-2 * A * mx - B * my) / s2 + D / s,
    (-2 * C * my - B * mx) / s2 + E / s,
    (A * mx * mx + B * mx * my + C * my * my) / s2 - (D * mx + E * my) / s + F,
  ];
}

/** Centre, semi-axes and angle of an ellipse given as a conic, or null when the conic is no real ellipse. */
export function conicToEllipse([a, b, c, d, e, f]: readonly number[]): Ellipse | null {
  if (![a, b, c, d, e, f].every((v) => Number.isFinite(v))) return null;
  const det = 4 * a! * c! - b! * b!;
  if (!(det > 0)) return null;
  const cx = (b! * e! - 2 * c! * d!) / det;
  const cy = (b! * d! - 2 * a! * e!) / det;
  const f0 = a! * cx * cx + b! * cx * cy + c! * cy * cy + d! * cx + e! * cy + f!;
  const mean = (a! + c!) / 2;
  const radius = Math.hypot((a! - c!) / 2, b! / 2);
  const l1 = mean + radius;
  const l2 = mean - radius;
  const r1 = -f0 / l1;
  const r2 = -f0 / l2;
  if (!(r1 > 0 && r2 > 0)) return null;
  // The λ1 axis (angle θ) is the minor one; report the major axis as rx, its angle wrapped to (−π/2, π/2].
  let angle = 0.5 * Math.atan2(b!, a! - c!) + Math.PI / 2;
  if (angle > Math.PI / 2) angle -= Math.PI;
  return { cx, cy, rx: Math.sqrt(r2), ry: Math.sqrt(r1), angle };
}

/** The direct least-squares ellipse through the points (Fitzgibbon et al. 1999), or null when none fits. */
export function fitEllipse(xs: ArrayLike<number>, ys: ArrayLike<number>): Ellipse | null {
  const conic = fitEllipseConic(xs, ys);
  return conic ? conicToEllipse(conic) : null;
}

/** A filled ellipse as a width × height 0/1 mask: pixels whose centre (x, y) lies inside or on it. */
export function rasterizeEllipse(ellipse: Ellipse, width: number, height: number): Uint8Array {
  const { cx, cy, rx, ry, angle } = ellipse;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const out = new Uint8Array(width * height);
  const reach = Math.max(rx, ry);
  const y0 = Math.max(0, Math.floor(cy - reach));
  const y1 = Math.min(height - 1, Math.ceil(cy + reach));
  const x0 = Math.max(0, Math.floor(cx - reach));
  const x1 = Math.min(width - 1, Math.ceil(cx + reach));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const dx = x - cx;
      const dy = y - cy;
      const u = (dx * cos + dy * sin) / rx;
      const v = (-dx * sin + dy * cos) / ry;
      if (u * u + v * v <= 1) out[y * width + x] = 1;
    }
  }
  return out;
}

/** An ellipse's perimeter by Ramanujan's second approximation (HC18's head circumference is this perimeter in mm). */
export function ellipsePerimeter({ rx, ry }: Pick<Ellipse, 'rx' | 'ry'>): number {
  const h = ((rx - ry) / (rx + ry)) ** 2;
  return Math.PI * (rx + ry) * (1 + (3 * h) / (10 + Math.sqrt(4 - 3 * h)));
}
