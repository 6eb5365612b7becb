// The CLI as a subprocess (tsx src/main.ts): --help, --version and exit codes.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMain, type Io } from '@lossworks/cli-kit';
import { buildProgram } from '../src/cli.js';
import { tempDir } from './helpers.js';

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile('npx', ['tsx', 'src/main.ts', ...args], { env: { ...process.env, ...env }, timeout: 90_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

let dir: string;
let remove: () => Promise<void>;
let outcomes: Record<string, Outcome>;

beforeAll(async () => {
  ({ dir, remove } = await tempDir());
  const bad = join(dir, 'bad.json');
  await writeFile(bad, JSON.stringify({ name: 'bad', model: { imageSize: 'big' }, distill: { steps: -1 } }));
  const broken = join(dir, 'broken.json');
  await writeFile(broken, '{ "name": ');
  const real = join(dir, 'real.json');
  await writeFile(real, JSON.stringify({ name: 'r', out: join(dir, 'r'), data: { source: 'real', sets: ['medseg-busi'] } }));
  // Subprocesses in parallel: each pays tsx and TF.js start-up once.
  const runs: Record<string, [string[], Record<string, string>?]> = {
    help: [['--help']],
    version: [['--version']],
    badConfig: [['eval', '-c', bad]],
    unknownCommand: [['fly']],
    missingData: [['prepare-data', '-c', real], { LOSSWORKS_SHARED_DATA: join(dir, 'nowhere') }],
  };
  const names = Object.keys(runs);
  const results = await Promise.all(names.map((n) => cli(runs[n]![0], runs[n]![1])));
  outcomes = Object.fromEntries(names.map((n, i) => [n, results[i]!]));
});
afterAll(async () => remove());

describe('medsam-distill CLI (in process)', () => {
  function capture(): { io: Io; out: () => string; err: () => string } {
    let o = '';
    let e = '';
    return {
      io: { stdout: { write: (s: string) => ((o += s), true) }, stderr: { write: (s: string) => ((e += s), true) } } as unknown as Io,
      out: () => o,
      err: () => e,
    };
  }

  it('--help matches docs/usage.txt (regenerate: tsx src/main.ts --help > docs/usage.txt)', async () => {
    const c = capture();
    const saved = process.exitCode;
    expect(await runMain(buildProgram(c.io), ['node', 'medsam-distill', '--help'], c.io)).toBe(0);
    process.exitCode = saved;
    expect(c.out()).toBe(readFileSync('docs/usage.txt', 'utf8'));
  });

  it('unparsable JSON and a missing file exit 2 (ConfigError); a bad option value exits 1', async () => {
    for (const [args, code, pattern] of [
      [['prepare-data', '-c', join(dir, 'broken.json')], 2, /not valid JSON/],
      [['distill', '-c', join(dir, 'nope.json')], 2, /file not found/],
      [['eval', '-c', join(dir, 'bad.json'), '--backend', 'gpu'], 1, /Allowed choices are/],
      [['eval', '-c', join(dir, 'bad.json'), '--seed', '1.5'], 1, /'1.5' is not an integer/],
    ] as const) {
      const c = capture();
      const saved = process.exitCode;
      expect(await runMain(buildProgram(c.io), ['node', 'medsam-distill', ...args], c.io), args.join(' ')).toBe(code);
      process.exitCode = saved;
      expect(c.err()).toMatch(pattern);
      expect(c.out()).toBe('');
    }
  });
});

describe('medsam-distill CLI (subprocess)', () => {
  it('--help lists every command, exit 0', () => {
    const { code, stdout } = outcomes.help!;
    expect(code).toBe(0);
    for (const c of ['prepare-data', 'train-teacher', 'distill', 'finetune', 'train-scratch', 'eval', 'report', 'run', 'export', 'predict']) expect(stdout).toContain(c);
  });

  it('--version prints the package version, exit 0', () => {
    expect(outcomes.version!.code).toBe(0);
    expect(outcomes.version!.stdout.trim()).toBe('0.1.0');
  });

  it('a bad config exits 2 with every problem on stderr', () => {
    const bad = outcomes.badConfig!;
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: .*bad\.json: invalid config/m);
    expect(bad.stderr).toMatch(/model\.imageSize: /);
    expect(bad.stderr).toMatch(/distill\.steps: /);
    expect(bad.stdout).toBe('');
  });

  it('an unknown command is a commander error: exit 1, no stack', () => {
    expect(outcomes.unknownCommand!.code).toBe(1);
    expect(outcomes.unknownCommand!.stderr).toMatch(/unknown command 'fly'/);
    expect(outcomes.unknownCommand!.stderr).not.toMatch(/\n\s+at /);
  });

  it('a real-data config without the shared data says "missing, skipped" and exits 0', () => {
    const { code, stderr, stdout } = outcomes.missingData!;
    expect(code).toBe(0);
    expect(stderr).toContain('medseg-busi: missing, skipped');
    expect(stdout).toContain('missing, skipped');
  });
});
