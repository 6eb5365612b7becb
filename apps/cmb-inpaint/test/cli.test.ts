// The CLI as users run it: a subprocess of src/main.ts (through tsx, so no build is needed first).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { writeTinyConfig } from './helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));

function cli(args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, COLUMNS: '100', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cmb-inpaint CLI', () => {
  it('--help teaches the pipeline (snapshot docs/usage.txt) and every command has examples', () => {
    const r = cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(`${root}docs/usage.txt`, 'utf8'));
    for (const cmd of ['simulate', 'train', 'eval', 'report', 'inpaint']) expect(r.stdout).toContain(cmd);
    const t = cli(['train', '--help']);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/Examples?:\n {2}cmb-inpaint train -c configs\/demo\.json/);
  });

  it('--version prints the package version', () => {
    const r = cli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe((JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string }).version);
  });

  it('exits 2 for a bad or missing config, 3 for missing data, 1 for an unknown command', async () => {
    const missing = cli(['train', '-c', 'configs/nope.json']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/error: configs\/nope\.json: invalid config:\n {2}- file not found/);
    const bad = await writeTinyConfig({ nside: 20 });
    const invalid = cli(['simulate', '-c', bad.config]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/nside: must be a power of two/);
    const ok = await writeTinyConfig();
    const noData = cli(['eval', '-c', ok.config, '-o', ok.out]);
    expect(noData.code).toBe(3);
    expect(noData.stderr).toMatch(/error: readDataSet: cannot read manifest .*manifest\.json \(ENOENT\); run 'cmb-inpaint simulate' first/);
    expect(cli(['fly']).code).toBe(1);
  });

  it("reports a real-data config as 'missing, skipped' with exit 0 when the shared data is absent", () => {
    const r = cli(['simulate', '-c', 'configs/real-mask.json', '--json'], { LOSSWORKS_SHARED_DATA: '/nonexistent/shared-data' });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/cmb-inpaint simulate: missing, skipped: shared data set 'cmb-wmap-planck' not found/);
    expect((JSON.parse(r.stdout) as { skipped: boolean }).skipped).toBe(true);
  });
});
