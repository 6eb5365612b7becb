import { describe, expect, it } from 'vitest';
import fixtures from './pixel.fixtures.json' with { type: 'json' };
import { expectClose, expectSame } from '../test/close.js';
import {
  HealpixError, allRings, ang2pix, ang2vec, neighbours, nest2ring, npix2nside, nside2npix, nside2order, pix2ang, pix2ring,
  pix2vec, pix2xyf, reorder, ring2nest, ringInfo, vec2ang, vec2pix, xyf2pix,
} from './index.js';

// Angles: healpy computes the same closed forms in C++ doubles; libm acos/atan2 may differ from V8's by an
// ulp or two, so 1e-14 absolute (about 40 ulp of π) is allowed. Every integer result must be identical.
const ANG = { atol: 1e-14 };

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

describe('indexing: every pixel at nside 1, 2, 4, 8 against healpy', () => {
  for (const c of fixtures.full) {
    const { nside } = c;
    const npix = nside2npix(nside);
    it(`nside ${nside}: pix2ang, ring2nest, nest2ring, xyf, pix2ring, neighbours, ring info`, () => {
      const pix = range(npix);
      const ringAng = pix.map((p) => pix2ang(nside, p));
      expectClose(ringAng.map((a) => a[0]), c.theta, ANG, 'pix2ang RING theta');
      expectClose(ringAng.map((a) => a[1]), c.phi, ANG, 'pix2ang RING phi');
      expectSame(pix.map((p) => ring2nest(nside, p)), c.ring2nest, 'ring2nest');
      expectSame(pix.map((p) => nest2ring(nside, p)), c.nest2ring, 'nest2ring');
      const nestAng = pix.map((p) => pix2ang(nside, p, { nest: true }));
      expectClose(nestAng.map((a) => a[0]), c.nest2ring.map((r) => c.theta[r]!), ANG, 'pix2ang NESTED theta');
      expectClose(nestAng.map((a) => a[1]), c.nest2ring.map((r) => c.phi[r]!), ANG, 'pix2ang NESTED phi');
      const xyf = pix.map((p) => pix2xyf(nside, p, { nest: true }));
      for (let k = 0; k < 3; k++) expectSame(xyf.map((v) => v[k]!), c.nestXyf[k]!, `pix2xyf NESTED [${k}]`);
      const xyfRing = pix.map((p) => pix2xyf(nside, p));
      for (let k = 0; k < 3; k++) expectSame(xyfRing.map((v) => v[k]!), c.ring2nest.map((q) => c.nestXyf[k]![q]!), `pix2xyf RING [${k}]`);
      expectSame(pix.map((p) => xyf2pix(nside, c.nestXyf[0]![p]!, c.nestXyf[1]![p]!, c.nestXyf[2]![p]!, { nest: true })), pix, 'xyf2pix NESTED');
      expectSame(pix.map((p) => xyf2pix(nside, ...pix2xyf(nside, p))), pix, 'xyf2pix RING');
      expectSame(pix.map((p) => pix2ring(nside, p)), c.pix2ringRing, 'pix2ring RING');
      expectSame(pix.map((p) => pix2ring(nside, p, { nest: true })), c.nest2ring.map((r) => c.pix2ringRing[r]!), 'pix2ring NESTED');
      expectSame(pix.flatMap((p) => neighbours(nside, p)), c.neighboursRing, 'neighbours RING');
      expectSame(pix.flatMap((p) => neighbours(nside, p, { nest: true })), c.neighboursNest, 'neighbours NESTED');
      const rings = allRings(nside);
      expectSame(rings.map((r) => r.startPixel), c.ringInfo.start, 'ringInfo start');
      expectSame(rings.map((r) => r.count), c.ringInfo.count, 'ringInfo count');
      expectClose(rings.map((r) => r.z), c.ringInfo.cosTheta, { atol: 1e-15 }, 'ringInfo cos θ');
      expectClose(rings.map((r) => r.sinTheta), c.ringInfo.sinTheta, { atol: 1e-15 }, 'ringInfo sin θ');
      expect(rings.map((r) => r.shifted)).toEqual(c.ringInfo.shifted);
      // centres go back to their own pixel, and each ring's pixels have the ring's θ and increasing φ
      expectSame(ringAng.map(([t, p]) => ang2pix(nside, t, p)), pix, 'ang2pix(pix2ang) RING');
      expectSame(nestAng.map(([t, p]) => ang2pix(nside, t, p, { nest: true })), pix, 'ang2pix(pix2ang) NESTED');
      for (const r of rings) {
        const [t0, p0] = pix2ang(nside, r.startPixel);
        expect(Math.abs(t0 - r.theta)).toBeLessThan(1e-15);
        expect(Math.abs(p0 - r.phi0)).toBeLessThan(1e-15);
      }
    });
  }
});

