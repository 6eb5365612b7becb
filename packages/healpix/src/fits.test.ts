import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fixtures from './fits.fixtures.json' with { type: 'json' };
import { expectClose, expectSame } from '../test/close.js';
import { tsWrittenCases } from '../test/ts-written.js';
import {
  FitsError, UNSEEN, isUnseen, parseFits, parseHealpixMap, readHealpixMap, reorder, serializeHealpixMap, writeHealpixMap,
  type FitsMapType,
} from './index.js';

const DATA = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'data');
const nan = (v: number | null): number => (v === null ? NaN : v);

function sumFinite(a: ArrayLike<number>, skipUnseen = false): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) if (!Number.isNaN(a[i]!) && !(skipUnseen && isUnseen(a[i]!))) s += a[i]!;
  return s;
}

/** Replaces an ASCII string in FITS bytes by another of the same length. */
function patch(bytes: Uint8Array, from: string, to: string): Uint8Array {
  expect(to.length).toBe(from.length);
  const text = Buffer.from(bytes).toString('latin1');
  const at = text.indexOf(from);
  expect(at, `'${from}' in the header`).toBeGreaterThanOrEqual(0);
  const out = Uint8Array.from(bytes);
  out.set(Buffer.from(to, 'latin1'), at);
  return out;
}

describe('reading files written by healpy and astropy', () => {
  for (const f of fixtures.files) {
    it(f.file, async () => {
      const m = await readHealpixMap(join(DATA, f.file));
      const partial = f.file === 'healpy-partial.fits';
      const mapCols = partial ? f.columns.slice(1) : f.columns;
      expect(m.names).toEqual(mapCols.map((c) => c.name));
      expect(m.units).toEqual(mapCols.map((c) => c.unit));
      expect(m.fileOrdering).toBe(f.ordering);
      expect(m.nside).toBe(f.nside ?? 2); // astropy-types.fits has no NSIDE: inferred from its 48 rows
      expect(m.indexScheme).toBe(partial ? 'EXPLICIT' : 'IMPLICIT');
      if (partial) {
        const hp = f.healpyReadMap!;
        expectClose(hp.index.map((i) => m.maps[0]![i]!), hp.values.map(nan), { rtol: 0 }, 'partial map vs healpy read_map');
        expect(sumFinite(m.maps[0]!, true)).toBeCloseTo(hp.sum, 10);
        expectSame(m.pixels!, f.columns[0]!.values as number[], 'PIXEL column');
        return;
      }
      mapCols.forEach((c, k) => {
        // astropy applies TSCAL/TZERO in float64 as we do; TNULL values are raw in astropy, UNSEEN here
        const want = c.values.map((v) => (v === -2147483648 && c.format === 'J' ? UNSEEN : nan(v)));
        const got = c.index.map((i) => m.maps[k]![i]!);
        expectClose(got, want, { rtol: 0 }, `${f.file} ${c.name}`);
        if (c.format !== 'J') expect(sumFinite(m.maps[k]!)).toBeCloseTo(c.sum, 6);
      });
    });
  }

  it('reorders on request, reads selected fields, keeps header cards', async () => {
    const nest = await readHealpixMap(join(DATA, 'healpy-iqu-nest.fits'));
    const ring = await readHealpixMap(join(DATA, 'healpy-iqu-nest.fits'), { ordering: 'RING', fields: ['u_polarisation', 0] });
    expect([ring.ordering, ring.fileOrdering, ring.names]).toEqual(['RING', 'NESTED', ['U_POLARISATION', 'TEMPERATURE']]);
    expectSame(ring.maps[0]!, reorder(nest.maps[2]!, 'n2r'), 'U reordered to RING');
    expect(nest.coordsys).toBe('G');
    expect(nest.header.get('nside')).toBe(4);
    expect(nest.primaryHeader.get('SIMPLE')).toBe(true);
    const vec = await readHealpixMap(join(DATA, 'astropy-vector.fits'));
    expect(vec.maps[0]!.length).toBe(768); // 3 rows × 256E flattened
    expect(parseFits(await readFile(join(DATA, 'astropy-vector.fits'))).map((h) => h.type)).toEqual(['PRIMARY', 'BINTABLE']);
  });
});

