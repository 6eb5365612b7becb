// Endoscopy-like (colonoscopy, Kvasir-SEG-like) RGB images with a polyp mask: pink-red mucosa with fine
// texture, a dark lumen, concentric folds with shaded ridges, branching submucosal vessels, vignetting
// and a circular field of view; the polyp is an irregular dome, lit from the camera (bright centre, dark
// rim on the side away from the light), with a slightly shifted colour and its own surface texture,
// specular highlights on its cap; distractors are mucosa-coloured bulges (no colour shift), bubbles and
// specular glints, and sometimes the scope's position box in a corner.
import type { Rng } from '@lossworks/core-train';
import { blobCoord, gaussianBlur, randomBlob, smoothstep, uniform, valueNoise, type Blob, type Field } from './fields.js';
import type { RgbImage } from '../types.js';

/** Options of {@link endoscopyPair}. */
export interface EndoscopyOptions {
  width: number;
  height: number;
  /** 0 (clear boundaries, no distractors) … 1 (faint boundaries, many distractors). */
  difficulty: number;
}

interface Dome {
  blob: Blob;
  height: number;
}

/**
 * Height in pixels of a dome over a blob: height·rx·(1 − ρ²) inside, 0 outside (ρ the blob's radial
 * coordinate); the finite slope at the rim keeps the boundary from turning into a dark outline.
 */
function domeHeight(d: Dome, x: number, y: number): number {
  const { rho } = blobCoord(d.blob, x, y);
  return rho < 1 ? d.height * d.blob.rx * (1 - rho * rho) : 0;
}

/** Random-walk vessels stamped into a 0..1 field (soft lines of width ~`width` pixels), with branching. */
function vessels(rng: Rng, w: number, h: number, scale: number, count: number): Field {
  const f: Field = { data: new Float32Array(w * h), width: w, height: h };
  const stamp = (x: number, y: number, r: number, strength: number): void => {
    const R = Math.ceil(2 * r + 1);
    for (let yy = Math.max(0, Math.floor(y - R)); yy <= Math.min(h - 1, Math.ceil(y + R)); yy++) {
      for (let xx = Math.max(0, Math.floor(x - R)); xx <= Math.min(w - 1, Math.ceil(x + R)); xx++) {
        const v = strength * Math.exp(-((xx - x) ** 2 + (yy - y) ** 2) / (2 * r * r));
        const i = yy * w + xx;
        if (v > f.data[i]!) f.data[i] = v;
      }
    }
  };
  const walk = (x: number, y: number, dir: number, len: number, r: number, strength: number, depth: number): void => {
    for (let s = 0; s < len; s++) {
      dir += 0.25 * rng.normal();
      x += Math.cos(dir) * scale;
      y += Math.sin(dir) * scale;
      if (x < 0 || y < 0 || x >= w || y >= h) return;
      stamp(x, y, r, strength);
      if (depth < 2 && rng.next() < 0.012) walk(x, y, dir + (rng.next() < 0.5 ? -1 : 1) * uniform(rng, 0.4, 1.2), len * 0.5, r * 0.7, strength * 0.8, depth + 1);
    }
  };
  for (let k = 0; k < count; k++) {
    walk(rng.next() * w, rng.next() * h, rng.next() * 2 * Math.PI, uniform(rng, 40, 160), uniform(rng, 0.5, 1.3) * scale, uniform(rng, 0.5, 1), 0);
  }
  return f;
}

