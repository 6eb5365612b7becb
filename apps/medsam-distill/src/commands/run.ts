// `run`: every stage in order — prepare-data, train-teacher (for a teacher trained here), distill,
// finetune, train-scratch, eval, report — in one process (what `pnpm demo` and `eval:real` call).
import type { Io } from '@lossworks/cli-kit';
import type { ReportFiles } from '@lossworks/core-train';
import { evaluateRun, type EvalResult } from '../eval/evaluate.js';
import { writeReport } from '../report/report.js';
import { distillEncoder, finetuneDecoder, trainScratch, trainTeacher, type StageResult } from '../train/stages.js';
import { dataOrSkip, isSkipped, openRun, useBackend, type RunOptions, type Skipped } from './common.js';
import { evalSummary } from './eval.js';

/** What `run` reports. */
export interface RunResult {
  out: string;
  backend: string;
  stages: StageResult[];
  eval: EvalResult;
  report: ReportFiles;
  /** Wall-clock seconds per phase and in total. */
  seconds: Record<string, number>;
  summary: string;
}

/** Runs the whole pipeline of a config. */
export async function runCommand(opts: RunOptions, io: Io): Promise<RunResult | Skipped> {
  const t0 = performance.now();
  const run = await openRun(opts);
  const { config, out } = run;
  const log = (l: string) => io.stderr.write(`${l}\n`);
  const data = await dataOrSkip(run, io);
  if (isSkipped(data)) return data;
  const seconds: Record<string, number> = { data: (performance.now() - t0) / 1000 };
  log(`data: ${data.train.length} train, ${data.test.length} test, ${data.teacherExtra.length} teacher-only images (${seconds.data!.toFixed(1)} s)`);
  const backend = await useBackend(opts, io);
  const env = { config, out, stderr: io.stderr };
  const stages: StageResult[] = [];
  const step = async <T extends StageResult>(name: string, fn: () => Promise<T>): Promise<void> => {
    log(`== ${name}`);
    const r = await fn();
    stages.push(r);
    seconds[name] = r.seconds;
    log(`${name}: ${r.steps} steps, ${r.seconds.toFixed(1)} s, loss ${r.firstLoss.toFixed(4)} → ${r.lastLoss.toFixed(4)}`);
  };
  if (config.teacher.source === 'train') await step('teacher', () => trainTeacher(env, data));
  await step('distill', () => distillEncoder(env, data));
  await step('finetune', () => finetuneDecoder(env, data));
  await step('scratch', () => trainScratch(env, data));
  log('== eval');
  const te = performance.now();
  const result = await evaluateRun(config, out, data, { backend, log });
  seconds.eval = (performance.now() - te) / 1000;
  const tr = performance.now();
  const report = await writeReport(config, out, result);
  seconds.report = (performance.now() - tr) / 1000;
  seconds.total = (performance.now() - t0) / 1000;
  return {
    out,
    backend,
    stages,
    eval: result,
    report,
    seconds,
    summary: `${evalSummary(result)}\nreport: ${report.html}\ntotal ${seconds.total.toFixed(0)} s (${Object.entries(seconds)
      .filter(([k]) => k !== 'total')
      .map(([k, v]) => `${k} ${v.toFixed(0)} s`)
      .join(', ')})`,
  };
}
