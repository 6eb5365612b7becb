export { ConfigError, UsageError, exitCodeFor } from './errors.js';
export { jsonSchemaOf, loadConfig, parseConfig, writeJsonSchema } from './config.js';
export { writeFileAtomic, writeFileAtomicSync, writeJsonAtomic } from './fs.js';
export { sharedDataDir, sharedDataSet } from './shared-data.js';
export { parseInteger, parseNumber, printResult, processIo, runMain, type Io } from './cli.js';
