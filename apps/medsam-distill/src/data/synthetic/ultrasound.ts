// Ultrasound-like images with masks, two variants:
//   'lesion' (BUSI-like breast ultrasound): skin / fat / glandular / muscle layers, a hypoechoic lesion
//     with an irregular, partly blurred boundary, posterior shadowing or enhancement, and hypoechoic
//     distractors (cysts, ducts, fat lobules) that are not the target;
//   'head' (HC18-like fetal head): an elliptical skull echo whose brightness follows the beam angle
//     (strong where the beam meets it head-on, faint on the lateral sides), dark brain with a midline echo,
//     amniotic fluid around it, and bright partial-rim distractors (body, limbs).
// Image formation: an echogenicity map times multiplicative speckle (the envelope of a spatially
// correlated complex Gaussian field: Rayleigh, grains elongated laterally), depth attenuation with
// imperfect gain compensation, log compression, a sector (curvilinear probe) or rectangular (linear
// probe) field of view, black outside with a few annotation marks.
import type { Rng } from '@lossworks/core-train';
import { blobCoord, field, gaussianBlur, randomBlob, smoothstep, uniform, valueNoise, type Blob } from './fields.js';

/** Which ultrasound scene to draw. */
export type UltrasoundVariant = 'lesion' | 'head';

/** A generated gray image (0..255) and its 0/1 mask. */
export interface GrayPair {
  gray: Uint8Array;
  mask: Uint8Array;
  width: number;
  height: number;
}

interface Probe {
  /** Lateral coordinate (radians for a sector, pixels for linear) and depth (pixels) of a pixel. */
  beam(x: number, y: number): [number, number];
  /** Direction of the beam through a pixel, as an angle from +x towards +y. */
  direction(x: number, y: number): number;
  /** 0..1 inside the field of view (soft edge). */
  fov(x: number, y: number): number;
  /** Depth where the image starts and ends. */
  depth0: number;
  depth1: number;
  lateralBins: number;
  /** Lateral coordinate → bin index. */
  bin(s: number): number;
}

function sectorProbe(rng: Rng, w: number, h: number): Probe {
  const ax = w / 2 + uniform(rng, -0.04, 0.04) * w;
  const ay = -uniform(rng, 0.12, 0.35) * h;
  const half = uniform(rng, 30, 42) * (Math.PI / 180);
  const r0 = -ay + uniform(rng, 0.03, 0.07) * h;
  const r1 = r0 + uniform(rng, 0.88, 1.05) * h;
  const bins = 2 * w;
  return {
    beam: (x, y) => [Math.atan2(x - ax, y - ay), Math.hypot(x - ax, y - ay)],
    direction: (x, y) => Math.atan2(y - ay, x - ax),
    fov(x, y) {
      const phi = Math.atan2(x - ax, y - ay);
      const r = Math.hypot(x - ax, y - ay);
      const edgeA = (half - Math.abs(phi)) * r; // distance to the sector's side, pixels
      return smoothstep(-0.5, 1, edgeA) * smoothstep(-0.5, 1, r - r0) * smoothstep(-0.5, 1, r1 - r);
    },
    depth0: r0,
    depth1: Math.min(r1, Math.hypot(w / 2, h - ay)),
    lateralBins: bins,
    bin: (s) => Math.min(bins - 1, Math.max(0, Math.floor(((s + half) / (2 * half)) * bins))),
  };
}

function linearProbe(rng: Rng, w: number, h: number): Probe {
  const x0 = uniform(rng, 0.02, 0.12) * w;
  const x1 = w - uniform(rng, 0.02, 0.12) * w;
  const y0 = uniform(rng, 0.02, 0.07) * h;
  const y1 = h - uniform(rng, 0, 0.05) * h;
  return {
    beam: (x, y) => [x, y],
    direction: () => Math.PI / 2,
    fov: (x, y) => smoothstep(-0.5, 0.5, x - x0) * smoothstep(-0.5, 0.5, x1 - x) * smoothstep(-0.5, 0.5, y - y0) * smoothstep(-0.5, 0.5, y1 - y),
    depth0: y0,
    depth1: y1,
    lateralBins: w,
    bin: (s) => Math.min(w - 1, Math.max(0, Math.floor(s))),
  };
}

