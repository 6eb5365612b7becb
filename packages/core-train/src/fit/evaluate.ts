import * as tf from '@tensorflow/tfjs';
import { getMetric, type Metric } from '@lossworks/core-losses';
import { batchSize, collate, disposeBatch, type Batch } from '../data/collate.js';
import { Dataset } from '../data/dataset.js';
import { DataError, ValueError } from '../errors.js';
import { adaptModel, pickOutput, pickTarget, type ModelAdapter, type OutputRef, type TrainModel } from './model.js';
import { resolveTerms, type LossFunction, type LossTerm, type ResolvedTerm, type TermContext } from './terms.js';
import type { DataElement, DataSource, Logs, MetricEntry } from './types.js';

/** A validation metric resolved to a Metric instance. */
export interface ResolvedMetric {
  name: string;
  metric: Metric;
  output: OutputRef | undefined;
  target: OutputRef | undefined;
  /** Whether it was created here from a registry name (and so is ours to dispose). */
  created: boolean;
}

/** Turns metric entries into Metric instances (registry names via core-losses' METRICS). */
export function resolveMetrics(entries: readonly MetricEntry[] = []): ResolvedMetric[] {
  const names = new Set<string>();
  return entries.map((e) => {
    const entry = typeof e === 'string' ? { metric: e } : e;
    const metric = typeof entry.metric === 'string' ? getMetric(entry.metric).create(entry.options ?? {}) : entry.metric;
    const name = entry.name ?? (typeof entry.metric === 'string' ? entry.metric : metric.name);
    if (names.has(name)) throw new ValueError(`fit(validation): metric name '${name}' is used twice.`);
    names.add(name);
    return { name, metric, output: entry.output, target: entry.target, created: typeof entry.metric === 'string' };
  });
}

/** Labelled loss terms from `FitArgs.loss` (a function becomes the single term 'loss'). */
export function labelledTerms(loss: LossTerm[] | LossFunction, taken?: Set<string>): ResolvedTerm[] {
  if (typeof loss === 'function') return resolveTerms([{ name: 'loss', loss }], 'fit(loss)', taken);
  if (!Array.isArray(loss)) throw new ValueError("fit: option 'loss' must be an array of terms or a loss function.");
  return resolveTerms(loss, 'fit(loss)', taken);
}

/** Any data source as a Dataset. */
export function toDataset(source: DataSource, what: string): Dataset<DataElement> {
  if (source instanceof Dataset) return source;
  if (Array.isArray(source)) return Dataset.fromArray(source as DataElement[]);
  throw new ValueError(`${what} must be a Dataset or an array of batches.`);
}

/** A stream element as a Batch (collating sample arrays); the caller owns the result. */
export function toBatch(el: DataElement, what: string): Batch {
  if (Array.isArray(el)) return collate(el);
  const x = (el as Batch | undefined)?.x;
  const isTensors =
    x instanceof tf.Tensor ||
    (Array.isArray(x) && x.every((t) => t instanceof tf.Tensor)) ||
    (x !== null && typeof x === 'object' && !Array.isArray(x) && Object.values(x).every((t) => t instanceof tf.Tensor));
  if (!isTensors) {
    throw new DataError(`${what}: elements must be batches ({ x: tensors, y?, ids? }) or arrays of samples; call .batch(n) on a dataset of samples.`);
  }
  return el as Batch;
}

/** A term context for one forward pass. */
export function termContext(batch: Batch, outputs: readonly tf.Tensor[], outputNames: readonly string[]): TermContext {
  return { batch, outputs, outputNames, output: (ref) => pickOutput(outputs, outputNames, ref, 'term') };
}

/**
 * Evaluates an adapted model on a data source: loss terms (averaged over samples, weighted by batch size)
 * and metrics (accumulated over every batch). Keys: `loss`, `loss/<term>`, `<metric>`; with `prefix`
 * 'val/' they become `val/loss`, … Batches are disposed.
 */
export async function evaluateAdapter(
  adapter: ModelAdapter,
  source: DataSource,
  terms: readonly ResolvedTerm[],
  metrics: readonly ResolvedMetric[],
  options: { seed?: number; epoch?: number; prefix?: string } = {},
): Promise<Logs> {
  const ds = toDataset(source, 'evaluate: data');
  const sums = new Map<string, number>();
  let rows = 0;
  for (const m of metrics) m.metric.reset();
  const it = ds.iterate({ epoch: options.epoch ?? 0, seed: options.seed ?? 0 });
  for (let r = await it.next(); !r.done; r = await it.next()) {
    const batch = toBatch(r.value, 'evaluate: data');
    try {
      const n = batchSize(batch);
      const values = tf.tidy(() => {
        const { outputs } = adapter.forward(batch.x, false);
        const ctx = termContext(batch, outputs, adapter.outputNames);
        const termValues = terms.map((t) => t.compute(ctx));
        for (const m of metrics) {
          const yPred = pickOutput(outputs, adapter.outputNames, m.output, `metric '${m.name}'`);
          m.metric.update(pickTarget(batch.y, m.target, m.output, adapter.outputNames, `metric '${m.name}'`), yPred);
        }
        return termValues.length > 0 ? tf.stack(termValues) : tf.zeros([0]);
      });
      const v = values.dataSync();
      values.dispose();
      terms.forEach((t, i) => sums.set(t.name, (sums.get(t.name) ?? 0) + v[i]! * n));
      rows += n;
    } finally {
      disposeBatch(batch);
    }
  }
  if (rows === 0) throw new DataError('evaluate: the data source yielded no batches.');
  const p = options.prefix ?? '';
  const logs: Logs = {};
  if (terms.length > 0) {
    let total = 0;
    for (const t of terms) {
      const mean = sums.get(t.name)! / rows;
      logs[`${p}loss/${t.name}`] = mean;
      total += t.weight * mean;
    }
    logs[`${p}loss`] = total;
  }
  for (const m of metrics) logs[`${p}${m.name}`] = m.metric.compute();
  return logs;
}

/** Options of {@link evaluate}. */
export interface EvaluateArgs {
  /** Loss terms to average (as in FitArgs.loss). Default none. */
  loss?: LossTerm[] | LossFunction;
  metrics?: MetricEntry[];
  /** Iteration seed and epoch of the data source. Default 0, 0. */
  seed?: number;
  epoch?: number;
}

/** Evaluates a model in inference mode on a data source; returns `loss`, `loss/<term>` and metric values. */
export async function evaluate(model: TrainModel, data: DataSource, args: EvaluateArgs = {}): Promise<Logs> {
  const adapter = adaptModel(model);
  const terms = args.loss ? labelledTerms(args.loss) : [];
  const metrics = resolveMetrics(args.metrics);
  try {
    const opts: { seed?: number; epoch?: number } = {};
    if (args.seed !== undefined) opts.seed = args.seed;
    if (args.epoch !== undefined) opts.epoch = args.epoch;
    return await evaluateAdapter(adapter, data, terms, metrics, opts);
  } finally {
    for (const m of metrics) if (m.created) m.metric.dispose();
  }
}
