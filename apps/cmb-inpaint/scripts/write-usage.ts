// Regenerates docs/usage.txt (the top-level --help, snapshot-tested): `pnpm run usage`.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const help = execFileSync(process.execPath, ['--import', 'tsx', 'src/main.ts', '--help'], { cwd: root, encoding: 'utf8', env: { ...process.env, COLUMNS: '100' } });
writeFileSync(`${root}docs/usage.txt`, help);
console.log('wrote docs/usage.txt');