/**
 * Multiplies `echo` behind `caster` (0/1 field) along the beam by `factor` (< 1 shadow, > 1 enhancement),
 * fading in over `fade` pixels of depth and blurred laterally.
 */
function posterior(echo: Float32Array, caster: Uint8Array, probe: Probe, w: number, h: number, factor: number, fade: number): void {
  const near = new Float32Array(probe.lateralBins).fill(Number.NEGATIVE_INFINITY);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!caster[y * w + x]) continue;
      const [s, r] = probe.beam(x, y);
      const b = probe.bin(s);
      near[b] = Math.max(near[b]!, r);
    }
  }
  // Soft lateral edges: the occupancy of each bin and the depth where the effect starts, both averaged
  // over neighbouring bins with a Gaussian (about 1.5 pixels wide), so shadows have no hard vertical seams.
  const n = probe.lateralBins;
  const sigma = (1.5 * n) / w;
  const radius = Math.ceil(3 * sigma);
  const occ = new Float32Array(n);
  const start = new Float32Array(n);
  for (let b = 0; b < n; b++) {
    let wo = 0;
    let wd = 0;
    let sum = 0;
    let total = 0;
    for (let k = -radius; k <= radius; k++) {
      const j = b + k;
      const g = Math.exp(-(k * k) / (2 * sigma * sigma));
      total += g;
      if (j < 0 || j >= n || !(near[j]! > Number.NEGATIVE_INFINITY)) continue;
      wo += g;
      wd += g;
      sum += g * near[j]!;
    }
    occ[b] = wo / total;
    start[b] = wd > 0 ? sum / wd : 0;
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [s, r] = probe.beam(x, y);
      const b = probe.bin(s);
      if (occ[b]! < 1e-3) continue;
      const t = smoothstep(start[b]! - fade * 0.5, start[b]! + fade, r) * occ[b]!;
      echo[y * w + x]! *= 1 + (factor - 1) * t;
    }
  }
}

/** Fills `target` (0/1) where a blob's signed coordinate is < 0, and returns the blob's soft 0..1 cover. */
function cover(b: Blob, w: number, h: number, edge: number, target?: Uint8Array): Float32Array {
  const out = new Float32Array(w * h);
  const scale = Math.max(b.rx, b.ry);
  const reach = 1.6 * scale + 3 * edge;
  const xa = Math.max(0, Math.floor(b.cx - reach));
  const xb = Math.min(w - 1, Math.ceil(b.cx + reach));
  const ya = Math.max(0, Math.floor(b.cy - reach));
  const yb = Math.min(h - 1, Math.ceil(b.cy + reach));
  for (let y = ya; y <= yb; y++) {
    for (let x = xa; x <= xb; x++) {
      const { d } = blobCoord(b, x, y);
      const dist = d * Math.min(b.rx, b.ry); // about pixels
      out[y * w + x] = 1 - smoothstep(-edge, edge, dist);
      if (target && d < 0) target[y * w + x] = 1;
    }
  }
  return out;
}

function mix(echo: Float32Array, weight: Float32Array, value: (i: number) => number): void {
  for (let i = 0; i < echo.length; i++) {
    const a = weight[i]!;
    if (a > 0) echo[i] = echo[i]! * (1 - a) + value(i) * a;
  }
}

