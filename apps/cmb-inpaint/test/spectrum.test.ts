import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError } from '@lossworks/core-train';
import { analyticSpectrum, clToDl, dlToCl, formatSpectrum, parseSpectrum, readSpectrum } from '../src/data/spectrum.js';

// D_ℓ rows for ℓ = 2..5 as both formats write them.
const PLANCK = `    L    TT             TE             EE             BB             PP
     2   0.101673E+04   0.261753E+01   0.308827E-01   0.181847E-05   0.501352E-07
     3   0.963727E+03   0.293806E+01   0.396903E-01   0.363743E-05   0.609943E-07
     4   0.900000E+03   0.1E+01        0.1E-01        0.1E-05        0.1E-07
     5   0.850000E+03   0.1E+01        0.1E-01        0.1E-05        0.1E-07
`;
const CAMB = `# ell TT EE BB TE
     0    0.00000E+00    0.00000E+00    0.00000E+00    0.00000E+00
     1    0.00000E+00    0.00000E+00    0.00000E+00    0.00000E+00
     2    0.101673E+04    0.67367E-01    0.27107E-01    0.36347E+01
     3    0.963727E+03    0.1E-01    0.1E-01    0.1E+01
     4    0.900000E+03    0.1E-01    0.1E-01    0.1E+01
     5    0.850000E+03    0.1E-01    0.1E-01    0.1E+01
`;

describe('parseSpectrum', () => {
  it('reads a Planck PLA file (header row, ℓ from 2) as C_ℓ = 2π D_ℓ/(ℓ(ℓ+1))', () => {
    const s = parseSpectrum(PLANCK, 'planck.txt');
    expect(s.cl.length).toBe(6);
    expect(s.cl[0]).toBe(0);
    expect(s.cl[1]).toBe(0);
    expect(s.cl[2]).toBeCloseTo((2 * Math.PI * 1016.73) / 6, 9);
    expect(s.cl[5]).toBeCloseTo((2 * Math.PI * 850) / 30, 9);
  });

  it('reads a CAMB / healpy file (ℓ from 0) to the same C_ℓ', () => {
    const a = parseSpectrum(PLANCK, 'planck.txt');
    const b = parseSpectrum(CAMB, 'camb.dat');
    expect(Array.from(b.cl)).toEqual(Array.from(a.cl));
  });

  it('honours lmax, units and the column', () => {
    const s = parseSpectrum(CAMB, 'camb.dat', { lmax: 3, units: 'cl', column: 4 });
    expect(Array.from(s.cl)).toEqual([0, 0, 3.6347, 1]);
    expect(() => parseSpectrum(CAMB, 'camb.dat', { lmax: 9 })).toThrow(/camb\.dat: the file stops at ℓ = 5, but ℓ up to 9 is needed/);
  });

  it('throws DataError naming the file and line of a malformed row', () => {
    const bad = PLANCK.replace('0.963727E+03', 'oops');
    let err: unknown;
    try {
      parseSpectrum(bad, 'spec.txt');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/spec\.txt:3: expected an integer ℓ ≥ 0 and a finite TT value/);
    expect(() => parseSpectrum(PLANCK.replace('     4 ', '     7 '), 'gap.txt')).toThrow(/gap\.txt:4: multipoles must increase by 1; expected ℓ = 4, got 7/);
    expect(() => parseSpectrum('# nothing\n', 'empty.txt')).toThrow(/empty\.txt: no data rows/);
    expect(() => parseSpectrum('2 1\n3\n', 'short.txt')).toThrow(/short\.txt:2: expected at least 2 columns/);
  });

  it('reads files, and a missing file is a DataError naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cmb-spec-'));
    await writeFile(join(dir, 'p.txt'), PLANCK);
    expect((await readSpectrum(join(dir, 'p.txt'))).cl.length).toBe(6);
    await expect(readSpectrum(join(dir, 'nope.txt'))).rejects.toThrow(/cannot read spectrum file .*nope\.txt \(ENOENT\)/);
  });

  it('formatSpectrum writes a CAMB-layout file that parses back', () => {
    const a = parseSpectrum(PLANCK, 'planck.txt');
    const b = parseSpectrum(formatSpectrum(a), 'round.txt');
    for (let l = 0; l < a.cl.length; l++) expect(b.cl[l]).toBeCloseTo(a.cl[l]!, 6); // 9 significant digits written
  });
});

describe('analyticSpectrum', () => {
  const dl = clToDl(analyticSpectrum(2500).cl);

  it('has its first acoustic peak near ℓ ≈ 220 and the next ones near 540 and 810', () => {
    const argmax = (lo: number, hi: number) => {
      let best = lo;
      for (let l = lo; l <= hi; l++) if (dl[l]! > dl[best]!) best = l;
      return best;
    };
    const first = argmax(2, 2500);
    expect(first).toBeGreaterThanOrEqual(200);
    expect(first).toBeLessThanOrEqual(240);
    expect(Math.abs(argmax(400, 650) - 530)).toBeLessThan(40); // Planck: 537
    expect(Math.abs(argmax(700, 950) - 820)).toBeLessThan(40); // Planck: 813
    expect(dl[first]).toBeGreaterThan(4000); // Planck best fit: 5730 μK²
    expect(dl[first]).toBeLessThan(7000);
  });

  it('has a Sachs–Wolfe plateau, a trough after the first peak and Silk damping', () => {
    expect(dl[10]).toBeGreaterThan(500);
    expect(dl[10]).toBeLessThan(1500);
    expect(dl[410]).toBeLessThan(0.5 * dl[220]!);
    expect(dl[2000]).toBeLessThan(0.1 * dl[220]!);
    expect(analyticSpectrum(10).cl[0]).toBe(0);
    expect(analyticSpectrum(10).cl[1]).toBe(0);
  });

  it('dlToCl and clToDl are inverse', () => {
    const cl = analyticSpectrum(50).cl;
    const back = dlToCl(clToDl(cl));
    for (let l = 2; l <= 50; l++) expect(back[l]).toBeCloseTo(cl[l]!, 10);
  });
});
