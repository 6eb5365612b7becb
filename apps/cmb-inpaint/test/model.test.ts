import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { expectNoLeak } from '@lossworks/testing';
import { faceIndex, nside2npix, padFace, reorder } from '@lossworks/healpix';
import { galacticCut } from '../src/data/masks.js';
import { faceGeometry, faceInput, facesWithHoles, gatherCentre, gatherFace, observedMap, scatterCentre } from '../src/model/faces.js';
import { buildNet, wrapNet } from '../src/model/skyreconnet.js';
import { cropAround, faceSamples, makeBatch, networkInputMap, predictMap, squareSymmetry } from '../src/fit.js';
import { diffusionFill } from '../src/baselines/diffusion.js';

describe('face images', () => {
  it('gathers the padded faces healpix padFace gives, in RING order', () => {
    const nside = 8;
    const map = Float64Array.from({ length: nside2npix(nside) }, (_, p) => Math.sin(p) * 10 + p / 7);
    const geo = faceGeometry(nside, 3);
    const nest = reorder(map, 'r2n');
    for (const f of [0, 5, 11]) {
      const ref = padFace(nest, f, 3);
      const out = new Float64Array(geo.width ** 2);
      gatherFace(map, geo, f, out);
      for (let i = 0; i < out.length; i++) expect(out[i]).toBeCloseTo(ref[i]!, 12);
    }
  });

  it('scatterCentre inverts gatherCentre over the 12 faces', () => {
    const nside = 4;
    const map = Float64Array.from({ length: 192 }, (_, p) => p);
    const geo = faceGeometry(nside, 1);
    const back = new Float64Array(192);
    const buf = new Float32Array(16);
    for (let f = 0; f < 12; f++) {
      gatherCentre(map, geo, f, buf);
      expect(Array.from(buf)).toEqual(Array.from(faceIndex(nside, f, { nest: false })));
      scatterCentre(buf, geo, f, back);
    }
    expect(Array.from(back)).toEqual(Array.from(map));
  });

  it('builds two-channel inputs (observed / scale, mask) and finds the faces with holes', () => {
    const nside = 8;
    const mask = galacticCut(nside, { b0: 10 });
    const geo = faceGeometry(nside, 2);
    const data = Float64Array.from({ length: nside2npix(nside) }, () => 50);
    const obs = observedMap(data, mask);
    const x = new Float32Array(geo.width ** 2 * 2);
    faceInput(obs, mask, geo, 4, x, 0, 25);
    for (let i = 0; i < geo.width ** 2; i++) {
      expect(x[2 * i + 1] === 0 || x[2 * i + 1] === 1).toBe(true);
      expect(x[2 * i]).toBe(x[2 * i + 1]! * 2);
    }
    expect(facesWithHoles(mask, geo)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]); // polar faces reach the equator at a corner
    const cap = Float64Array.from({ length: nside2npix(nside) }, (_, p) => (p < 40 ? 0 : 1)); // RING: the first rings, around the north pole
    expect(facesWithHoles(cap, geo)).toEqual([0, 1, 2, 3]);
  });

  it('squareSymmetry gives the 8 symmetries of the square', () => {
    const w = 3;
    const seen = new Set<string>();
    for (let k = 0; k < 8; k++) seen.add(Array.from(squareSymmetry(w, k)).join());
    expect(seen.size).toBe(8);
    expect(Array.from(squareSymmetry(w, 0))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(squareSymmetry(w, 1))).toEqual([0, 3, 6, 1, 4, 7, 2, 5, 8]); // transpose
  });
});