describe('files written by us', () => {
  it('serialise byte-identically to the committed ts-*.fits, which astropy verified and read back as written', async () => {
    const cases = tsWrittenCases();
    expect(fixtures.astropyReadback.map((r) => r.file).sort()).toEqual(cases.map((c) => c.file).sort());
    for (const c of cases) {
      const bytes = serializeHealpixMap(c.maps, c.options);
      expect(Buffer.compare(Buffer.from(bytes), await readFile(join(DATA, c.file))), `${c.file} unchanged`).toBe(0);
      const r = fixtures.astropyReadback.find((x) => x.file === c.file)!;
      expect(r.hdus).toBe(2);
      expect(r.primary).toMatchObject({ SIMPLE: true, BITPIX: 8, NAXIS: 0, EXTEND: true });
      expect(r.header).toMatchObject({ XTENSION: 'BINTABLE', PIXTYPE: 'HEALPIX', ORDERING: c.options.ordering ?? 'RING', NSIDE: Math.sqrt(c.maps[0]!.length / 12) });
      const valueCols = c.options.partial ? r.columns.slice(1) : r.columns;
      valueCols.forEach((col, k) => {
        const input = c.maps[k]!;
        // astropy sees exactly our values: UNSEEN stays −1.6375e30 in float columns and is TNULL in integer ones
        let expected: number[];
        if (c.options.partial) {
          const kept = Array.from(input).filter((v) => !isUnseen(v));
          expected = col.index!.map((i) => Math.fround(kept[i]!));
        } else {
          expected = col.index!.map((i) => (isUnseen(input[i]!) && col.null !== null ? col.null : c.options.dtype === 'D' ? input[i]! : Math.fround(input[i]!)));
        }
        expectClose(col.values.map(nan), expected, { rtol: 0 }, `${c.file} ${col.name} as astropy read it`);
      });
      // healpy read_map: same sums of seen pixels, same UNSEEN counts (except TNULL, which healpy leaves raw)
      c.maps.forEach((m, k) => {
        const unseen = Array.from(m).filter((v) => isUnseen(v)).length;
        if (c.options.dtype !== 'J') {
          expect(r.healpyReadMapUnseen[k]).toBe(c.options.partial ? 192 - (192 - unseen) : unseen);
          expect(r.healpyReadMapSums[k]).toBeCloseTo(sumFinite(c.options.dtype === 'D' ? m : Float32Array.from(m), true), 4);
        }
      });
    }
  });

  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'healpix-fits-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each<[FitsMapType, boolean]>([['D', false], ['E', true], ['J', false], ['K', false], ['I', false], ['B', false]])('round trip %s (vector column: %s)', async (dtype, vector) => {
    const npix = 192;
    const ints = dtype === 'B' ? (i: number) => i % 200 : (i: number) => (i * 37) % 1000 - (dtype === 'I' || dtype === 'J' || dtype === 'K' ? 500 : 0);
    const map = Float64Array.from({ length: npix }, (_, i) => (dtype === 'E' || dtype === 'D' ? Math.sin(i) * 1e3 : ints(i)));
    map[17] = UNSEEN;
    const second = Float64Array.from(map, (v) => (isUnseen(v) ? v : v + 1));
    const path = join(dir, `rt-${dtype}.fits`);
    await writeHealpixMap(path, [map, second], { dtype, repeat: vector ? 64 : 1, ordering: 'NESTED', columnNames: ['A', 'B'], units: 'K' });
    const back = await readHealpixMap(path);
    expect([back.names, back.units, back.ordering, back.nside]).toEqual([['A', 'B'], ['K', 'K'], 'NESTED', 4]);
    // float32 rounds values; UNSEEN comes back exactly (healpy's mask_bad tolerance)
    const want = dtype === 'E' ? Float64Array.from(map, (v) => (isUnseen(v) ? v : Math.fround(v))) : map;
    expectSame(back.maps[0]!, want, `${dtype} values`);
    expect(back.maps[1]![17]).toBe(UNSEEN);
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]); // atomic write left no temp file
  });

  it('round trip of a partial (EXPLICIT) map', () => {
    const map = Float64Array.from({ length: 48 }, (_, i) => (i % 4 === 1 ? i : UNSEEN));
    const back = parseHealpixMap(serializeHealpixMap(map, { partial: true }));
    expect(back.indexScheme).toBe('EXPLICIT');
    expectSame(back.pixels!, [1, 5, 9, 13, 17, 21, 25, 29, 33, 37, 41, 45], 'pixels');
    expectSame(back.maps[0]!, map, 'values');
  });
});

