#!/usr/bin/env node
// `pnpm test`: every package's tests through turbo (dependencies built first), then one closing line
// `N passed, N failed` summed from each package's vitest JSON report (CI reads that line, not vitest's).
// Extra arguments go to turbo, e.g. `pnpm test --filter @lossworks/core-losses`.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, workspacePackages } from './workspace.mjs';

const withTests = workspacePackages().filter((p) => p.pkg.scripts?.test);
for (const p of withTests) rmSync(join(p.dir, '.test-results.json'), { force: true });

const turbo = spawnSync('pnpm', ['exec', 'turbo', 'run', 'test', '--continue', ...process.argv.slice(2)], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { TURBO_TELEMETRY_DISABLED: '1', ...process.env },
});

let passed = 0;
let failed = 0;
let skipped = 0;
const rows = [];
for (const p of withTests) {
  const file = join(p.dir, '.test-results.json');
  if (!existsSync(file)) {
    rows.push(`  ${p.pkg.name}: not run`);
    continue;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  // A suite that fails to load (syntax error, missing import) has no tests but counts as a failure.
  const broken = (r.testResults ?? []).filter((s) => s.status === 'failed' && s.assertionResults.length === 0).length;
  failed += broken;
  rows.push(`  ${p.pkg.name}: ${r.numPassedTests} passed, ${r.numFailedTests + broken} failed, ${r.numPendingTests} skipped`);
}
const filtered = process.argv.slice(2).some((a) => a.startsWith('--filter'));
if (!filtered && rows.some((r) => r.endsWith('not run'))) failed += rows.filter((r) => r.endsWith('not run')).length;
console.log(['', 'Test results by package:', ...rows].join('\n'));
if (skipped > 0) console.log(`${skipped} skipped`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = turbo.status !== 0 || failed > 0 ? 1 : 0;
