#!/usr/bin/env node
// `pnpm bench`: every workspace package's `bench` script in turn (each prints a Markdown table with
// ratios to the reference measured in the same run). `pnpm bench <name>` runs only matching ones.
import { spawnSync } from 'node:child_process';
import { workspacePackages } from './workspace.mjs';

const only = process.argv.slice(2);
const benches = workspacePackages().filter((p) => p.pkg.scripts?.bench && (only.length === 0 || only.some((o) => p.pkg.name.endsWith(o))));
let failed = 0;
for (const p of benches) {
  console.log(`\n=== ${p.pkg.name}: bench ===`);
  const r = spawnSync('pnpm', ['run', '--silent', 'bench'], { cwd: p.dir, stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
if (benches.length === 0) console.log('bench: no package has a bench script yet');
process.exitCode = failed ? 1 : 0;