/** A depth-dependent background: skin line, fat, glandular tissue and muscle with wavy borders. */
function breastTissue(rng: Rng, probe: Probe, w: number, h: number, scale: number): Float32Array {
  const echo = new Float32Array(w * h);
  const wave1 = valueNoise(rng, w, 1, 60 * scale, 2);
  const wave2 = valueNoise(rng, w, 1, 80 * scale, 2);
  const mottle = valueNoise(rng, w, h, 14 * scale, 3);
  const coarse = valueNoise(rng, w, h, 45 * scale, 2);
  const span = probe.depth1 - probe.depth0;
  const fatEnd = uniform(rng, 0.15, 0.3);
  const glandEnd = uniform(rng, 0.65, 0.85);
  const fatEcho = uniform(rng, 0.25, 0.35);
  const glandEcho = uniform(rng, 0.45, 0.6);
  const muscleEcho = uniform(rng, 0.32, 0.42);
  const striation = uniform(rng, 5, 9) * scale;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const [, r] = probe.beam(x, y);
      const t = (r - probe.depth0) / span;
      const b1 = fatEnd + 0.06 * wave1.data[x]!;
      const b2 = glandEnd + 0.08 * wave2.data[x]!;
      const skin = Math.exp(-(((t - 0.015) / 0.012) ** 2));
      const inFat = 1 - smoothstep(b1 - 0.03, b1 + 0.03, t);
      const inMuscle = smoothstep(b2 - 0.02, b2 + 0.02, t);
      const gland = 1 - inFat - inMuscle;
      const muscle = muscleEcho * (1 + 0.2 * Math.sin((2 * Math.PI * r) / striation + 6 * coarse.data[i]!) + 0.3 * mottle.data[i]!);
      let v = inFat * fatEcho * (1 + 0.6 * mottle.data[i]!) + gland * glandEcho * (1 + 0.45 * mottle.data[i]! + 0.3 * coarse.data[i]!) + inMuscle * muscle;
      v += 0.8 * skin;
      echo[i] = Math.max(0.02, v);
    }
  }
  return echo;
}

/** A mottled obstetric background: uterine wall / placenta tissue. */
function obstetricTissue(rng: Rng, w: number, h: number, scale: number): Float32Array {
  const echo = new Float32Array(w * h);
  const a = valueNoise(rng, w, h, 50 * scale, 3);
  const b = valueNoise(rng, w, h, 12 * scale, 2);
  const base = uniform(rng, 0.35, 0.5);
  for (let i = 0; i < echo.length; i++) echo[i] = Math.max(0.03, base * (1 + 0.5 * a.data[i]! + 0.3 * b.data[i]!));
  return echo;
}

/**
 * Speckle envelope: |complex Gaussian| after an anisotropic blur (Rayleigh, grains elongated laterally),
 * two independent looks compounded (root mean square, as spatial compounding in scanners: fewer deep
 * nulls), normalised to E[A²] = 1.
 */
function speckle(rng: Rng, w: number, h: number, scale: number): Float32Array {
  const out = new Float32Array(w * h);
  const sx = 2 * scale;
  const sy = 1 * scale;
  for (let look = 0; look < 2; look++) {
    const re = field(w, h);
    const im = field(w, h);
    for (let i = 0; i < re.data.length; i++) {
      re.data[i] = rng.normal();
      im.data[i] = rng.normal();
    }
    const a = gaussianBlur(re, sx, sy);
    const b = gaussianBlur(im, sx, sy);
    for (let i = 0; i < out.length; i++) out[i]! += a.data[i]! ** 2 + b.data[i]! ** 2;
  }
  let m2 = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = Math.sqrt(out[i]!);
    m2 += out[i]! * out[i]!;
  }
  const norm = Math.sqrt(m2 / out.length) || 1;
  for (let i = 0; i < out.length; i++) out[i]! /= norm;
  return out;
}

/** Options of {@link ultrasoundPair}. */
export interface UltrasoundOptions {
  width: number;
  height: number;
  variant: UltrasoundVariant;
  /** 0 (clear boundaries, no distractors) … 1 (faint boundaries, many distractors). */
  difficulty: number;
}