describe('training batches', () => {
  it('crops squares around unobserved pixels: input and target are the sub-squares of the whole-face batch', () => {
    const nside = 16;
    const mask = galacticCut(nside, { b0: 15 });
    const geo = faceGeometry(nside, 4);
    const truth = Float32Array.from({ length: nside2npix(nside) }, (_, p) => Math.cos(p / 5) * 30);
    const src = { skies: { truth: [truth], observed: [truth] }, mask, geo, scale: 10 };
    const samples = faceSamples(1, mask, geo);
    expect(samples.every((s) => s.holes === s.holePositions.length && s.holes > 0)).toBe(true);
    const s4 = samples.find((s) => s.face === 4)!;
    const origin = cropAround(s4, nside, 8, 0.5);
    expect(origin[0]).toBeGreaterThanOrEqual(0);
    expect(origin[0]).toBeLessThanOrEqual(8);
    const full = makeBatch(src, [s4]);
    const cut = makeBatch(src, [s4], [0], { size: 8, origins: [origin] });
    expect((cut.x as tf.Tensor).shape).toEqual([1, 16, 16, 2]);
    expect((cut.y as tf.Tensor).shape).toEqual([1, 8, 8, 1]);
    const fx = (full.x as tf.Tensor).arraySync() as number[][][][];
    const cx = (cut.x as tf.Tensor).arraySync() as number[][][][];
    const fy = (full.y as tf.Tensor).arraySync() as number[][][][];
    const cy = (cut.y as tf.Tensor).arraySync() as number[][][][];
    const [ox, oy] = origin;
    for (let r = 0; r < 16; r++) for (let c = 0; c < 16; c++) expect(cx[0]![r]![c]).toEqual(fx[0]![oy + r]![ox + c]);
    for (let r = 0; r < 8; r++) for (let c = 0; c < 8; c++) expect(cy[0]![r]![c]).toEqual(fy[0]![oy + r]![ox + c]);
    // the crop's target square holds at least one unobserved pixel
    let holes = 0;
    for (let r = 0; r < 8; r++) for (let c = 0; c < 8; c++) if (cx[0]![r + 4]![c + 4]![1]! < 1) holes++;
    expect(holes).toBeGreaterThan(0);
    tf.dispose([full.x as tf.Tensor, full.y as tf.Tensor, cut.x as tf.Tensor, cut.y as tf.Tensor]);
  });
});

