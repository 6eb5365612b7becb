// Training stage: face samples from the simulated skies, batches with random square symmetries, and
// core-train's fit with the composite loss.
//
// A sample is one base face of one sky whose central pixels include unobserved ones. Samples are drawn
// with probability proportional to their number of unobserved pixels (faces crossed by the galactic
// cut teach more than a polar face with one point-source hole), with replacement, from a generator
// seeded by (run seed, epoch). Inputs are the observed map divided by the sky rms and the mask; the
// target is the noise-free face divided by the same rms.
import * as tf from '@tensorflow/tfjs';
import { Dataset, fit, Rng, hashSeed, type Batch, type Callback, type History } from '@lossworks/core-train';
import type { SkySet } from './data/simulate.js';
import { lossTerms } from './losses.js';
import { diffusionFill } from './baselines/diffusion.js';
import { faceGeometry, faceInput, gatherCentre, observedMap, type FaceGeometry } from './model/faces.js';
import type { SkyReconNet } from './model/skyreconnet.js';

/** One training sample: sky index, face, its number of unobserved central pixels and their face positions y·nside + x. */
export interface FaceSample {
  sky: number;
  face: number;
  holes: number;
  holePositions: Int32Array;
}

/** Every (sky, face) whose central face has unobserved (mask < 1) pixels. */
export function faceSamples(count: number, mask: ArrayLike<number>, geo: FaceGeometry): FaceSample[] {
  const positions = geo.centre.map((c) => Int32Array.from(Array.from(c.keys()).filter((i) => mask[c[i]!]! < 1)));
  const out: FaceSample[] = [];
  for (let sky = 0; sky < count; sky++) {
    for (let face = 0; face < 12; face++) {
      const holePositions = positions[face]!;
      if (holePositions.length > 0) out.push({ sky, face, holes: holePositions.length, holePositions });
    }
  }
  return out;
}

/** Origin of a `size` crop centred (as far as the face allows) on a random unobserved pixel of the sample. */
export function cropAround(sample: FaceSample, nside: number, size: number, u: number): CropOrigin {
  const pos = sample.holePositions[Math.min(sample.holePositions.length - 1, Math.floor(u * sample.holePositions.length))]!;
  const cx = pos % nside;
  const cy = Math.floor(pos / nside);
  const clamp = (v: number) => Math.max(0, Math.min(nside - size, v));
  return [clamp(cx - size / 2), clamp(cy - size / 2)];
}

/**
 * Index map of one of the 8 symmetries of the square (k = 0..7: bit 0 transpose, bit 1 flip x, bit 2
 * flip y) on a w × w image: out[i] = in[map[i]].
 */
export function squareSymmetry(w: number, k: number): Int32Array {
  const out = new Int32Array(w * w);
  for (let y = 0; y < w; y++) {
    for (let x = 0; x < w; x++) {
      let sx = k & 2 ? w - 1 - x : x;
      let sy = k & 4 ? w - 1 - y : y;
      if (k & 1) [sx, sy] = [sy, sx];
      out[y * w + x] = sy * w + sx;
    }
  }
  return out;
}

/** What a batch needs: skies, mask, face tables and the normalisation. */
export interface FaceBatchSource {
  skies: SkySet;
  mask: ArrayLike<number>;
  geo: FaceGeometry;
  /** Sky rms (μK): inputs and targets are divided by it. */
  scale: number;
  /** What the hole of the input holds (the network's config.prefill); default 'none'. */
  prefill?: 'none' | 'diffusion';
}

const prefilled = new WeakMap<object, { mask: ArrayLike<number>; map: Float64Array }>();

/**
 * The map whose faces the network sees: the observed map (0 in the hole), or with prefill 'diffusion'
 * the diffusion baseline's fill of it (default options, as the eval's baseline). Cached per observed
 * (observed array, mask) for 'diffusion' (training draws the same sky many times).
 */
export function networkInputMap(observed: ArrayLike<number>, mask: ArrayLike<number>, prefill: 'none' | 'diffusion' = 'none'): Float64Array {
  const obs = observedMap(observed, mask);
  if (prefill === 'none') return obs;
  const key = observed as unknown as object;
  const hit = prefilled.get(key);
  if (hit && hit.mask === mask) return hit.map;
  const filled = diffusionFill(obs, mask).map;
  if (typeof key === 'object') prefilled.set(key, { mask, map: filled });
  return filled;
}