/** Draws one ultrasound-like image and the mask of its target (see the file comment). */
export function ultrasoundPair(rng: Rng, { width: w, height: h, variant, difficulty }: UltrasoundOptions): GrayPair {
  const scale = Math.sqrt(w * h) / 220; // feature sizes below are for a 256 × 180 image
  const probe = variant === 'head' || rng.next() < 0.35 ? sectorProbe(rng, w, h) : linearProbe(rng, w, h);
  const mask = new Uint8Array(w * h);
  const short = Math.min(w, h);
  const hard = difficulty;
  let echo: Float32Array;
  // Where structures may sit: inside the field of view, away from the near field.
  const place = (margin: number): [number, number] => {
    for (let tries = 0; ; tries++) {
      const x = uniform(rng, margin, w - margin);
      const y = uniform(rng, Math.max(margin, 0.2 * h), h - margin);
      if (probe.fov(x, y) > 0.99 || tries > 50) return [x, y];
    }
  };

  if (variant === 'lesion') {
    echo = breastTissue(rng, probe, w, h, scale);
    // Distractors first, so the lesion is drawn over them where they overlap.
    const nDistract = Math.round(uniform(rng, 0.5, 1.5 + 3 * hard));
    for (let k = 0; k < nDistract; k++) {
      const elongated = rng.next() < 0.4;
      const r = uniform(rng, 0.04, 0.12) * short;
      const [cx, cy] = place(r);
      const blob = randomBlob(rng, cx, cy, elongated ? r * uniform(rng, 2, 4) : r, elongated ? r * 0.5 : r * uniform(rng, 0.6, 1), 0.15);
      if (elongated) blob.angle = uniform(rng, -0.3, 0.3);
      const level = uniform(rng, 0.05, 0.25);
      const wgt = cover(blob, w, h, uniform(rng, 0.8, 2.5) * scale);
      mix(echo, wgt, () => level);
      if (rng.next() < 0.5) {
        const caster = new Uint8Array(w * h);
        for (let i = 0; i < caster.length; i++) caster[i] = wgt[i]! > 0.5 ? 1 : 0;
        posterior(echo, caster, probe, w, h, uniform(rng, 1.2, 1.6), 10 * scale); // cysts enhance behind
      }
    }
    const r = uniform(rng, 0.09, 0.28) * short;
    const [cx, cy] = place(r * 0.8);
    const spiculated = rng.next() < 0.5;
    const lesion = randomBlob(rng, cx, cy, r, r * uniform(rng, 0.5, 0.95), spiculated ? 0.35 : 0.15, spiculated ? 9 : 4);
    lesion.angle = uniform(rng, -0.5, 0.5);
    // Faint and blurred boundary with difficulty; inside a little heterogeneous.
    const edge = (0.7 + 3 * hard * rng.next()) * scale;
    const inner = valueNoise(rng, w, h, 10 * scale, 2);
    const level = uniform(rng, 0.04, 0.1) + hard * uniform(rng, 0.05, 0.2);
    const wgt = cover(lesion, w, h, edge, mask);
    mix(echo, wgt, (i) => level * (1 + 0.8 * inner.data[i]!));
    const post = rng.next();
    if (post < 0.45) posterior(echo, mask, probe, w, h, uniform(rng, 0.35, 0.65), 12 * scale);
    else if (post < 0.75) posterior(echo, mask, probe, w, h, uniform(rng, 1.2, 1.5), 12 * scale);
  } else {
    echo = obstetricTissue(rng, w, h, scale);
    const a = uniform(rng, 0.2, 0.36) * short;
    const b = a * uniform(rng, 0.72, 0.9);
    // Sometimes near an edge, so the head is clipped by the image like HC18's 346_HC.
    const [cx, cy] = rng.next() < 0.15 ? [uniform(rng, 0.25, 0.75) * w, h - b * uniform(rng, 0.5, 0.9)] : place(a * 0.9);
    const head = randomBlob(rng, cx, cy, a, b, 0.02, 3);
    // Amniotic fluid around the head (and a second pocket elsewhere).
    for (let k = 0; k < 2; k++) {
      const fluid = k === 0 ? randomBlob(rng, cx, cy, a * uniform(rng, 1.15, 1.5), b * uniform(rng, 1.15, 1.5), 0.25, 5) : randomBlob(rng, ...place(a), a * uniform(rng, 0.4, 0.9), b * uniform(rng, 0.3, 0.7), 0.3, 5);
      const fl = uniform(rng, 0.03, 0.08);
      mix(echo, cover(fluid, w, h, 6 * scale), () => fl);
    }
    // Distractors: body / limb sections with bright partial rims.
    const nDistract = Math.round(uniform(rng, 0, 1 + 2.5 * hard));
    for (let k = 0; k < nDistract; k++) {
      const r = a * uniform(rng, 0.3, 0.8);
      const [dx, dy] = place(r);
      const body = randomBlob(rng, dx, dy, r, r * uniform(rng, 0.5, 0.9), 0.1, 3);
      drawRimmed(echo, body, probe, w, h, scale, uniform(rng, 0.2, 0.35), uniform(rng, 0.4, 0.8), rng);
    }
    const brain = uniform(rng, 0.1, 0.2) + 0.12 * hard;
    const rimGain = uniform(rng, 1.2, 1.8) * (1 - 0.45 * hard);
    drawRimmed(echo, head, probe, w, h, scale, brain, rimGain, rng, mask);
    // Midline echo (falx) along the major axis, with gaps, and two small bright choroid plexus blobs.
    const gaps = valueNoise(rng, 64, 1, 8, 1);
    const cos = Math.cos(head.angle);
    const sin = Math.sin(head.angle);
    const midGain = uniform(rng, 0.3, 0.7) * (1 - 0.4 * hard);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const u = ((x - cx) * cos + (y - cy) * sin) / a;
        const v = (-(x - cx) * sin + (y - cy) * cos) / b;
        if (Math.abs(u) > 0.8) continue;
        const line = Math.exp(-(((v * b) / (1.2 * scale)) ** 2));
        const on = smoothstep(-0.1, 0.3, gaps.data[Math.min(63, Math.floor(((u + 1) / 2) * 64))]!);
        echo[y * w + x]! += midGain * line * on;
      }
    }
    for (const side of [-1, 1]) {
      const plexus = randomBlob(rng, cx + side * 0.35 * a * cos - 0.25 * b * sin, cy + side * 0.35 * a * sin + 0.25 * b * cos, 0.12 * a, 0.06 * a, 0.2);
      const lv = uniform(rng, 0.35, 0.6);
      mix(echo, cover(plexus, w, h, 1.5 * scale), () => lv);
    }
    posterior(echo, mask, probe, w, h, uniform(rng, 0.55, 0.85), 8 * scale);
  }

  // Image formation: attenuation with imperfect gain compensation, speckle, log compression, FOV.
  const sp = speckle(rng, w, h, scale);
  const atten = uniform(rng, 0.3, 1.2);
  const tgc = valueNoise(rng, 1, h, 40 * scale, 1);
  const gain = uniform(rng, 0.8, 1.25);
  const range = uniform(rng, 32, 42); // displayed dynamic range, dB
  const span = probe.depth1 - probe.depth0;
  const shown = field(w, h);
  const fov = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      fov[i] = probe.fov(x, y);
      const [, r] = probe.beam(x, y);
      const t = Math.max(0, (r - probe.depth0) / span);
      const env = gain * echo[i]! * Math.exp(-atten * t) * (1 + 0.6 * atten * t) * (1 + 0.15 * tgc.data[y]!) * sp[i]!;
      const v = (20 * Math.log10(Math.max(env, 1e-6) / 2) + range) / range; // log compression, 0 dB = envelope 2
      shown.data[i] = Math.max(0, Math.min(1, v));
    }
  }
  const smooth = gaussianBlur(shown, 0.5 * scale); // the scanner's display interpolation
  const gray = new Uint8Array(w * h);
  for (let i = 0; i < gray.length; i++) {
    if (fov[i]! > 0) gray[i] = Math.max(0, Math.min(255, Math.round(255 * smooth.data[i]! * fov[i]! + 2 * rng.normal())));
  }
  for (let i = 0; i < mask.length; i++) if (fov[i]! < 0.5) mask[i] = 0;
  annotationMarks(rng, gray, w, h);
  return { gray, mask, width: w, height: h };
}