/** Draws one endoscopy-like image and its polyp mask (see the file comment). */
export function endoscopyPair(rng: Rng, { width: w, height: h, difficulty: hard }: EndoscopyOptions): { image: RgbImage; mask: Uint8Array } {
  const scale = Math.min(w, h) / 256;
  const short = Math.min(w, h);
  // Field of view: a disc (corners black), sometimes nearly the whole frame.
  const fovR = uniform(rng, 0.42, 0.56) * Math.hypot(w, h);
  const fcx = w / 2 + uniform(rng, -0.03, 0.03) * w;
  const fcy = h / 2 + uniform(rng, -0.03, 0.03) * h;
  // Lumen (dark, far away) and fold rings around it.
  const lx = uniform(rng, 0.1, 0.9) * w;
  const ly = uniform(rng, 0.1, 0.9) * h;
  const lr = uniform(rng, 0.08, 0.2) * short;
  const foldPeriod = uniform(rng, 0.16, 0.3) * short;
  const foldAmp = uniform(rng, 0.06, 0.16);
  const warp = valueNoise(rng, w, h, 70 * scale, 2);
  const tex = valueNoise(rng, w, h, 5 * scale, 2);
  const texColour = valueNoise(rng, w, h, 25 * scale, 2);
  const base: [number, number, number] = [uniform(rng, 0.78, 0.92), uniform(rng, 0.38, 0.52), uniform(rng, 0.3, 0.42)];
  const vessel = vessels(rng, w, h, scale, Math.round(uniform(rng, 5, 14)));

  // Polyp (target) and distractor bulges: domes; the polyp is not inside the lumen.
  const pr = uniform(rng, 0.07, 0.3) * short;
  let px = 0;
  let py = 0;
  for (let tries = 0; tries < 50; tries++) {
    px = uniform(rng, pr * 0.6, w - pr * 0.6);
    py = uniform(rng, pr * 0.6, h - pr * 0.6);
    if (Math.hypot(px - lx, py - ly) > lr + pr * 0.8 && Math.hypot(px - fcx, py - fcy) < fovR - pr * 0.5) break;
  }
  const polyp: Dome = { blob: randomBlob(rng, px, py, pr, pr * uniform(rng, 0.65, 1), uniform(rng, 0.05, 0.3), 5), height: uniform(rng, 0.35, 0.9) * (1 - 0.4 * hard) };
  const bulges: Dome[] = [];
  const nBulge = Math.round(uniform(rng, 0, 1 + 3 * hard));
  for (let k = 0; k < nBulge; k++) {
    const r = uniform(rng, 0.06, 0.22) * short;
    bulges.push({ blob: randomBlob(rng, uniform(rng, 0, w), uniform(rng, 0, h), r, r * uniform(rng, 0.35, 0.9), 0.2, 4), height: uniform(rng, 0.15, 0.5) });
  }
  // Polyp colour shift and texture: weaker with difficulty.
  const shiftAmount = uniform(rng, 0.06, 0.2) * (1 - 0.65 * hard);
  const shift: [number, number, number] =
    rng.next() < 0.5 ? [1 + 0.5 * shiftAmount, 1 - shiftAmount, 1 - 0.8 * shiftAmount] : [1 + shiftAmount, 1 + 1.4 * shiftAmount, 1 + 1.4 * shiftAmount]; // redder or paler
  const pit = valueNoise(rng, w, h, 2 * scale, 1);
  const pitAmp = uniform(rng, 0.03, 0.09);
  const edge = (0.8 + 3 * hard * rng.next()) * scale;
  // Light: near the camera, a little off-axis.
  const lightA = rng.next() * 2 * Math.PI;
  const light = [0.35 * Math.cos(lightA), 0.35 * Math.sin(lightA), 1];
  const ln = Math.hypot(light[0]!, light[1]!, light[2]!);
  const L = light.map((v) => v / ln) as [number, number, number];
  const half = [L[0], L[1], L[2] + 1];
  const hn = Math.hypot(half[0]!, half[1]!, half[2]!);
  const H = half.map((v) => v / hn) as [number, number, number];
  const glintNoise = valueNoise(rng, w, h, 4 * scale, 1);

  const mask = new Uint8Array(w * h);
  const rgb = new Float32Array(w * h * 3);
  // Surface height on a grid one pixel larger on every side: the polyp's dome plus the highest bulge
  // under it (each dome only evaluated near its blob: harmonics stretch a blob to at most 1.44× its axes).
  const gw = w + 2;
  const polypH = new Float32Array(gw * (h + 2));
  const bulgeH = new Float32Array(gw * (h + 2));
  for (const [k, dome] of [polyp, ...bulges].entries()) {
    const reach = 1.5 * Math.max(dome.blob.rx, dome.blob.ry) + 2;
    const x0 = Math.max(-1, Math.floor(dome.blob.cx - reach));
    const x1 = Math.min(w, Math.ceil(dome.blob.cx + reach));
    const y0 = Math.max(-1, Math.floor(dome.blob.cy - reach));
    const y1 = Math.min(h, Math.ceil(dome.blob.cy + reach));
    const target = k === 0 ? polypH : bulgeH;
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const j = (y + 1) * gw + x + 1;
        target[j] = Math.max(target[j]!, domeHeight(dome, x, y));
      }
    }
  }
  const heights = polypH.map((v, j) => v + bulgeH[j]!);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      // Surface normal from the heights (central differences).
      const j = (y + 1) * gw + x + 1;
      const gx = (heights[j + 1]! - heights[j - 1]!) / 2;
      const gy = (heights[j + gw]! - heights[j - gw]!) / 2;
      const nn = Math.hypot(gx, gy, 1);
      const n = [-gx / nn, -gy / nn, 1 / nn];
      const diffuse = Math.max(0, n[0]! * L[0] + n[1]! * L[1] + n[2]! * L[2]);
      const spec = Math.max(0, n[0]! * H[0] + n[1]! * H[1] + n[2]! * H[2]);
      // Distance-based illumination: dark lumen, vignetting towards the FOV edge.
      const dl = Math.hypot(x - lx, y - ly);
      const lumen = 1 - 0.88 * Math.exp(-((dl / lr) ** 2));
      const far = 0.55 + 0.45 * smoothstep(0, 1.2 * lr + 0.25 * short, dl);
      const rf = Math.hypot(x - fcx, y - fcy) / fovR;
      const vignette = 1 - 0.55 * rf * rf;
      const fov = 1 - smoothstep(0.97, 1, rf);
      const phase = dl / foldPeriod + 1.2 * warp.data[i]!;
      const frac = phase - Math.floor(phase);
      const fold = 1 + foldAmp * Math.sin(2 * Math.PI * phase) - 0.25 * foldAmp * 4 * Math.exp(-(((frac - 0.8) / 0.07) ** 2));
      // Polyp blend weight over a soft edge.
      const { d } = blobCoord(polyp.blob, x, y);
      const inPolyp = 1 - smoothstep(-edge, edge, d * Math.min(polyp.blob.rx, polyp.blob.ry));
      const folds = 1 + (fold - 1) * (1 - 0.7 * inPolyp);
      let shade = lumen * far * vignette * folds * (0.55 + 0.45 * diffuse);
      shade *= 1 + 0.04 * tex.data[i]!;
      if (d < 0) mask[i] = 1;
      const v = vessel.data[i]! * (1 - 0.7 * inPolyp);
      const glint = Math.pow(spec, 60) * (0.6 + 0.4 * glintNoise.data[i]!) * (inPolyp > 0.5 ? 1.4 : 0.6);
      for (let c = 0; c < 3; c++) {
        let col = base[c]! * (1 + 0.06 * texColour.data[i]! * (c === 0 ? 0.5 : 1));
        col *= 1 - v * [0.25, 0.5, 0.4][c]!;
        const polypCol = col * shift[c]! * (1 + pitAmp * pit.data[i]!);
        col = col * (1 - inPolyp) + polypCol * inPolyp;
        rgb[3 * i + c] = fov * (col * shade + glint);
      }
    }
  }
  const scopeBox = decorate(rng, rgb, w, h, scale, hard, fcx, fcy, fovR);
  const blurred = blurRgb(rgb, w, h, 0.6 * scale);
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, Math.round(255 * blurred[i]! + 1.5 * rng.normal())));
  for (let i = 0; i < mask.length; i++) {
    const rf = Math.hypot((i % w) - fcx, Math.floor(i / w) - fcy) / fovR;
    if (rf > 0.985) mask[i] = 0;
    if ((i % w) < scopeBox && Math.floor(i / w) >= h - scopeBox) mask[i] = 0; // the overlay hides the polyp
  }
  return { image: { data, width: w, height: h }, mask };
}

