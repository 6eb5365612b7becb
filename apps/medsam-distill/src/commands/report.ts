// `report`: the HTML report of a run from its eval.json.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Io } from '@lossworks/cli-kit';
import { DataError, type ReportFiles } from '@lossworks/core-train';
import type { EvalResult } from '../eval/evaluate.js';
import { writeReport } from '../report/report.js';
import { openRun, type RunOptions } from './common.js';

/** Writes `<out>/report/report.html` from `<out>/eval/eval.json` (run `eval` first). */
export async function reportCommand(opts: RunOptions & { timestamp?: boolean }, _io: Io): Promise<ReportFiles & { summary: string }> {
  const run = await openRun(opts);
  const file = join(run.out, 'eval', 'eval.json');
  let result: EvalResult;
  try {
    result = JSON.parse(await readFile(file, 'utf8')) as EvalResult;
  } catch (err) {
    throw new DataError(`report: cannot read '${file}' (run 'medsam-distill eval' first): ${(err as Error).message}`, file, { cause: err });
  }
  const files = await writeReport(run.config, run.out, result, opts.timestamp === false ? { timestamp: false } : {});
  return { ...files, summary: `report: ${files.html}` };
}
