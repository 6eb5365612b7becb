// The JSON Schema of the run config (config.schema.json), generated from the zod schema.
import { jsonSchemaOf } from '@lossworks/cli-kit';
import { configSchema } from './schema.js';

/** Title of the generated schema. */
export const SCHEMA_TITLE = 'medsam-distill run config';

/** The JSON Schema that config.schema.json holds (configs point at it with "$schema"). */
export function configJsonSchema(): Record<string, unknown> {
  return jsonSchemaOf(configSchema, SCHEMA_TITLE);
}
