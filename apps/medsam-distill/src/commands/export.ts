// `export`: trained models to ONNX (opset 17; NHWC inputs image [1, S, S, 3], point_coords [1, P, 2],
// point_labels [1, P]; outputs masks [1, S, S, 1] logits and iou_predictions [1, 1]).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Io } from '@lossworks/cli-kit';
import { UsageError } from '@lossworks/cli-kit';
import { exportOnnx, type OnnxExportResult } from '@lossworks/core-train/onnx';
import { MODEL_NAMES, modelFile, type ModelName } from '../eval/evaluate.js';
import { ONNX_NAMES } from '../model/sam.js';
import { loadSam } from '../model/weights.js';
import { openRun, type RunOptions } from './common.js';

/** Options of `export`. */
export interface ExportOptions extends Partial<RunOptions> {
  /** Which model of the run ('all' for every one that exists). Default 'all'. */
  model?: ModelName | 'all';
  /** A model file to export instead of the run's (needs `output`). */
  weights?: string;
  /** Output .onnx file (with `weights`) or folder (default `<out>/onnx`). */
  output?: string;
}

/** Exports models to ONNX; returns each file's summary. */
export async function exportCommand(opts: ExportOptions, _io: Io): Promise<{ files: OnnxExportResult[]; summary: string }> {
  const jobs: Array<{ src: string; dst: string }> = [];
  if (opts.weights !== undefined) {
    if (opts.output === undefined) throw new UsageError("export: --weights needs --output <file.onnx>.");
    jobs.push({ src: opts.weights, dst: opts.output });
  } else {
    if (opts.config === undefined) throw new UsageError('export: give -c <config> (the run folder) or --weights <model file>.');
    const run = await openRun(opts as RunOptions);
    const names = opts.model === undefined || opts.model === 'all' ? [...MODEL_NAMES] : [opts.model];
    const dir = opts.output ?? join(run.out, 'onnx');
    for (const name of names) {
      const src = modelFile(run.out, name);
      if (existsSync(src)) jobs.push({ src, dst: join(dir, `${name}.onnx`) });
      else if (opts.model !== undefined && opts.model !== 'all') throw new UsageError(`export: the run has no ${name} model (${src}); train it first.`);
    }
    if (jobs.length === 0) throw new UsageError(`export: the run folder ${run.out} has no trained models yet.`);
  }
  const files: OnnxExportResult[] = [];
  for (const { src, dst } of jobs) {
    const { sam, meta } = await loadSam(src);
    try {
      files.push(await exportOnnx(sam.model, dst, { ...ONNX_NAMES.sam, docString: `medsam-distill ${meta.kind} model from ${src}` }));
    } finally {
      sam.model.dispose();
    }
  }
  return { files, summary: files.map((f) => `${f.path}: ${f.nodeCount} nodes, ${f.parameters} parameters, ${(f.bytes / 1024).toFixed(0)} KiB`).join('\n') };
}
