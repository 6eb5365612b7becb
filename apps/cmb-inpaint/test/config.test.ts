import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, jsonSchemaOf, parseConfig } from '@lossworks/cli-kit';
import { configSchema } from '../src/config/schema.js';
import { resolveDataPath, SharedDataMissing } from '../src/config/load.js';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('config schema', () => {
  it('config.schema.json is current (regenerate with `pnpm run schema`)', () => {
    const committed = JSON.parse(readFileSync(`${root}config.schema.json`, 'utf8')) as unknown;
    expect(committed).toEqual(jsonSchemaOf(configSchema, 'cmb-inpaint run config'));
  });

  it('accepts every committed config and fills the defaults', () => {
    const files = readdirSync(`${root}configs`).filter((f) => f.endsWith('.json'));
    expect(files).toContain('demo.json');
    expect(files).toContain('real-mask.json');
    for (const f of files) {
      const c = parseConfig(JSON.parse(readFileSync(`${root}configs/${f}`, 'utf8')), configSchema, f);
      expect(c.eval.lmin).toBe(2);
      expect(c.model.rates.length).toBeGreaterThan(0);
    }
  });

  it('lists every problem of a bad config', () => {
    let err: unknown;
    try {
      parseConfig({ name: '', nside: 48, mask: {}, data: { train: 0, test: 1 }, train: { steps: 1, alpha: 2 }, extra: 1 }, configSchema, 'bad.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    expect(problems).toMatch(/name:/);
    expect(problems).toMatch(/nside: must be a power of two/);
    expect(problems).toMatch(/mask: give at least one of galactic, pointSources or file/);
    expect(problems).toMatch(/data\.train:/);
    expect(problems).toMatch(/train\.alpha:/);
    expect(problems).toMatch(/extra/);
  });
});

describe('resolveDataPath', () => {
  it('resolves relative paths against the config folder and shared: paths in the shared data folder', () => {
    expect(resolveDataPath('masks/m.fits', '/tmp/cfg')).toBe('/tmp/cfg/masks/m.fits');
    expect(resolveDataPath('/abs/m.fits', '/tmp/cfg')).toBe('/abs/m.fits');
    expect(() => resolveDataPath('shared:no-such-set/x.fits', '/tmp/cfg', { LOSSWORKS_SHARED_DATA: '/nonexistent-shared' })).toThrow(SharedDataMissing);
    expect(() => resolveDataPath('shared:no-such-set/x.fits', '/tmp/cfg', { LOSSWORKS_SHARED_DATA: '/nonexistent-shared' })).toThrow(/shared data set 'no-such-set' not found/);
  });

  it('finds shared files through LOSSWORKS_SHARED_DATA', async () => {
    const { mkdtemp, mkdir, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const shared = await mkdtemp(`${tmpdir()}/cmb-shared-`);
    await mkdir(`${shared}/set-a`);
    await writeFile(`${shared}/set-a/file.txt`, '2 1\n');
    expect(resolveDataPath('shared:set-a/file.txt', '/tmp', { LOSSWORKS_SHARED_DATA: shared })).toBe(`${shared}/set-a/file.txt`);
    expect(() => resolveDataPath('shared:set-a/other.txt', '/tmp', { LOSSWORKS_SHARED_DATA: shared })).toThrow(SharedDataMissing);
  });
});