describe('FitsError names the file and the problem', () => {
  const good = serializeHealpixMap(Float64Array.from({ length: 192 }, (_, i) => i), { ordering: 'NESTED' });
  const bad = (bytes: Uint8Array): (() => unknown) => () => parseHealpixMap(bytes, 'sky.fits');
  it('truncated data, missing END card, not FITS', () => {
    expect(bad(good.subarray(0, good.length - 2880))).toThrow(/sky.fits: truncated file: HDU 1 \(BINTABLE\) needs 1536 data bytes/);
    const noEnd = patch(good.subarray(0, 2880), 'END     ', 'COMMENT ');
    expect(bad(noEnd)).toThrow(/sky.fits: truncated file: header of HDU 0 has no END card/);
    expect(bad(Uint8Array.from({ length: 3000 }, (_, i) => i % 256))).toThrow(/not a FITS file/);
    expect(bad(good)).not.toThrow();
    try {
      bad(new Uint8Array(100))();
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(FitsError);
      expect((err as FitsError).file).toBe('sky.fits');
    }
  });
  it('not a BINTABLE, unknown TFORM, NAXIS1 and NAXIS2 mismatches, bad NSIDE and ORDERING', () => {
    const image = new Uint8Array(2880 * 2).fill(32);
    ['SIMPLE  =                    T', 'BITPIX  =                   16', 'NAXIS   =                    1', 'NAXIS1  =                    4', 'END']
      .forEach((c, i) => image.set(Buffer.from(c.padEnd(80), 'latin1'), i * 80));
    expect(bad(image)).toThrow(/no BINTABLE extension \(HDUs: PRIMARY\)/);
    expect(() => parseHealpixMap(good, 'sky.fits', { hdu: 0 })).toThrow(/HDU 0 is PRIMARY, not a BINTABLE/);
    expect(bad(patch(good, "TFORM1  = '1D      '", "TFORM1  = '1Z      '"))).toThrow(/unknown TFORM1 '1Z'/);
    expect(bad(patch(good, "TFORM1  = '1D      '", "TFORM1  = '1E      '"))).toThrow(/TFORM widths add up to 4 bytes per row, but NAXIS1 = 8/);
    expect(bad(patch(good, 'NSIDE   =                    4', 'NSIDE   =                    2'))).toThrow(/NSIDE = 2 needs 48 pixels, but column 'TEMPERATURE' holds NAXIS2 × repeat = 192 × 1 = 192 \(NAXIS2 mismatch\)/);
    expect(bad(patch(good, 'NSIDE   =                    4', 'NSIDE   =                    0'))).toThrow(/NSIDE must be an integer in \[1, 8192\]. Value: 0/);
    expect(bad(patch(good, "ORDERING= 'NESTED  '", "ORDERING= 'SPIRAL  '"))).toThrow(/ORDERING must be 'RING' or 'NESTED'. Value: 'SPIRAL'/);
    expect(() => parseHealpixMap(good, 'sky.fits', { fields: ['Q'] })).toThrow(/column 'Q' not found. Map columns: TEMPERATURE/);
  });
  it('file system errors, existing files, bad writer options', async () => {
    await expect(readHealpixMap('/nonexistent/sky.fits')).rejects.toThrow(/\/nonexistent\/sky.fits: cannot read the file \(ENOENT\)/);
    const path = join(tmpdir(), `healpix-exists-${process.pid}.fits`);
    await writeHealpixMap(path, new Float64Array(48));
    await expect(writeHealpixMap(path, new Float64Array(48))).rejects.toThrow(/the file exists; pass overwrite: true/);
    await writeHealpixMap(path, new Float64Array(48), { overwrite: true });
    await rm(path);
    await expect(writeHealpixMap('/nonexistent/dir/x.fits', new Float64Array(48))).rejects.toThrow(/x.fits: cannot write the file/);
    expect(() => serializeHealpixMap(new Float64Array(50))).toThrow(/map length must be 12·nside²/);
    expect(() => serializeHealpixMap(Float64Array.of(...new Array(48).fill(0.5)), { dtype: 'J' })).toThrow(/value 0.5 at pixel 0 is not an integer/);
    expect(() => serializeHealpixMap(new Float64Array(48), { repeat: 5 })).toThrow(/option 'repeat' must be a positive integer dividing the 48 values/);
    expect(() => serializeHealpixMap(new Float64Array(48), { extraHeader: [['bad key', 1]] })).toThrow(/invalid header keyword 'BAD KEY'/);
  });
});
