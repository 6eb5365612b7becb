import { describe, expect, it } from 'vitest';
import { expectClose } from '../test/close.js';
import { Fft, HealpixError, fftPlan } from './index.js';

/** Direct O(n²) DFT in float64, the reference. */
function dft(re: Float64Array, im: Float64Array, sign: number): [Float64Array, Float64Array] {
  const n = re.length;
  const or = new Float64Array(n);
  const oi = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < n; j++) {
      const a = (sign * 2 * Math.PI * ((j * k) % n)) / n;
      or[k]! += re[j]! * Math.cos(a) - im[j]! * Math.sin(a);
      oi[k]! += re[j]! * Math.sin(a) + im[j]! * Math.cos(a);
    }
  }
  return [or, oi];
}

describe('Fft', () => {
  // radix 4/2 only, odd radices 3..13, and lengths with a prime factor > 13 (Bluestein): 4·17, 4·127, 4·251
  it.each([1, 2, 3, 4, 5, 8, 12, 20, 28, 44, 52, 60, 64, 68, 100, 128, 508, 1004, 1020, 1024])('length %i matches the direct DFT to 1e-13 (forward and inverse)', (n) => {
    const re = Float64Array.from({ length: n }, (_, i) => Math.sin(1.3 * i) + ((0.1 * i) % 3));
    const im = Float64Array.from({ length: n }, (_, i) => Math.cos(0.7 * i));
    const [er, ei] = dft(re, im, -1);
    const r = re.slice();
    const m = im.slice();
    fftPlan(n).forward(r, m);
    // rounding grows like log n; 1e-13 of the largest coefficient is ~100× the observed error
    const scale = Math.max(...er.map(Math.abs), ...ei.map(Math.abs));
    expectClose(r, er, { atol: 1e-13 * scale }, `re n=${n}`);
    expectClose(m, ei, { atol: 1e-13 * scale }, `im n=${n}`);
    new Fft(n).inverse(r, m);
    expectClose(r.map((v) => v / n), re, { atol: 1e-13 * scale }, `inverse re n=${n}`);
    expectClose(m.map((v) => v / n), im, { atol: 1e-13 * scale }, `inverse im n=${n}`);
  });
  it('rejects a bad length', () => {
    expect(() => new Fft(0)).toThrow(HealpixError);
    expect(() => new Fft(2.5)).toThrow(/Fft: length must be a positive integer. Value: 2.5/);
  });
});
