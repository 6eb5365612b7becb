#!/usr/bin/env node
// `pnpm demo`: every package and app demo, one after another, on its embedded default data.
// Each workspace package with a `demo` script takes part (packages first, then apps).
// `pnpm demo <name>...` runs only the named ones (e.g. `pnpm demo cmb-inpaint`).
import { spawnSync } from 'node:child_process';
import { workspacePackages } from './workspace.mjs';

const only = process.argv.slice(2);
const demos = workspacePackages().filter(
  (p) => p.pkg.scripts?.demo && (only.length === 0 || only.some((o) => p.pkg.name.endsWith(o))),
);
if (demos.length === 0) {
  console.error(`demo: nothing matches ${only.join(', ')}`);
  process.exit(2);
}
const results = [];
for (const p of demos) {
  console.log(`\n=== ${p.pkg.name} (${p.rel}) ===`);
  const t0 = Date.now();
  const r = spawnSync('pnpm', ['run', '--silent', 'demo'], { cwd: p.dir, stdio: 'inherit' });
  results.push({ name: p.pkg.name, ok: r.status === 0, s: (Date.now() - t0) / 1000 });
}
console.log('\n=== demo summary ===');
for (const r of results) console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name} (${r.s.toFixed(1)} s)`);
process.exitCode = results.every((r) => r.ok) ? 0 : 1;
