import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withRegistryTable } from './docs.js';
import { LOSSES, METRICS, UnknownKeyError, getLoss, getMetric } from './index.js';

describe('registry', () => {
  it('looks entries up by name', () => {
    expect(getLoss('mse')).toBe(LOSSES.mse);
    for (const name of Object.keys(METRICS)) expect(getMetric(name)).toBeDefined();
  });

  it('lists the known names when a name is unknown', () => {
    expect(() => getLoss('msee')).toThrow(UnknownKeyError);
    expect(() => getLoss('msee')).toThrow(/Unknown loss 'msee'. Known: .*mse.*charbonnier/);
    expect(() => getMetric('nope')).toThrow(/Unknown metric 'nope'/);
  });

  it('does not resolve inherited object keys as names', () => {
    expect(() => getLoss('toString')).toThrow(UnknownKeyError);
    expect(() => getLoss('__proto__')).toThrow(UnknownKeyError);
  });

  it('describes every entry for the README table', () => {
    for (const [name, spec] of Object.entries({ ...LOSSES, ...METRICS })) {
      expect(spec.formula.length, `${name} formula`).toBeGreaterThan(0);
      expect(spec.ref.length, `${name} reference`).toBeGreaterThan(0);
      expect(typeof spec.fn, `${name} fn`).toBe('function');
    }
    for (const [name, spec] of Object.entries(METRICS)) {
      expect(typeof (spec as { higherIsBetter: unknown }).higherIsBetter, `${name} higherIsBetter`).toBe('boolean');
    }
  });

  it('has at least 40 entries', () => {
    expect(Object.keys(LOSSES).length + Object.keys(METRICS).length).toBeGreaterThanOrEqual(40);
  });

  it('README catalogue table is current (regenerate: pnpm --filter @lossworks/core-losses readme)', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme, 'README table out of date: run `pnpm --filter @lossworks/core-losses readme`').toBe(withRegistryTable(readme));
  });
});
