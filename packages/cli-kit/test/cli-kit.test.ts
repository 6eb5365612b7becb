import { mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ConfigError,
  exitCodeFor,
  jsonSchemaOf,
  loadConfig,
  parseInteger,
  parseNumber,
  runMain,
  sharedDataDir,
  sharedDataSet,
  writeFileAtomic,
} from '../src/index.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'cli-kit-'));
const schema = z.object({ name: z.string(), train: z.object({ lr: z.number().positive(), epochs: z.number().int().default(3) }) }).strict();

describe('loadConfig', () => {
  it('reads, strips $schema and applies defaults', async () => {
    const f = join(tmp(), 'c.json');
    writeFileSync(f, JSON.stringify({ $schema: './config.schema.json', name: 'a', train: { lr: 0.1 } }));
    expect(await loadConfig(f, schema)).toEqual({ name: 'a', train: { lr: 0.1, epochs: 3 } });
  });

  it('lists every problem with its path, naming the file', async () => {
    const f = join(tmp(), 'bad.json');
    writeFileSync(f, JSON.stringify({ train: { lr: -1, epochs: 1.5 }, extra: 1 }));
    const err = await loadConfig(f, schema).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toContain(f);
    expect(msg).toMatch(/- name: /);
    expect(msg).toMatch(/- train\.lr: /);
    expect(msg).toMatch(/- train\.epochs: /);
    expect(msg).toMatch(/extra/);
    expect((err as ConfigError).problems.length).toBe(4);
  });

  it('reports a missing file and bad JSON as ConfigError', async () => {
    await expect(loadConfig(join(tmp(), 'nope.json'), schema)).rejects.toThrow(/nope\.json: invalid config:\n {2}- file not found/);
    const f = join(tmp(), 'x.json');
    writeFileSync(f, '{ "name": ');
    await expect(loadConfig(f, schema)).rejects.toThrow(/not valid JSON/);
  });

  it('generates a JSON Schema that allows $schema', () => {
    const js = jsonSchemaOf(schema, 'demo') as { title: string; properties: Record<string, unknown>; required: string[] };
    expect(js.title).toBe('demo');
    expect(Object.keys(js.properties)).toEqual(['$schema', 'name', 'train']);
    expect(js.required).toContain('name');
  });
});

describe('exitCodeFor', () => {
  class CoreError extends Error {}
  class DataError extends CoreError {}
  class ShapeError extends CoreError {}
  it('maps config 2, data 3, library 4, bugs 1, commander its own', () => {
    expect(exitCodeFor(new ConfigError('f', ['x']))).toBe(2);
    expect(exitCodeFor(new DataError('d'))).toBe(3);
    expect(exitCodeFor(new ShapeError('s'))).toBe(4);
    expect(exitCodeFor(new TypeError('bug'))).toBe(1);
    expect(exitCodeFor({ code: 'commander.unknownOption', exitCode: 1 })).toBe(1);
    expect(exitCodeFor({ code: 'commander.helpDisplayed', exitCode: 0 })).toBe(0);
  });
});

describe('runMain', () => {
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } } as never };
  };
  it('prints `error: message` for deliberate errors and sets the exit code', async () => {
    const p = new Command('x').exitOverride();
    p.command('go').action(() => {
      throw new ConfigError('c.json', ['bad']);
    });
    const s = io();
    const prev = process.exitCode;
    expect(await runMain(p, ['node', 'x', 'go'], s.io)).toBe(2);
    process.exitCode = prev;
    expect(s.err.join('')).toMatch(/^error: c\.json: invalid config/);
  });
  it('prints the stack for bugs', async () => {
    const p = new Command('x').exitOverride();
    p.command('go').action(() => {
      throw new TypeError('oops');
    });
    const s = io();
    const prev = process.exitCode;
    expect(await runMain(p, ['node', 'x', 'go'], s.io)).toBe(1);
    process.exitCode = prev;
    expect(s.err.join('')).toMatch(/TypeError: oops\n\s+at /);
  });
});

describe('option parsers', () => {
  it('accept numbers and reject junk', () => {
    expect(parseInteger('12')).toBe(12);
    expect(() => parseInteger('1.5')).toThrow(/not an integer/);
    expect(parseNumber('1e-3')).toBe(0.001);
    expect(() => parseNumber('abc')).toThrow(/not a number/);
    expect(() => parseNumber(' ')).toThrow(/not a number/);
  });
});

describe('writeFileAtomic', () => {
  it('creates folders, writes, leaves no temp file', async () => {
    const d = tmp();
    const f = join(d, 'a', 'b', 'out.txt');
    await writeFileAtomic(f, 'hello');
    expect(readFileSync(f, 'utf8')).toBe('hello');
    expect(readdirSync(join(d, 'a', 'b'))).toEqual(['out.txt']);
  });
  it('leaves the old file intact and no temp file when the write fails', async () => {
    const d = tmp();
    const f = join(d, 'out.txt');
    writeFileSync(f, 'old');
    // A directory in place of the target makes the rename fail after the temp file was written.
    const blocked = join(d, 'dir');
    mkdirSync(join(blocked, 'x'), { recursive: true });
    await expect(writeFileAtomic(blocked, 'new')).rejects.toThrow();
    expect(readdirSync(d).sort()).toEqual(['dir', 'out.txt']);
    expect(readFileSync(f, 'utf8')).toBe('old');
  });
});

describe('sharedDataDir', () => {
  it('honours LOSSWORKS_SHARED_DATA and returns null when missing', () => {
    const d = tmp();
    mkdirSync(join(d, 'setA'));
    expect(sharedDataDir(undefined, { LOSSWORKS_SHARED_DATA: d })).toBe(d);
    expect(sharedDataSet('setA', undefined, { LOSSWORKS_SHARED_DATA: d })).toBe(join(d, 'setA'));
    expect(sharedDataSet('setB', undefined, { LOSSWORKS_SHARED_DATA: d })).toBeNull();
    expect(sharedDataDir(undefined, { LOSSWORKS_SHARED_DATA: join(d, 'missing') })).toBeNull();
  });
  it('finds ../shared/data beside the workspace root', () => {
    const d = tmp();
    mkdirSync(join(d, 'repo', 'apps', 'x'), { recursive: true });
    writeFileSync(join(d, 'repo', 'pnpm-workspace.yaml'), '');
    expect(sharedDataDir(join(d, 'repo', 'apps', 'x'), {})).toBeNull();
    mkdirSync(join(d, 'shared', 'data'), { recursive: true });
    expect(sharedDataDir(join(d, 'repo', 'apps', 'x'), {})).toBe(join(d, 'shared', 'data'));
  });
});