describe('SkyReconNet', () => {
  const config = { nside: 16, pad: 4, channels: 4, rates: [1, 2, 4, 8] };

  it('keeps every known pixel exactly: output = m·x + (1 − m)·prediction', async () => {
    {
      const net = buildNet(config, 3);
      const nside = 16;
      const mask = galacticCut(nside, { b0: 20, apodization: 10 });
      const data = Float64Array.from({ length: nside2npix(nside) }, (_, p) => 80 * Math.sin(p / 9));
      const out = await expectNoLeak(() => predictMap(net, data, mask, 40), 'predictMap');
      let inHole = 0;
      for (let p = 0; p < mask.length; p++) {
        if (mask[p] === 1) expect(out[p]).toBe(data[p]);
        else if (mask[p] === 0) inHole += Math.abs(out[p]! - data[p]!);
        else expect(Number.isFinite(out[p])).toBe(true);
      }
      expect(inHole).toBeGreaterThan(0); // the hole is predicted, not copied
      // in float32 inside the network too: known pixels of the output tensor equal the input
      const w = 24;
      const x = tf.tidy(() => tf.concat([tf.randomNormal([2, w, w, 1], 0, 1, 'float32', 7), tf.cast(tf.greater(tf.randomUniform([2, w, w, 1], 0, 1, 'float32', 8), 0.3), 'float32')], 3));
      const y = net.apply(x, { training: false }) as tf.Tensor;
      const [xv, yv] = [x.dataSync(), y.dataSync()];
      for (let b = 0; b < 2; b++) {
        for (let j = 0; j < 16; j++) {
          for (let i = 0; i < 16; i++) {
            const xi = ((b * w + j + 4) * w + i + 4) * 2;
            if (xv[xi + 1] === 1) expect(yv[(b * 16 + j) * 16 + i]).toBe(xv[xi]);
          }
        }
      }
      tf.dispose([x, y]);
      net.dispose();
    }
  });

  it("with prefill 'diffusion' starts as the diffusion baseline and learns a residual on it", async () => {
    const nside = 16;
    const mask = galacticCut(nside, { b0: 20, apodization: 0 });
    const data = Float64Array.from({ length: nside2npix(nside) }, (_, p) => 80 * Math.sin(p / 9) + 30 * Math.cos(p / 31));
    const diffusion = diffusionFill(observedMap(data, mask), mask).map;
    // the input map holds the diffusion fill in the hole (cached per observed array and mask)
    const input = networkInputMap(data, mask, 'diffusion');
    expect(networkInputMap(data, mask, 'diffusion')).toBe(input);
    expect(Array.from(input)).toEqual(Array.from(diffusion));
    const net = buildNet({ ...config, prefill: 'diffusion' }, 3);
    expect(net.config.prefill).toBe('diffusion');
    expect(buildNet(config, 3).config.prefill).toBe('none');
    const out = await expectNoLeak(() => predictMap(net, data, mask, 40), 'predictMap');
    // untrained (zero head): the diffusion fill, up to float32 rounding of x/scale·scale (|x| ≤ 110 μK → 1e-4)
    let hole = 0;
    for (let p = 0; p < mask.length; p++) {
      if (mask[p] === 0) {
        hole++;
        expect(Math.abs(out[p]! - diffusion[p]!)).toBeLessThan(1e-4);
      } else expect(out[p]).toBe(data[p]);
    }
    expect(hole).toBeGreaterThan(100);
    // a non-zero head moves the hole away from the fill by exactly its output (residual)
    const b = net.variables['head.b']!;
    b.assign(tf.fill([1], 0.5));
    const moved = await predictMap(net, data, mask, 40);
    for (let p = 0; p < mask.length; p++) if (mask[p] === 0) expect(moved[p]! - diffusion[p]!).toBeCloseTo(0.5 * 40, 3);
    expect(() => buildNet({ ...config, prefill: 'median' as 'none' })).toThrow(/'prefill' must be 'none' or 'diffusion'/);
    net.dispose();
  });

  it('is deterministic for a seed, checks its input and its weights', () => {
    const a = buildNet(config, 1);
    const b = buildNet(config, 1);
    const c = buildNet(config, 2);
    const wa = a.variables['stem.w']!.dataSync();
    expect(Array.from(b.variables['stem.w']!.dataSync())).toEqual(Array.from(wa));
    expect(Array.from(c.variables['stem.w']!.dataSync())).not.toEqual(Array.from(wa));
    expect(a.parameterCount).toBe(Object.values(a.variables).reduce((s, v) => s + v.size, 0));
    for (const shape of [[1, 21, 21, 2], [1, 8, 8, 2], [1, 24, 20, 2], [1, 24, 24, 1]]) {
      const bad = tf.zeros(shape);
      expect(() => a.apply(bad, { training: false })).toThrow(/input must be \[B, W, W, 2\] with W = nside \+ 2·pad = 24/);
      bad.dispose();
    }
    const crop = tf.zeros([2, 20, 20, 2]); // a 12 × 12 training crop with 4 pixels of context
    const y = a.apply(crop, { training: false }) as tf.Tensor;
    expect(y.shape).toEqual([2, 12, 12, 1]);
    tf.dispose([crop, y]);
    expect(() => wrapNet(config, { 'stem.w': a.variables['stem.w']! })).toThrow(/weights of layer 'stem' are missing|'stem.b'|layer 'stem'/);
    expect(() => buildNet({ ...config, channels: 3 })).toThrow(/'channels' must be an even integer/);
    expect(() => buildNet({ ...config, pad: 17 })).toThrow(/'pad' must be an integer in \[0, nside = 16\]/);
    for (const n of [a, b, c]) n.dispose();
  });
});
