export { progressBar, type ProgressOptions } from './progress.js';
export { jsonlLog, type JsonlOptions } from './jsonl.js';
export { checkpointName, checkpointer, type CheckpointerOptions } from './checkpointer.js';
export { earlyStopping, type EarlyStoppingOptions } from './early-stopping.js';