/** Top-left corner (x, y) of a crop's output square inside the face (0, 0 for whole faces). */
export type CropOrigin = [number, number];

/**
 * Builds the tensors of a batch of samples; `symmetry[i]` (0..7) transforms sample i (0 = none). With
 * `crop` = c < nside, sample i is the c × c square of its face at `origins[i]` (input: that square plus
 * `pad` pixels of context on each side, target: the square).
 */
export function makeBatch(src: FaceBatchSource, samples: readonly FaceSample[], symmetry?: readonly number[], crop?: { size: number; origins: readonly CropOrigin[] }): Batch {
  const { geo, mask, scale, skies } = src;
  const { width: W, nside: N, pad } = geo;
  const n = crop?.size ?? N;
  const w = n + 2 * pad;
  const B = samples.length;
  const x = new Float32Array(B * w * w * 2);
  const y = new Float32Array(B * n * n);
  const fullX = new Float32Array(W * W * 2);
  const fullY = new Float32Array(N * N);
  const bufX = new Float32Array(w * w * 2);
  const bufY = new Float32Array(n * n);
  const observed = new Map<number, Float64Array>();
  samples.forEach((s, i) => {
    let obs = observed.get(s.sky);
    if (!obs) {
      obs = networkInputMap(skies.observed[s.sky]!, mask, src.prefill);
      observed.set(s.sky, obs);
    }
    faceInput(obs, mask, geo, s.face, fullX, 0, scale);
    gatherCentre(skies.truth[s.sky]!, geo, s.face, fullY, 0, 1 / scale);
    const [ox, oy] = crop?.origins[i] ?? [0, 0];
    for (let r = 0; r < w; r++) bufX.set(fullX.subarray(((oy + r) * W + ox) * 2, ((oy + r) * W + ox + w) * 2), r * w * 2);
    for (let r = 0; r < n; r++) bufY.set(fullY.subarray((oy + r) * N + ox, (oy + r) * N + ox + n), r * n);
    const k = symmetry?.[i] ?? 0;
    const mx = squareSymmetry(w, k);
    const my = squareSymmetry(n, k);
    for (let j = 0; j < w * w; j++) {
      x[(i * w * w + j) * 2] = bufX[mx[j]! * 2]!;
      x[(i * w * w + j) * 2 + 1] = bufX[mx[j]! * 2 + 1]!;
    }
    for (let j = 0; j < n * n; j++) y[i * n * n + j] = bufY[my[j]!]!;
  });
  return { x: tf.tensor4d(x, [B, w, w, 2]), y: tf.tensor4d(y, [B, n, n, 1]) };
}

/**
 * Seeded weighted sampling with replacement (probability ∝ holes): epoch e yields `stepsPerEpoch`
 * batches, the last epoch only what is left of `steps` in total.
 */
export function trainingStream(
  src: FaceBatchSource,
  samples: readonly FaceSample[],
  opts: { batchSize: number; steps: number; stepsPerEpoch: number; augment: boolean; seed: number; crop?: number },
): Dataset<Batch> {
  const nside = src.geo.nside;
  const crop = opts.crop && opts.crop < nside ? opts.crop : 0;
  const cum = new Float64Array(samples.length);
  let acc = 0;
  samples.forEach((s, i) => (cum[i] = acc += s.holes));
  const pick = (u: number): number => {
    let lo = 0;
    let hi = cum.length - 1;
    const t = u * acc;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! > t) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  return Dataset.fromGenerator((ctx) => {
    const rng = new Rng(hashSeed('cmb-batches', opts.seed, ctx.seed, ctx.epoch));
    const count = Math.max(0, Math.min(opts.stepsPerEpoch, opts.steps - ctx.epoch * opts.stepsPerEpoch));
    return (function* () {
      for (let s = 0; s < count; s++) {
        const chosen: FaceSample[] = [];
        const sym: number[] = [];
        const origins: CropOrigin[] = [];
        for (let i = 0; i < opts.batchSize; i++) {
          const sample = samples[pick(rng.next())]!;
          chosen.push(sample);
          sym.push(opts.augment ? Math.floor(rng.next() * 8) : 0);
          if (crop) origins.push(cropAround(sample, nside, crop, rng.next()));
        }
        yield makeBatch(src, chosen, sym, crop ? { size: crop, origins } : undefined);
      }
    })();
  }, Math.min(opts.stepsPerEpoch, opts.steps));
}

