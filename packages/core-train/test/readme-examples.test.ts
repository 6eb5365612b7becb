// Every TypeScript sample in README.md is a file in examples/readme (same text, with the package's
// import specifiers), and each of those files runs and prints what the README says it prints.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as losses from '@lossworks/core-losses';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as core from '../src/index.js';

const pkg = join(import.meta.dirname, '..');
const examplesDir = join(pkg, 'examples', 'readme');

/** The README's specifiers for what the example files import from the sources. */
function asPublished(source: string): string {
  return source
    .replaceAll("'../../src/index.js'", "'@lossworks/core-train'")
    .replaceAll("'../../src/onnx/index.js'", "'@lossworks/core-train/onnx'")
    .replaceAll("'../../src/report/index.js'", "'@lossworks/core-train/report'");
}

describe('README code samples', () => {
  it('are the files in examples/readme, verbatim, and every file is shown', async () => {
    const readme = await readFile(join(pkg, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```ts\n([^]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(7);
    const shown: string[] = [];
    for (const block of blocks) {
      const name = /^\/\/ examples\/readme\/([\w-]+\.ts)\n/.exec(block)?.[1];
      expect(name, `a README ts block must start with "// examples/readme/<file>.ts":\n${block.slice(0, 80)}`).toBeDefined();
      shown.push(name!);
      expect(block).toBe(asPublished(await readFile(join(examplesDir, name!), 'utf8')));
    }
    expect(shown.sort()).toEqual((await readdir(examplesDir)).filter((f) => f.endsWith('.ts')).sort());
  });
});

describe('README errors section', () => {
  it('every error class it names is exported, the core-losses ones as the same classes', () => {
    for (const name of ['ValueError', 'ShapeError', 'UnknownKeyError', 'CoreError'] as const) expect(core[name]).toBe(losses[name]);
    for (const name of ['BackendError', 'CheckpointError', 'DataError', 'OnnxExportError'] as const) {
      expect(new core[name]('x')).toBeInstanceOf(losses.CoreError);
    }
  });
});

describe('README examples run', () => {
  const cwd = process.cwd();
  let dir: string;
  let printed: unknown[][] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lw-readme-'));
    process.chdir(dir); // their relative 'runs/…' paths land in a temporary folder
    // selectBackend() in the examples honours LOSSWORKS_BACKEND: keep them on the test backend.
    process.env.LOSSWORKS_BACKEND = process.env.LOSSWORKS_TEST_BACKEND ?? 'cpu';
  });
  afterAll(async () => {
    process.chdir(cwd);
    delete process.env.LOSSWORKS_BACKEND;
    await rm(dir, { recursive: true, force: true });
  });
  const run = async (name: string): Promise<unknown[][]> => {
    printed = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void printed.push(args));
    try {
      await import(join(examplesDir, name));
    } finally {
      spy.mockRestore();
    }
    return printed;
  };

  it('backend.ts selects the forced backend and lists the attempts', async () => {
    const out = await run('backend.ts');
    expect(out[0]).toEqual([process.env.LOSSWORKS_BACKEND, process.env.LOSSWORKS_BACKEND]);
    expect(out[1]![0]).toMatch(/: selected \(TF\.js backend '\w+' is active\)$/);
  });

  it('data.ts splits by station and batches a seeded pass', async () => {
    const out = await run('data.ts');
    expect(out[0]![0]).toEqual(['st1', 'st2']);
    expect(out[1]![0]).toBe(6); // 90 training readings in batches of 16
  });

  it('fit.ts logs each named term and fits the curve', async () => {
    expect(await run('fit.ts')).toEqual([['loss loss/mse loss/charb lr gradNorm val/loss/mse val/loss/charb val/loss val/r2'], ['0.96']]);
  });

  it('distill.ts logs the distillation terms of both streams and runs the teacher once per sample', async () => {
    expect(await run('distill.ts')).toEqual([['loss loss/cce loss/feat loss/kd loss/unlabelled/feat loss/unlabelled/kd lr'], [600]]);
  });

  it('checkpoint.ts resumes to bit-identical weights and refuses another configuration', async () => {
    expect(await run('checkpoint.ts')).toEqual([[true], [true]]);
  });

  it('onnx.ts exports, and ONNX Runtime matches TF.js', async () => {
    const out = await run('onnx.ts');
    expect(out[0]).toEqual([{ name: 'image', shape: ['batch', 28, 28, 1], dtype: 'float32' }, 202]);
    expect(out[1]).toEqual([[4, 10], true]);
  });

  it('report.ts writes the HTML file and a PNG per plot', async () => {
    expect(await run('report.ts')).toEqual([[join('runs', 'readme-report', 'report.html'), 2]]);
  });
});
