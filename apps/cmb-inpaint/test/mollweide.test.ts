import { describe, expect, it } from 'vitest';
import { ang2pix, nside2npix } from '@lossworks/healpix';
import { mollweideForward, mollweideImage, mollweideInverse } from '../src/report/mollweide.js';

const S2 = Math.SQRT2;

describe('Mollweide projection', () => {
  it('maps known plane points to known angles', () => {
    const close = (got: [number, number] | null, want: [number, number]) => {
      expect(got).not.toBeNull();
      expect(got![0]).toBeCloseTo(want[0], 9);
      expect(got![1]).toBeCloseTo(want[1], 9);
    };
    close(mollweideInverse(0, 0), [Math.PI / 2, 0]); // centre: equator, longitude 0
    expect(mollweideInverse(0, S2)![0]).toBeCloseTo(0, 9); // top: north pole
    expect(mollweideInverse(0, -S2)![0]).toBeCloseTo(Math.PI, 9); // bottom: south pole
    close(mollweideInverse(S2, 0), [Math.PI / 2, (3 * Math.PI) / 2]); // right of centre: longitude −90° (east is left)
    close(mollweideInverse(-S2, 0), [Math.PI / 2, Math.PI / 2]); // left of centre: longitude +90°
    // latitude 30°: 2ϑ + sin 2ϑ = π/2 → ϑ = 0.41586…, y = √2 sin ϑ
    const aux = 0.4158555967898735; // scipy brentq
    close(mollweideInverse(0, S2 * Math.sin(aux)), [Math.PI / 3, 0]);
    expect(mollweideInverse(2.9, 0)).toBeNull(); // outside the ellipse (x ≤ 2√2)
    expect(mollweideInverse(2, 1.2)).toBeNull();
  });

  it('forward and inverse agree over the sphere', () => {
    for (let t = 0.05; t < Math.PI; t += 0.37) {
      for (let p = 0.1; p < 2 * Math.PI; p += 0.53) {
        const [x, y] = mollweideForward(t, p);
        const back = mollweideInverse(x, y)!;
        expect(back[0]).toBeCloseTo(t, 9);
        expect(back[1]).toBeCloseTo(p, 9);
      }
    }
  });

  it('draws a RING map into a width × width/2 image, NaN outside the ellipse', () => {
    const nside = 8;
    const map = Float64Array.from({ length: nside2npix(nside) }, (_, p) => p);
    const img = mollweideImage(map, 64);
    expect(img.height).toBe(32);
    expect(Number.isNaN(img.data[0])).toBe(true); // top-left corner is off the sphere
    // the pixel at the image centre shows the HEALPix pixel at (θ, φ) of its centre point
    const i = 32;
    const j = 16;
    const x = ((2 * (i + 0.5)) / 64 - 1) * 2 * S2;
    const y = (1 - (2 * (j + 0.5)) / 32) * S2;
    const [t, ph] = mollweideInverse(x, y)!;
    expect(img.data[j * 64 + i]).toBe(ang2pix(nside, t, ph));
    // the ellipse covers π/4 of the rectangle
    const inside = Array.from(img.data).filter((v) => !Number.isNaN(v)).length / img.data.length;
    expect(Math.abs(inside - Math.PI / 4)).toBeLessThan(0.02);
    expect(() => mollweideImage(map, 63)).toThrow(/'width' must be an even integer/);
  });
});
