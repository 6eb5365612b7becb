#!/usr/bin/env node
// Runs simulate → train → eval → report on one config with the built CLI (bin/cmb-inpaint.js), stopping at
// the first failure. A real-data config whose shared data set is absent is reported as "missing, skipped"
// by its first step (exit 0), and the rest is skipped too.
//   node scripts/pipeline.mjs configs/demo.json [extra flags for every step, e.g. --backend wasm]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const [config, ...extra] = process.argv.slice(2);
if (!config) {
  console.error('usage: node scripts/pipeline.mjs <config.json> [flags]');
  process.exit(2);
}
const bin = fileURLToPath(new URL('../bin/cmb-inpaint.js', import.meta.url));
const t0 = Date.now();
for (const step of ['simulate', 'train', 'eval', 'report']) {
  const flags = step === 'simulate' || step === 'report' ? extra.filter((f, i, a) => f !== '--backend' && a[i - 1] !== '--backend') : extra;
  const args = [bin, step, '-c', config, '--json', ...flags];
  const s0 = Date.now();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (r.status !== 0) {
    console.error(`pipeline: ${step} failed (exit ${r.status})`);
    process.exit(r.status ?? 1);
  }
  const result = JSON.parse(r.stdout);
  if (result.skipped) {
    console.log(`pipeline: ${config}: missing, skipped (${result.reason})`);
    process.exit(0);
  }
  console.log(`\n## ${step} (${((Date.now() - s0) / 1000).toFixed(1)} s)\n${result.summary}`);
}
console.log(`\npipeline: ${config} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
