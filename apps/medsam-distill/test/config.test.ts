// The run config: config.schema.json is the zod schema's JSON Schema (snapshot), the shipped configs
// parse, and bad configs list every problem.
import { readFileSync } from 'node:fs';
import { ConfigError, parseConfig } from '@lossworks/cli-kit';
import { describe, expect, it } from 'vitest';
import { configJsonSchema } from '../src/config/json-schema.js';
import { configSchema } from '../src/config/schema.js';
import { checkGeometry } from '../src/model/sam.js';

describe('config', () => {
  it('config.schema.json matches the zod schema (regenerate: pnpm schema)', () => {
    const committed = JSON.parse(readFileSync('config.schema.json', 'utf8')) as Record<string, unknown>;
    expect(configJsonSchema()).toEqual(committed);
    expect(Object.keys(committed.properties as object)).toEqual(['$schema', 'name', 'out', 'seed', 'model', 'data', 'teacher', 'distill', 'finetune', 'scratch', 'eval']);
  });

  it('the shipped configs parse, point at the schema, and have a consistent geometry', () => {
    for (const file of ['configs/demo.json', 'configs/real.json']) {
      const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      expect(raw.$schema).toBe('../config.schema.json');
      const c = parseConfig(raw, configSchema, file);
      expect(() => checkGeometry(c.model)).not.toThrow();
      expect(c.model.student.widths.length).toBe(Math.log2(c.model.imageSize / c.model.gridSize));
    }
    expect(parseConfig(JSON.parse(readFileSync('configs/real.json', 'utf8')), configSchema).data.source).toBe('real');
  });

  it('a bad config lists every problem with its path', () => {
    const bad = { name: 'x y', model: { imageSize: -1 }, distill: { steps: 1.5 }, teacher: { source: 'onnx' }, extra: 1 };
    let err: unknown;
    try {
      parseConfig(bad, configSchema, 'bad.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    expect(problems).toMatch(/^name: letters, digits/m);
    expect(problems).toMatch(/^model\.imageSize: /m);
    expect(problems).toMatch(/^distill\.steps: /m);
    expect(problems).toMatch(/teacher\.source 'onnx' needs teacher\.onnx\.path/);
    expect(problems).toMatch(/extra/);
  });

  it('defaults fill a minimal config', () => {
    const c = parseConfig({ name: 'min' }, configSchema);
    expect(c.model.imageSize).toBe(128);
    expect(c.data.source).toBe('synthetic');
    expect(c.teacher.source).toBe('train');
    expect(c.finetune.encoder).toBe('frozen');
  });
});
