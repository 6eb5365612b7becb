import { describe, expect, it } from 'vitest';
import fixtures from './udgrade.fixtures.json' with { type: 'json' };
import { expectClose } from '../test/close.js';
import { HealpixError, UNSEEN, isUnseen, reorder, udGrade, type Ordering } from './index.js';

const input = Float64Array.from(fixtures.map, (v) => (v === null ? NaN : v));

describe('udGrade against healpy ud_grade (nside 8 map with UNSEEN and NaN pixels)', () => {
  for (const c of fixtures.cases) {
    const name = `${c.orderIn}→${c.orderOut} nside 8→${c.nsideOut}${c.pess ? ' pess' : ''}${c.power ? ` power ${c.power}` : ''}`;
    it(name, () => {
      const src = c.orderIn === 'RING' ? input : reorder(input, 'r2n');
      const out = udGrade(src, c.nsideOut, { orderIn: c.orderIn as Ordering, orderOut: c.orderOut as Ordering, pess: c.pess, power: c.power ?? undefined });
      expect(out.length).toBe(12 * c.nsideOut ** 2);
      const got = c.index.map((i) => out[i]!);
      // float64 sums of ≤ 16 float32 values: only the summation order differs from numpy
      const tol = { rtol: 1e-13, atol: 1e-14 };
      if ('outNanSkipped' in c) {
        // downgrade: NaN sub-pixels are skipped like UNSEEN (healpy's NaN·0 leaks NaN: documented difference),
        // elsewhere the result is healpy's own
        expectClose(got, c.outNanSkipped!, tol, name);
        const finite = c.out.flatMap((v, k) => (v === null ? [] : [k]));
        expect(finite.length).toBeGreaterThan(c.out.length / 2);
        expectClose(finite.map((k) => got[k]!), finite.map((k) => c.out[k]!), tol, `${name} (healpy as is)`);
      } else {
        // upgrade: healpy multiplies UNSEEN by the power ratio; ours keeps UNSEEN (documented)
        const want = c.out.map((v) => (v === null ? NaN : c.power && v < -1e29 ? UNSEEN : v));
        expectClose(got, want, tol, name);
      }
    });
  }
  it('keeps the array type, and an upgrade then downgrade is the identity', () => {
    const m = Float32Array.from(input, (v) => (Number.isNaN(v) ? 0 : v));
    const up = udGrade(m, 32, { orderIn: 'NESTED' });
    expect(up).toBeInstanceOf(Float32Array);
    expect(Array.from(udGrade(up, 8, { orderIn: 'NESTED' }))).toEqual(Array.from(m));
    expect(isUnseen(UNSEEN * (1 + 5e-6))).toBe(true);
    expect(isUnseen(UNSEEN * 1.0001)).toBe(false);
  });
  it('rejects a bad map length, nside and ordering', () => {
    expect(() => udGrade(new Float64Array(10), 2)).toThrow(HealpixError);
    expect(() => udGrade(input, 3)).toThrow(/udGrade: 'nside' must be a power of two/);
    expect(() => udGrade(input, 4, { orderIn: 'ring' as Ordering })).toThrow(/option 'orderIn' must be 'RING' or 'NESTED'. Value: ring/);
  });
});