/**
 * A structure with a bright rim whose echo depends on the beam angle (specular reflection: strong where
 * the rim's normal points along the beam) and random drop-outs; the inside gets `inside` echo.
 */
function drawRimmed(
  echo: Float32Array,
  b: Blob,
  probe: Probe,
  w: number,
  h: number,
  scale: number,
  inside: number,
  rimGain: number,
  rng: Rng,
  target?: Uint8Array,
): void {
  const thick = Math.max(1.5 * scale, 0.06 * Math.min(b.rx, b.ry));
  const dropout = valueNoise(rng, 96, 1, 6, 2);
  const reach = 1.3 * Math.max(b.rx, b.ry) + 4 * thick;
  const xa = Math.max(0, Math.floor(b.cx - reach));
  const xb = Math.min(w - 1, Math.ceil(b.cx + reach));
  const ya = Math.max(0, Math.floor(b.cy - reach));
  const yb = Math.min(h - 1, Math.ceil(b.cy + reach));
  const radius = Math.min(b.rx, b.ry);
  for (let y = ya; y <= yb; y++) {
    for (let x = xa; x <= xb; x++) {
      const i = y * w + x;
      const { d, theta } = blobCoord(b, x, y);
      const dist = d * radius;
      if (target && d < 0) target[i] = 1;
      // Inside: the structure's own echo, blended over one pixel.
      const inW = 1 - smoothstep(-thick - 1.5 * scale, -thick + 0.5 * scale, dist);
      if (inW > 0) echo[i] = echo[i]! * (1 - inW) + inside * inW;
      // Rim: a band just inside the boundary.
      const band = Math.exp(-(((dist + thick / 2) / (thick / 2)) ** 2));
      if (band < 0.01) continue;
      const beamDir = probe.direction(x, y);
      const normal = Math.atan2(y - b.cy, x - b.cx);
      const facing = Math.abs(Math.cos(normal - beamDir)) ** 1.5;
      const drop = smoothstep(-0.35, 0.1, dropout.data[Math.min(95, Math.floor(((theta + Math.PI) / (2 * Math.PI)) * 96))]!);
      echo[i]! += rimGain * band * (0.25 + 0.75 * facing) * drop;
    }
  }
}

/** A few bright text-like marks in the black corners, as scanners overlay (not part of any target). */
function annotationMarks(rng: Rng, gray: Uint8Array, w: number, h: number): void {
  const n = Math.floor(uniform(rng, 2, 6));
  for (let k = 0; k < n; k++) {
    const x0 = Math.floor(uniform(rng, 0.01, 0.2) * w) + (rng.next() < 0.5 ? 0 : Math.floor(0.75 * w));
    const y0 = Math.floor(uniform(rng, 0.01, 0.15) * h) + k * 3;
    const len = Math.floor(uniform(rng, 0.02, 0.08) * w);
    const v = Math.floor(uniform(rng, 150, 255));
    for (let x = x0; x < Math.min(w, x0 + len); x++) if (rng.next() < 0.7 && y0 < h && gray[y0 * w + x] === 0) gray[y0 * w + x] = v;
  }
}
