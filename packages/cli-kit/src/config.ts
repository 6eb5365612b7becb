import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { writeJsonAtomic } from './fs.js';

function formatIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length ? issue.path.map(String).join('.') : '(root)';
  return `${where}: ${issue.message}`;
}

/** Validates a parsed value against a schema, throwing ConfigError with every issue. */
export function parseConfig<S extends z.ZodType>(value: unknown, schema: S, file = '(config)'): z.infer<S> {
  const v = value && typeof value === 'object' && !Array.isArray(value) ? { ...(value as Record<string, unknown>) } : value;
  if (v && typeof v === 'object' && '$schema' in v) delete (v as Record<string, unknown>).$schema;
  const r = schema.safeParse(v);
  if (!r.success) throw new ConfigError(file, r.error.issues.map(formatIssue));
  return r.data;
}

/** Reads a JSON config file and validates it; a missing file, bad JSON or schema issues give ConfigError. */
export async function loadConfig<S extends z.ZodType>(file: string, schema: S): Promise<z.infer<S>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(file, [code === 'ENOENT' ? 'file not found' : `cannot read (${code ?? String(err)})`], { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(file, [`not valid JSON: ${(err as Error).message}`], { cause: err });
  }
  return parseConfig(json, schema, file);
}

/** The JSON Schema of a config schema (draft 2020-12), allowing a `$schema` key for editors. */
export function jsonSchemaOf(schema: z.ZodType, title: string): Record<string, unknown> {
  const js = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
  const props = (js.properties ?? {}) as Record<string, unknown>;
  return { ...js, title, properties: { $schema: { type: 'string' }, ...props } };
}

/** Writes `config.schema.json` (atomically) for editors and docs. */
export async function writeJsonSchema(schema: z.ZodType, title: string, path: string): Promise<void> {
  await writeJsonAtomic(path, jsonSchemaOf(schema, title));
}
