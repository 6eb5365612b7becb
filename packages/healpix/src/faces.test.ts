import { describe, expect, it } from 'vitest';
import fixtures from './pixel.fixtures.json' with { type: 'json' };
import { expectSame } from '../test/close.js';
import {
  HealpixError, face2img, faceIndex, faces2map, img2face, map2faces, neighbours, nest2ring, nside2npix, padFace, padIndex, pix2ang,
  pix2xyf, reorder,
} from './index.js';

/** A map whose value is its own pixel index, so a padded image shows where each value came from. */
function indexMap(nside: number): Float64Array {
  return Float64Array.from({ length: nside2npix(nside) }, (_, i) => i);
}

// direction (dx, dy) → position in healpy's neighbour order SW, W, NW, N, NE, E, SE, S
const DIR: Record<string, number> = { '-1,0': 0, '-1,1': 1, '0,1': 2, '1,1': 3, '1,0': 4, '1,-1': 5, '0,-1': 6, '-1,-1': 7 };

describe('faces as images', () => {
  it('faceIndex puts face pixel (x, y) at y·nside + x; face2img / img2face / map2faces / faces2map round-trip', () => {
    const nside = 8;
    for (let f = 0; f < 12; f++) {
      const idx = faceIndex(nside, f);
      for (let i = 0; i < idx.length; i++) {
        const [x, y, face] = pix2xyf(nside, idx[i]!, { nest: true });
        expect([face, y * nside + x]).toEqual([f, i]);
      }
      const ringIdx = faceIndex(nside, f, { nest: false });
      expectSame(ringIdx, Array.from(idx, (p) => nest2ring(nside, p)), `face ${f} RING index`);
    }
    const nestMap = Float32Array.from(indexMap(nside));
    const faces = map2faces(nestMap);
    expect(faces[3]).toBeInstanceOf(Float32Array);
    expectSame(faces2map(faces), nestMap, 'faces2map(map2faces)');
    const ringMap = Float64Array.from({ length: nestMap.length }, (_, r) => r * 2);
    const img = face2img(ringMap, 5, { nest: false });
    const back = img2face(img, 5, new Float64Array(ringMap.length), { nest: false });
    expectSame(Array.from(faceIndex(nside, 5, { nest: false }), (p) => back[p]!), img, 'img2face RING');
  });

  it('orientation: index 0 is the southern corner, the last index the northern corner', () => {
    const nside = 8;
    for (let f = 0; f < 12; f++) {
      const idx = faceIndex(nside, f);
      const theta = Array.from(idx, (p) => pix2ang(nside, p, { nest: true })[0]);
      expect(theta[0]).toBe(Math.max(...theta));
      expect(theta[idx.length - 1]).toBe(Math.min(...theta));
    }
  });
});

describe('padFace', () => {
  for (const nside of [4, 8]) {
    it(`pad 1 at nside ${nside}: every border pixel is the healpy neighbour in that direction`, () => {
      const fx = fixtures.full.find((c) => c.nside === nside)!;
      const nb = (p: number, dir: number): number => fx.neighboursNest[8 * p + dir]!;
      const map = indexMap(nside);
      for (let f = 0; f < 12; f++) {
        const img = padFace(map, f, 1);
        const w = nside + 2;
        const at = (x: number, y: number): number => img[(y + 1) * w + (x + 1)]!;
        for (let y = -1; y <= nside; y++) {
          for (let x = -1; x <= nside; x++) {
            if (x >= 0 && x < nside && y >= 0 && y < nside) continue;
            const x0 = Math.min(Math.max(x, 0), nside - 1);
            const y0 = Math.min(Math.max(y, 0), nside - 1);
            const expected = nb(at(x0, y0), DIR[`${x - x0},${y - y0}`]!);
            if (expected >= 0) expect(at(x, y), `face ${f} (${x}, ${y})`).toBe(expected);
            else expect(at(x, y), `face ${f} missing corner (${x}, ${y})`).toBe(0.5 * (at(x, y0) + at(x0, y)));
          }
        }
      }
    });
  }

  it('pad 3 at nside 8: padded images are locally consistent, and the corner fills follow the option', () => {
    const nside = 8;
    const pad = 3;
    const w = nside + 2 * pad;
    let missing = 0;
    for (let f = 0; f < 12; f++) {
      const { a, b } = padIndex(nside, f, pad);
      const seen = new Set<number>();
      for (let i = 0; i < w * w; i++) {
        if (a[i] !== b[i]) {
          missing++;
          continue;
        }
        expect(seen.has(a[i]!), `face ${f}: pixel ${a[i]} appears twice`).toBe(false);
        seen.add(a[i]!);
        // the right and lower neighbours in the image are HEALPix neighbours
        for (const j of [i + 1, i + w]) {
          if ((j === i + 1 && (i + 1) % w === 0) || j >= w * w || a[j] !== b[j]) continue;
          expect(neighbours(nside, a[i]!, { nest: true }), `face ${f} positions ${i}→${j}`).toContain(a[j]);
        }
      }
      const zero = padFace(indexMap(nside), f, pad, { corner: 'zero' });
      const nan = padFace(indexMap(nside), f, pad, { corner: 'nan' });
      for (let i = 0; i < w * w; i++) {
        if (a[i] !== b[i]) {
          expect(zero[i]).toBe(0);
          expect(nan[i]).toBeNaN();
        }
      }
    }
    // 8 vertices where 3 faces meet; each of the 12 faces touches 2 of them: 24 corner blocks of pad² pixels
    expect(missing).toBe(24 * pad * pad);
  });

  it('a RING map pads to the same image as its NESTED reordering', () => {
    const nside = 8;
    const ring = Float64Array.from({ length: nside2npix(nside) }, (_, i) => Math.sin(i));
    const nest = reorder(ring, 'r2n');
    for (const f of [0, 5, 11]) expectSame(padFace(ring, f, 3, { nest: false }), padFace(nest, f, 3), `face ${f}`);
  });

  it('pad = nside at nside 2 covers all 9 blocks; rejects a bad face, pad, corner option', () => {
    const img = padFace(indexMap(2), 0, 2);
    expect(img.length).toBe(36);
    expect(() => padFace(indexMap(2), 12, 1)).toThrow(/padIndex: 'face' must be an integer in \[0, 11\]. Value: 12/);
    expect(() => padFace(indexMap(2), 0, 3)).toThrow(/'pad' must be an integer in \[0, nside = 2\]. Value: 3/);
    expect(() => padFace(indexMap(2), 0, 1, { corner: 'x' as 'zero' })).toThrow(HealpixError);
    expect(() => face2img(new Float64Array(47), 0)).toThrow(/face2img: map length must be 12·nside²/);
  });
});
