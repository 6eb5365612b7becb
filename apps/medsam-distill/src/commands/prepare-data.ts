// `prepare-data`: generate or load the images, split them by group, cache them preprocessed.
import type { Io } from '@lossworks/cli-kit';
import { preparedPath } from '../train/data.js';
import { dataOrSkip, isSkipped, openRun, type RunOptions, type Skipped } from './common.js';

/** What `prepare-data` reports. */
export interface PrepareResult {
  file: string;
  reused: boolean;
  train: Record<string, number>;
  test: Record<string, number>;
  teacherExtra: number;
  missing: string[];
  summary: string;
}

function countBy(list: ReadonlyArray<{ dataset: string }>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of list) out[s.dataset] = (out[s.dataset] ?? 0) + 1;
  return out;
}

/** Prepares (or reuses) `<out>/data/prepared.safetensors`. */
export async function prepareData(opts: RunOptions, io: Io): Promise<PrepareResult | Skipped> {
  const run = await openRun(opts);
  const data = await dataOrSkip(run, io);
  if (isSkipped(data)) return data;
  const file = preparedPath(run.out);
  const train = countBy(data.train);
  const test = countBy(data.test);
  const lines = Object.keys({ ...train, ...test })
    .sort()
    .map((ds) => `  ${ds}: ${train[ds] ?? 0} train, ${test[ds] ?? 0} test`);
  const { reused } = data;
  return {
    file,
    reused,
    train,
    test,
    teacherExtra: data.teacherExtra.length,
    missing: data.missing,
    summary: [`${reused ? 'reused' : 'prepared'} ${file}`, ...lines, ...(data.teacherExtra.length ? [`  teacher extra: ${data.teacherExtra.length}`] : [])].join('\n'),
  };
}