describe('indexing: random samples at nside 64, 1024, 8192 (both schemes) and 1000 (RING) against healpy', () => {
  for (const c of fixtures.samples) {
    const { nside } = c;
    const pow2 = 'ang2pixNest' in c;
    it(`nside ${nside}`, () => {
      const n = c.pix.length;
      const idx = range(n);
      expectSame(idx.map((i) => ang2pix(nside, c.angTheta[i]!, c.angPhi[i]!)), c.ang2pixRing, 'ang2pix RING');
      expectSame(idx.map((i) => vec2pix(nside, c.vec[3 * i]!, c.vec[3 * i + 1]!, c.vec[3 * i + 2]!)), c.vec2pixRing, 'vec2pix RING');
      expectClose(c.pix.flatMap((p) => pix2ang(nside, p)), c.pix2angRing, ANG, 'pix2ang RING');
      expectSame(c.pix.flatMap((p) => neighbours(nside, p)), c.neighboursRing, 'neighbours RING');
      expectSame(c.pix.map((p) => pix2ring(nside, p)), c.pix2ringRing, 'pix2ring RING');
      // pix2vec agrees with the vector of pix2ang's direction
      expectClose(c.pix.flatMap((p) => pix2vec(nside, p)), c.pix.flatMap((_, i) => ang2vec(c.pix2angRing[2 * i]!, c.pix2angRing[2 * i + 1]!)), { atol: 1e-15 }, 'pix2vec RING');
      if (!pow2) return;
      const s = c as Required<typeof c>;
      expectSame(idx.map((i) => ang2pix(nside, s.angTheta[i]!, s.angPhi[i]!, { nest: true })), s.ang2pixNest, 'ang2pix NESTED');
      expectSame(idx.map((i) => vec2pix(nside, s.vec[3 * i]!, s.vec[3 * i + 1]!, s.vec[3 * i + 2]!, { nest: true })), s.vec2pixNest, 'vec2pix NESTED');
      expectClose(s.pix.flatMap((p) => pix2ang(nside, p, { nest: true })), s.pix2angNest, ANG, 'pix2ang NESTED');
      expectSame(s.pix.map((p) => ring2nest(nside, p)), s.ring2nest, 'ring2nest');
      expectSame(s.pix.map((p) => nest2ring(nside, p)), s.nest2ring, 'nest2ring');
      expectSame(s.pix.flatMap((p) => neighbours(nside, p, { nest: true })), s.neighboursNest, 'neighbours NESTED');
      expectSame(s.pix.flatMap((p) => pix2xyf(nside, p, { nest: true })), s.nestXyf, 'pix2xyf NESTED');
      expectSame(s.pix.map((p) => pix2ring(nside, p, { nest: true })), s.pix2ringNest, 'pix2ring NESTED');
    });
  }
});

describe('reorder and helpers', () => {
  it('reorder RING→NESTED→RING is the identity and agrees with ring2nest (nside 16), keeping the array type', () => {
    const nside = 16;
    const ring = Float32Array.from(range(nside2npix(nside)), (v) => v + 0.5);
    const nest = reorder(ring, 'r2n');
    expect(nest).toBeInstanceOf(Float32Array);
    for (let p = 0; p < ring.length; p += 37) expect(nest[ring2nest(nside, p)]).toBe(ring[p]);
    expectSame(reorder(nest, 'n2r'), ring, 'round trip');
  });
  it('npix2nside / nside2order / vec2ang', () => {
    expect(npix2nside(12 * 1024 * 1024)).toBe(1024);
    expect(nside2order(1024)).toBe(10);
    const [t, p] = vec2ang(0, -1, 0);
    expect(t).toBeCloseTo(Math.PI / 2, 15);
    expect(p).toBeCloseTo((3 * Math.PI) / 2, 15);
    // the equator ring at nside 4: 16 pixels at θ = π/2, shifted because ring − nside = 4 is even
    expect(((r) => [r.count, r.shifted, r.theta])(ringInfo(4, 8))).toEqual([16, true, Math.PI / 2]);
    expect(ringInfo(4, 7).shifted).toBe(false);
  });
  it('throws HealpixError naming the function, argument and value', () => {
    expect(() => nside2npix(0)).toThrow(/nside2npix: 'nside' must be an integer in \[1, 8192\]. Value: 0/);
    expect(() => ang2pix(3, 1, 1, { nest: true })).toThrow(/ang2pix: 'nside' must be a power of two.*Value: 3/);
    expect(() => pix2ang(2, 48)).toThrow(HealpixError);
    expect(() => pix2ang(2, 48)).toThrow(/pix2ang: pixel index must be an integer in \[0, 47\]. Value: 48/);
    expect(() => ang2pix(2, 4, 0)).toThrow(/'theta' must be in \[0, π\]. Value: 4/);
    expect(() => vec2pix(2, 0, 0, 0)).toThrow(/non-zero/);
    expect(() => npix2nside(100)).toThrow(/npix2nside: 'npix' must be 12·nside²/);
    expect(() => ringInfo(2, 8)).toThrow(/'ring' must be an integer in \[1, 7\]/);
    expect(() => xyf2pix(2, 2, 0, 0)).toThrow(/'x' must be an integer in \[0, 1\]/);
  });
});
