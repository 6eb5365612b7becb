// Regenerates config.schema.json from src/config/schema.ts: `pnpm run schema` (a test checks it is current).
import { fileURLToPath } from 'node:url';
import { writeJsonSchema } from '@lossworks/cli-kit';
import { configSchema } from '../src/config/schema.js';

export const SCHEMA_TITLE = 'cmb-inpaint run config';
const path = fileURLToPath(new URL('../config.schema.json', import.meta.url));
await writeJsonSchema(configSchema, SCHEMA_TITLE, path);
console.log(`wrote ${path}`);
