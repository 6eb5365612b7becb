// The maps our FITS writer puts in fixtures/data/ts-*.fits (test/write-ts-fits.ts), which
// fixtures/make_fixtures.py then reads with astropy and healpy. Deterministic: no random numbers.
import { UNSEEN, type WriteHealpixOptions } from '../src/index.js';

/** One file our writer produced: its name, maps and options. */
export interface TsWrittenCase {
  file: string;
  maps: (Float64Array | Float32Array)[];
  options: WriteHealpixOptions;
}

function wave(npix: number, k: number): Float64Array {
  return Float64Array.from({ length: npix }, (_, i) => Math.sin(0.37 * i * k + k) * 10 ** (k - 2) + i / 7);
}

/** The cases, in file order. */
export function tsWrittenCases(): TsWrittenCase[] {
  const iqu = [wave(192, 1), wave(192, 2), wave(192, 3)];
  iqu[0]![5] = UNSEEN;
  iqu[2]![150] = UNSEEN;
  const vector = Float32Array.from(wave(192, 4));
  const counts = Float64Array.from({ length: 48 }, (_, i) => (i % 5 === 0 ? UNSEEN : i * 1000 - 20000));
  const partial = Float64Array.from({ length: 192 }, (_, i) => (i % 3 === 0 ? i * 0.5 : UNSEEN));
  return [
    {
      file: 'ts-iqu-nest-d.fits',
      maps: iqu,
      options: {
        ordering: 'NESTED', units: ['uK', 'uK', 'uK'], coordsys: 'G', dtype: 'D',
        extraHeader: [['CREATOR', 'lossworks healpix test', 'written by serializeHealpixMap'], ['FWHM', 0.0125, 'radians']],
      },
    },
    { file: 'ts-vector-e.fits', maps: [vector], options: { repeat: 16, columnNames: ['SIGNAL'] } },
    { file: 'ts-int-j.fits', maps: [counts], options: { dtype: 'J', columnNames: ['N_OBS'] } },
    { file: 'ts-partial.fits', maps: [partial], options: { partial: true, dtype: 'E', ordering: 'RING' } },
  ];
}