/** Options of {@link trainNet}. */
export interface TrainNetOptions {
  alpha: number;
  ssimDataRange: number;
  steps: number;
  batchSize: number;
  lr: number;
  warmupSteps: number;
  augment: boolean;
  stepsPerEpoch: number;
  seed: number;
  /** Train on `crop` × `crop` squares of the faces around unobserved pixels (0 or ≥ nside: whole faces). */
  crop?: number;
  callbacks?: Callback[];
}

/** Trains the network on the training skies (validation loss on `val` when it has skies); returns fit's History. */
export async function trainNet(net: SkyReconNet, train: FaceBatchSource, val: FaceBatchSource | null, o: TrainNetOptions): Promise<History> {
  const samples = faceSamples(train.skies.truth.length, train.mask, train.geo);
  const perEpoch = Math.min(o.stepsPerEpoch, o.steps);
  const stream = trainingStream(train, samples, { batchSize: o.batchSize, steps: o.steps, stepsPerEpoch: perEpoch, augment: o.augment, seed: o.seed, crop: o.crop });
  const valBatches: Batch[] = [];
  if (val && val.skies.truth.length > 0) {
    const vs = faceSamples(val.skies.truth.length, val.mask, val.geo);
    for (let i = 0; i < vs.length; i += o.batchSize) valBatches.push(makeBatch(val, vs.slice(i, i + o.batchSize)));
  }
  const warmup = Math.min(o.warmupSteps, o.steps - 1);
  try {
    return await fit(net, stream, {
      loss: lossTerms({ alpha: o.alpha, dataRange: o.ssimDataRange }),
      optimizer: { name: 'adam', lr: o.lr },
      schedule: o.steps > 1 ? { name: 'warmup-cosine', warmupSteps: warmup, totalSteps: o.steps, minLr: o.lr * 0.05 } : { name: 'constant' },
      // Epochs end when the stream does (the last one may be short): with maxSteps landing on an epoch's
      // last step, fit would skip that epoch's end (no validation, no epoch logs).
      epochs: Math.ceil(o.steps / perEpoch),
      seed: o.seed,
      ...(valBatches.length > 0 ? { validation: { data: Dataset.fromArray(valBatches) } } : {}),
      callbacks: o.callbacks ?? [],
    });
  } finally {
    for (const b of valBatches) tf.dispose([b.x as tf.Tensor, b.y as tf.Tensor]);
  }
}

/** Face tables for a network's nside and pad. */
export function geometryOf(net: SkyReconNet): FaceGeometry {
  return faceGeometry(net.config.nside, net.config.pad);
}

/**
 * Inpaints one map with the network: all 12 padded faces in one batch, the central outputs written back
 * (RING, μK). Known pixels come out as m·x + (1 − m)·prediction, exactly.
 */
export async function predictMap(net: SkyReconNet, observed: ArrayLike<number>, mask: ArrayLike<number>, scale: number): Promise<Float64Array> {
  const geo = geometryOf(net);
  const { width: w, nside: n } = geo;
  const obs = observedMap(observed, mask);
  const input = networkInputMap(observed, mask, net.config.prefill);
  const x = new Float32Array(12 * w * w * 2);
  for (let f = 0; f < 12; f++) faceInput(input, mask, geo, f, x, f * w * w * 2, scale);
  const out = tf.tidy(() => net.apply(tf.tensor4d(x, [12, w, w, 2]), { training: false }) as tf.Tensor);
  let values: Float32Array;
  try {
    values = (await out.data()) as Float32Array;
  } finally {
    out.dispose();
  }
  const map = new Float64Array(12 * n * n);
  for (let f = 0; f < 12; f++) for (let i = 0; i < n * n; i++) map[geo.centre[f]![i]!] = values[f * n * n + i]! * scale;
  // m·x + (1 − m)·p in float64 (the network computed it in float32 on x/scale)
  for (let p = 0; p < map.length; p++) if (mask[p] === 1) map[p] = obs[p]!;
  return map;
}
