// Regenerates the catalogue table in README.md from the registry: pnpm --filter @lossworks/core-losses readme
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { withRegistryTable } from '../src/docs.js';

const path = new URL('../README.md', import.meta.url).pathname;
const next = withRegistryTable(readFileSync(path, 'utf8'));
writeFileSync(`${path}.tmp`, next);
renameSync(`${path}.tmp`, path);
console.log(`README.md: table regenerated`);
