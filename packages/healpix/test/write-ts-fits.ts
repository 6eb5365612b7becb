// Writes fixtures/data/ts-*.fits with our FITS writer (run by hand before fixtures/make_fixtures.py fits):
//   npx tsx test/write-ts-fits.ts
import { join } from 'node:path';
import { writeHealpixMap } from '../src/index.js';
import { tsWrittenCases } from './ts-written.js';

const dir = join(import.meta.dirname, '..', 'fixtures', 'data');
for (const c of tsWrittenCases()) {
  await writeHealpixMap(join(dir, c.file), c.maps, { ...c.options, overwrite: true });
  process.stdout.write(`wrote fixtures/data/${c.file}\n`);
}
