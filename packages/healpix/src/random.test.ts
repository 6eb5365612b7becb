import { describe, expect, it } from 'vitest';
import { HealpixError, SeededRandom } from './index.js';

describe('SeededRandom', () => {
  it('is reproducible per seed and differs between seeds', () => {
    const a = new SeededRandom(123);
    const b = new SeededRandom(123);
    const c = new SeededRandom(124);
    const xs = Array.from({ length: 5 }, () => a.normal());
    expect(Array.from({ length: 5 }, () => b.normal())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.normal())).not.toEqual(xs);
    expect(new SeededRandom(2 ** 40).uniform()).not.toBe(new SeededRandom(0).uniform());
  });
  it('uniform() lies in [0, 1) and normal() has mean 0, variance 1 (100k draws, 5σ bounds)', () => {
    const r = new SeededRandom(7);
    const n = 100_000;
    let sum = 0;
    let sq = 0;
    let umin = 1;
    let umax = 0;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      umin = Math.min(umin, u);
      umax = Math.max(umax, u);
      const x = r.normal();
      sum += x;
      sq += x * x;
    }
    expect(umin).toBeGreaterThanOrEqual(0);
    expect(umax).toBeLessThan(1);
    expect(Math.abs(sum / n)).toBeLessThan(5 / Math.sqrt(n)); // σ of the mean: 1/√n
    expect(Math.abs(sq / n - 1)).toBeLessThan(5 * Math.sqrt(2 / n)); // σ of the variance: √(2/n)
  });
  it('rejects a non-integer seed', () => {
    expect(() => new SeededRandom(1.5)).toThrow(HealpixError);
  });
});