/**
 * Bubbles, extra specular glints on the mucosa, and sometimes the scope's position box (bottom-left);
 * returns the box's side in pixels (0 without one).
 */
function decorate(rng: Rng, rgb: Float32Array, w: number, h: number, scale: number, hard: number, fcx: number, fcy: number, fovR: number): number {
  const nBubbles = Math.round(uniform(rng, 0, 2 + 4 * hard));
  for (let k = 0; k < nBubbles; k++) {
    const r = uniform(rng, 2, 9) * scale;
    const bx = rng.next() * w;
    const by = rng.next() * h;
    for (let y = Math.max(0, Math.floor(by - r - 2)); y <= Math.min(h - 1, by + r + 2); y++) {
      for (let x = Math.max(0, Math.floor(bx - r - 2)); x <= Math.min(w - 1, bx + r + 2); x++) {
        const d = Math.hypot(x - bx, y - by);
        const rim = Math.exp(-(((d - r) / (0.7 * scale)) ** 2));
        const spot = Math.exp(-((Math.hypot(x - bx + 0.4 * r, y - by + 0.4 * r) / (0.25 * r + 0.5)) ** 2));
        const i = y * w + x;
        for (let c = 0; c < 3; c++) rgb[3 * i + c] = rgb[3 * i + c]! * (1 - 0.4 * rim) + 0.5 * rim + 0.7 * spot;
      }
    }
  }
  const nGlints = Math.round(uniform(rng, 3, 12));
  for (let k = 0; k < nGlints; k++) {
    const gx = rng.next() * w;
    const gy = rng.next() * h;
    const rx = uniform(rng, 0.5, 3) * scale;
    const ry = rx * uniform(rng, 0.3, 1);
    for (let y = Math.max(0, Math.floor(gy - 3 * ry)); y <= Math.min(h - 1, gy + 3 * ry); y++) {
      for (let x = Math.max(0, Math.floor(gx - 3 * rx)); x <= Math.min(w - 1, gx + 3 * rx); x++) {
        const g = Math.exp(-(((x - gx) / rx) ** 2 + ((y - gy) / ry) ** 2));
        const i = y * w + x;
        if (Math.hypot(x - fcx, y - fcy) < fovR) for (let c = 0; c < 3; c++) rgb[3 * i + c]! += 0.9 * g;
      }
    }
  }
  if (rng.next() < 0.4) {
    // Kvasir's scope-position box: a dark square with a green outline in the bottom-left corner.
    const bw = Math.round(0.22 * Math.min(w, h));
    for (let y = h - bw; y < h; y++) {
      for (let x = 0; x < bw; x++) {
        const i = y * w + x;
        const border = x < 2 * scale || y >= h - 2 * scale || x >= bw - 2 * scale || y < h - bw + 2 * scale;
        const inner = Math.abs(x - bw / 2) < 0.3 * bw && Math.abs(y - (h - bw / 2)) < 0.06 * bw;
        rgb[3 * i] = border || inner ? 0.1 : 0.02;
        rgb[3 * i + 1] = border || inner ? 0.55 : 0.03;
        rgb[3 * i + 2] = border || inner ? 0.15 : 0.02;
      }
    }
    return bw;
  }
  return 0;
}

function blurRgb(rgb: Float32Array, w: number, h: number, sigma: number): Float32Array {
  const out = new Float32Array(rgb.length);
  for (let c = 0; c < 3; c++) {
    const f: Field = { data: new Float32Array(w * h), width: w, height: h };
    for (let i = 0; i < w * h; i++) f.data[i] = rgb[3 * i + c]!;
    const b = gaussianBlur(f, sigma);
    for (let i = 0; i < w * h; i++) out[3 * i + c] = b.data[i]!;
  }
  return out;
}
