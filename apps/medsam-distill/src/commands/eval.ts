// `eval`: scores, size, compute and latency of every trained model of the run.
import type { Io } from '@lossworks/cli-kit';
import { evaluateRun, MODEL_LABELS, type EvalResult } from '../eval/evaluate.js';
import { dataOrSkip, isSkipped, openRun, useBackend, type RunOptions, type Skipped } from './common.js';

const f = (v: number | null | undefined, d = 3) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(d));

/** A plain-text table of an eval result. */
export function evalSummary(r: EvalResult): string {
  const lines: string[] = [];
  lines.push(`eval ${r.name} (${r.backend}): ${Object.entries(r.testImages).map(([d, n]) => `${d} ${n}`).join(', ')} test images`);
  lines.push(`  ${'model'.padEnd(24)}${r.datasets.map((d) => d.padStart(16)).join('')}${'mean'.padStart(10)}   params    MMACs  tfjs ms  onnx ms`);
  for (const m of r.models) {
    const cells = r.datasets.map((d) => f(m.perDataset[d]?.dice).padStart(16)).join('');
    lines.push(
      `  ${MODEL_LABELS[m.name].padEnd(24)}${cells}${f(m.meanOverDatasets.dice).padStart(10)}${String(m.params.total).padStart(9)}${(m.macs.total / 1e6).toFixed(1).padStart(9)}${f(m.latencyMs.tfjs, 1).padStart(9)}${f(m.latencyMs.onnx, 2).padStart(9)}`,
    );
  }
  const a = r.acceptance;
  lines.push(`  (Dice per dataset; mean over datasets)`);
  lines.push(`  KD beats scratch: ${a.kdBeatsScratch ?? 'n/a'}; teacher/KD params ${f(a.paramRatio, 2)}×; ONNX speed-up ${f(a.onnxSpeedup, 2)}×`);
  return lines.join('\n');
}

/** Evaluates the run's models and writes `<out>/eval/eval.json` and overlay PNGs. */
export async function evalCommand(opts: RunOptions, io: Io): Promise<(EvalResult & { summary: string }) | Skipped> {
  const run = await openRun(opts);
  const data = await dataOrSkip(run, io);
  if (isSkipped(data)) return data;
  const backend = await useBackend(opts, io);
  const r = await evaluateRun(run.config, run.out, data, { backend, log: (l) => io.stderr.write(`${l}\n`) });
  return { ...r, summary: evalSummary(r) };
}
