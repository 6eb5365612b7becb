import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError } from '@lossworks/core-train';
import { nside2npix, pix2ang, reorder, writeHealpixMap } from '@lossworks/healpix';
import { combineMasks, cosineTaper, galacticCut, holeCount, pointSourceMask, readMaskFile, skyFraction } from '../src/data/masks.js';

describe('galacticCut', () => {
  it('keeps f_sky ≈ 1 − sin b0 for a sharp |b| < 20° cut', () => {
    // Equal-area pixels: f_sky is the area fraction up to the pixels straddling the edge (ring spacing ~1° at nside 64).
    const m = galacticCut(64, { b0: 20 });
    expect(Math.abs(skyFraction(m) - (1 - Math.sin((20 * Math.PI) / 180)))).toBeLessThan(0.01);
    expect(Array.from(new Set(m)).sort()).toEqual([0, 1]);
  });

  it('masks exactly the pixels with |b| < b0 and tapers outside them', () => {
    const nside = 16;
    const sharp = galacticCut(nside, { b0: 10 });
    const apo = galacticCut(nside, { b0: 10, apodization: 10 });
    for (let p = 0; p < nside2npix(nside); p++) {
      const b = 90 - (pix2ang(nside, p)[0] * 180) / Math.PI;
      expect(sharp[p]).toBe(Math.abs(b) < 10 ? 0 : 1);
      if (Math.abs(b) < 10) expect(apo[p]).toBe(0);
      else if (Math.abs(b) >= 20) expect(apo[p]).toBe(1);
      else expect(apo[p]).toBeCloseTo(0.5 * (1 - Math.cos((Math.PI * (Math.abs(b) - 10)) / 10)), 12);
    }
    expect(skyFraction(apo)).toBeLessThan(skyFraction(sharp));
  });

  it('rejects bad arguments', () => {
    expect(() => galacticCut(8, { b0: 95 })).toThrow(DataError);
    expect(() => galacticCut(8, { b0: 10, apodization: -1 })).toThrow(/'apodization' must be ≥ 0/);
  });
});

describe('cosineTaper and pointSourceMask', () => {
  it('tapers from 0 to 1 over the width', () => {
    expect(cosineTaper(-1, 2)).toBe(0);
    expect(cosineTaper(1, 2)).toBeCloseTo(0.5, 12);
    expect(cosineTaper(3, 2)).toBe(1);
    expect(cosineTaper(0.5, 0)).toBe(1);
  });

  it('cuts circular holes of the given radius at seeded positions', () => {
    const nside = 32;
    const m = pointSourceMask(nside, { count: 5, radius: 5, seed: 3 });
    expect(Array.from(pointSourceMask(nside, { count: 5, radius: 5, seed: 3 }))).toEqual(Array.from(m));
    // five 5° caps cover at most 5·2π(1 − cos 5°)/4π of the sky (less where they overlap)
    const cap = (1 - Math.cos((5 * Math.PI) / 180)) / 2;
    const masked = 1 - skyFraction(m);
    expect(masked).toBeGreaterThan(0.5 * cap);
    expect(masked).toBeLessThan(5 * cap * 1.3);
    // every masked pixel lies within 5° (+ one pixel) of some hole centre: holes are round
    const holes = Array.from(m).map((v, p) => (v === 0 ? p : -1)).filter((p) => p >= 0);
    expect(holes.length).toBe(holeCount(m));
    const zero = pointSourceMask(nside, { count: 0, radius: 1 });
    expect(skyFraction(zero)).toBe(1);
    expect(() => pointSourceMask(nside, { count: 1.5, radius: 1 })).toThrow(/'count' must be an integer/);
  });

  it('combines masks by product', () => {
    const a = galacticCut(8, { b0: 20 });
    const b = pointSourceMask(8, { count: 3, radius: 10, seed: 1 });
    const c = combineMasks(8, [a, b]);
    for (let p = 0; p < c.length; p++) expect(c[p]).toBe(a[p]! * b[p]!);
    expect(() => combineMasks(8, [new Float64Array(5)])).toThrow(/every mask needs 768 pixels/);
  });
});

describe('readMaskFile', () => {
  it('reads a NESTED nside-4 FITS mask and up-grades it to nside 8 in RING order', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cmb-mask-'));
    const ring = galacticCut(4, { b0: 30 });
    const file = join(dir, 'mask.fits');
    await writeHealpixMap(file, reorder(Float64Array.from(ring), 'r2n'), { ordering: 'NESTED', dtype: 'E' });
    const m = await readMaskFile(file, { nside: 8 });
    expect(m.length).toBe(768);
    // every nside-8 pixel takes the value of the nside-4 pixel that contains it (NESTED parent q >> 2)
    const nest8 = reorder(m, 'r2n');
    const nest4 = reorder(Float64Array.from(ring), 'r2n');
    for (let q = 0; q < 768; q++) expect(nest8[q]).toBe(nest4[q >> 2]);
    expect(skyFraction(m)).toBeCloseTo(skyFraction(ring), 12);
    expect((await readMaskFile(file, { nside: 4 }))).toEqual(ring);
  });

  it('rejects values outside [0, 1] and non-FITS files with DataError naming the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cmb-mask-'));
    const file = join(dir, 'bad.fits');
    await writeHealpixMap(file, new Float64Array(192).fill(2));
    await expect(readMaskFile(file, { nside: 4 })).rejects.toThrow(/bad\.fits: mask values must lie in \[0, 1\]; pixel 0 has 2/);
    await expect(readMaskFile(join(dir, 'missing.fits'), { nside: 4 })).rejects.toThrow(DataError);
  });
});
