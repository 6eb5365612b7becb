// Regenerates config.schema.json from the zod schema: pnpm --filter @lossworks/medsam-distill schema
import { writeJsonAtomic } from '@lossworks/cli-kit';
import { configJsonSchema } from '../src/config/json-schema.js';

await writeJsonAtomic(new URL('../config.schema.json', import.meta.url).pathname, configJsonSchema());
