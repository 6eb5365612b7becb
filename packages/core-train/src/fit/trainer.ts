import * as tf from '@tensorflow/tfjs';
import { METRICS, type MetricSpec } from '@lossworks/core-losses';
import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AtomicIo } from '../checkpoint/atomic.js';
import { fromRawTensor, readSafetensors, toRawTensor, writeSafetensors, type RawTensor } from '../checkpoint/safetensors.js';
import { disposeBatch, type Batch } from '../data/collate.js';
import type { Dataset } from '../data/dataset.js';
import { Rng, withRandom, type RngState } from '../data/random.js';
import { Distiller } from '../distill/distiller.js';
import type { HeadKind } from '../distill/heads.js';
import { CheckpointError, DataError, ValueError } from '../errors.js';
import { createOptimizer } from '../optimizers/index.js';
import { Optimizer, type OptimizerState, type ParamRef } from '../optimizers/optimizer.js';
import { createSchedule, type Schedule, type ScheduleConfig, type ScheduleState } from '../schedules/index.js';
import { Ema } from './ema.js';
import { evaluateAdapter, labelledTerms, resolveMetrics, termContext, toBatch, toDataset, type ResolvedMetric } from './evaluate.js';
import { adaptModel, checkParamShape, type ModelAdapter, type ModelParam, type TrainModel } from './model.js';
import { resolveTerms, type ResolvedTerm } from './terms.js';
import type { Callback, DataElement, DataSource, FitArgs, History, Logs, TrainContext } from './types.js';

/** Checkpoint metadata format name and version. */
const FORMAT = 'lossworks-checkpoint';
const VERSION = 1;

/** JSON with object keys sorted at every level (functions by name), for stable hashing. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === 'function') return `fn:${(v as { name?: string }).name || 'anonymous'}`;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

/** First 16 hex digits of the SHA-256 of a value's canonical JSON. */
export function hashConfig(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16);
}

/** The checkpoint with the highest step in `dir` (`*.safetensors` written by {@link Trainer.saveCheckpoint}), or undefined. */
export async function latestCheckpoint(dir: string): Promise<string | undefined> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const steps = names
    .map((n) => /^ckpt-(\d+)\.safetensors$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [Number(m[1]), m[0]] as const)
    .sort((a, b) => b[0] - a[0]);
  return steps[0] ? join(dir, steps[0][1]) : undefined;
}

interface Accum {
  sum: number;
  n: number;
}

interface CheckpointMeta {
  format: string;
  version: number;
  configHash: string;
  epoch: number;
  stepInEpoch: number;
  globalStep: number;
  optimizer: Omit<OptimizerState, 'slots'>;
  schedule: ScheduleState;
  rng: RngState;
  unlabelled: { epoch: number; index: number };
  ema: { updates: number } | null;
  heads: Record<string, HeadKind>;
  callbacks: Record<string, unknown>;
  epochAccum: Record<string, Accum>;
  history: History;
}

/** A stream read batch by batch with a resumable position (pass number and index in the pass). */
class Cursor {
  private it: AsyncIterator<DataElement> | null = null;

  constructor(
    private readonly ds: Dataset<DataElement>,
    private readonly seed: number,
    public pass: number,
    public index: number,
    private readonly what: string,
  ) {}

  /** Next element; a finished pass starts the next one (cycling) when `cycle`. */
  async next(cycle: boolean): Promise<DataElement | undefined> {
    for (let attempt = 0; attempt < 2; attempt++) {
      if (!this.it) {
        this.it = this.ds.iterate({ epoch: this.pass, seed: this.seed });
        for (let k = 0; k < this.index; k++) {
          // Fast-forward after a resume: elements are pulled in the same order and dropped.
          const r = await this.it.next();
          if (r.done) throw new DataError(`${this.what}: cannot resume at element ${this.index} of pass ${this.pass}; the pass has only ${k}.`);
          if (!Array.isArray(r.value)) disposeBatch(r.value);
        }
      }
      const r = await this.it.next();
      if (!r.done) {
        this.index++;
        return r.value;
      }
      if (!cycle) return undefined;
      this.pass++;
      this.index = 0;
      this.it = null;
      if (attempt === 1) break;
    }
    throw new DataError(`${this.what}: the stream is empty.`);
  }

  /** Closes the current pass (the next call of `next` starts pass `pass` at `index`). */
  async close(): Promise<void> {
    await this.it?.return?.();
    this.it = null;
  }
}

/**
 * The training engine behind `fit` (ORT TrainingSession's shape: `trainStep`, `evalStep`-like
 * `validate`, explicit optimizer state). Owns the optimizer state, schedule, EMA, projection heads and
 * RNG; `fit` drives it epoch by epoch. Use it directly for custom loops.
 */
export class Trainer implements TrainContext {
  readonly adapter: ModelAdapter;
  readonly optimizer: Optimizer;
  readonly schedule: Schedule;
  readonly ema: Ema | undefined;
  readonly distiller: Distiller | undefined;
  readonly configHash: string;
  readonly epochs: number;
  readonly maxSteps: number | undefined;
  readonly stepsPerEpoch: number | undefined;
  epoch = 0;
  stepInEpoch = 0;
  globalStep = 0;
  readonly history: History = { epoch: [], history: {}, steps: { step: [], history: {} }, stopReason: 'epochs' };
  private readonly ownsOptimizer: boolean;
  private readonly labelled: ResolvedTerm[];
  private readonly unlabelledTerms: ResolvedTerm[];
  private readonly metrics: ResolvedMetric[];
  private readonly rng: Rng;
  private readonly seed: number;
  private readonly callbacks: Callback[];
  private readonly data: Dataset<DataElement> | null;
  private readonly unlabelledData: Dataset<DataElement> | null;
  private readonly ratio: number;
  private readonly unlabelledWeight: number;
  private readonly clipNorm: number | undefined;
  private readonly stepHistoryEvery: number;
  private unlabelledPos = { epoch: 0, index: 0 };
  private epochAccum = new Map<string, Accum>();
  private stopMessage: string | undefined;
  private readonly termWeights = new Map<string, number>();

  constructor(
    readonly model: TrainModel,
    data: DataSource | null,
    private readonly args: FitArgs,
  ) {
    const fn = 'fit';
    this.adapter = adaptModel(model);
    this.seed = args.seed ?? 0;
    if (!Number.isInteger(this.seed)) throw new ValueError(`${fn}: option 'seed' must be an integer. Value: ${this.seed}.`);
    this.epochs = args.epochs ?? 1;
    if (!(Number.isInteger(this.epochs) && this.epochs >= 1)) throw new ValueError(`${fn}: option 'epochs' must be an integer ≥ 1. Value: ${this.epochs}.`);
    this.maxSteps = args.maxSteps;
    if (this.maxSteps !== undefined && !(Number.isInteger(this.maxSteps) && this.maxSteps >= 0)) {
      throw new ValueError(`${fn}: option 'maxSteps' must be an integer ≥ 0. Value: ${this.maxSteps}.`);
    }
    if (args.stepsPerEpoch !== undefined && !(Number.isInteger(args.stepsPerEpoch) && args.stepsPerEpoch >= 1)) {
      throw new ValueError(`${fn}: option 'stepsPerEpoch' must be an integer ≥ 1. Value: ${args.stepsPerEpoch}.`);
    }
    this.clipNorm = args.clipNorm;
    if (this.clipNorm !== undefined && !(this.clipNorm > 0)) throw new ValueError(`${fn}: option 'clipNorm' must be > 0. Value: ${this.clipNorm}.`);
    this.stepHistoryEvery = args.stepHistoryEvery ?? 1;
    if (!(Number.isInteger(this.stepHistoryEvery) && this.stepHistoryEvery >= 1)) {
      throw new ValueError(`${fn}: option 'stepHistoryEvery' must be an integer ≥ 1. Value: ${this.stepHistoryEvery}.`);
    }

    this.data = data === null || data === undefined ? null : toDataset(data, `${fn}: data`);
    const u = args.unlabelled;
    this.unlabelledData = u ? toDataset(u.data, `${fn}: unlabelled.data`) : null;
    if (!this.data && !this.unlabelledData) throw new ValueError(`${fn}: give 'data' (labelled batches) or 'unlabelled.data'.`);
    this.ratio = u?.ratio ?? 1;
    if (!(Number.isFinite(this.ratio) && this.ratio >= 0)) throw new ValueError(`${fn}: option 'unlabelled.ratio' must be ≥ 0. Value: ${this.ratio}.`);
    this.unlabelledWeight = u?.weight ?? 1;
    this.stepsPerEpoch = args.stepsPerEpoch ?? finite((this.data ?? this.unlabelledData)!.size);

    this.labelled = this.data ? labelledTerms(args.loss) : [];
    this.unlabelledTerms = resolveTerms(u?.loss ?? [], `${fn}(unlabelled.loss)`);
    for (const t of this.unlabelledTerms) {
      if (t.needsTarget) throw new ValueError(`${fn}: unlabelled term '${t.name}' needs targets; unlabelled terms use 'fn' (a function of the forward pass).`);
    }
    this.rng = new Rng(this.seed);
    this.distiller = args.distill ? new Distiller(args.distill, this.adapter, this.rng) : undefined;
    for (const t of this.labelled) this.termWeights.set(`loss/${t.name}`, t.weight);
    for (const t of this.unlabelledTerms) this.termWeights.set(`loss/unlabelled/${t.name}`, t.weight);
    for (const t of this.distiller?.terms ?? []) {
      for (const key of [`loss/${t.name}`, `loss/unlabelled/${t.name}`]) {
        if (this.termWeights.has(key)) throw new ValueError(`${fn}: distillation term '${t.name}' has the name of a loss term; names must be unique.`);
        this.termWeights.set(key, t.weight);
      }
    }
    this.metrics = resolveMetrics(args.validation?.metrics);
    this.callbacks = args.callbacks ?? [];

    const opt = args.optimizer;
    this.ownsOptimizer = !(opt instanceof Optimizer);
    this.optimizer = opt instanceof Optimizer ? opt : createOptimizer(opt);
    const sched = args.schedule;
    this.schedule = sched && 'lr' in sched && typeof sched.lr === 'function' ? (sched as Schedule) : createSchedule(sched as ScheduleConfig | undefined, this.optimizer.config.lr);
    this.ema = args.ema ? new Ema(this.modelParams(), args.ema) : undefined;

    this.configHash = hashConfig(
      args.config !== undefined
        ? { config: args.config }
        : {
            optimizer: { name: this.optimizer.name, ...this.optimizer.config },
            schedule: this.schedule.config,
            loss: this.labelled.map((t) => t.describe),
            unlabelled: u ? { loss: this.unlabelledTerms.map((t) => t.describe), ratio: this.ratio, weight: this.unlabelledWeight } : null,
            distill: this.distiller?.describe() ?? null,
            clipNorm: this.clipNorm ?? null,
            ema: args.ema ? { decay: args.ema.decay, warmup: args.ema.warmup ?? false } : null,
            seed: this.seed,
            params: this.adapter.params.map((p) => [p.key, p.variable.shape, p.trainable]),
          },
    );
  }

  /** The model's trainable parameters. */
  modelParams(): ModelParam[] {
    return this.adapter.params.filter((p) => p.trainable);
  }

  /** Everything the optimizer updates: the model's trainable parameters and the projection heads. */
  trainableParams(): ParamRef[] {
    return [...this.modelParams(), ...(this.distiller?.params() ?? [])];
  }

  stop(reason: string): void {
    this.stopMessage ??= reason;
  }

  /** Whether `stop` was called. */
  get stopped(): boolean {
    return this.stopMessage !== undefined;
  }

  directionOf(key: string): 'min' | 'max' | undefined {
    const base = key.startsWith('val/') ? key.slice(4) : key;
    if (base === 'loss' || base.startsWith('loss/')) return 'min';
    const m = this.metrics.find((x) => x.name === base);
    if (m) return m.metric.higherIsBetter ? 'max' : 'min';
    const spec = (METRICS as Record<string, MetricSpec>)[base];
    if (spec && Object.hasOwn(METRICS, base)) return spec.higherIsBetter ? 'max' : 'min';
    return undefined;
  }

  /**
   * One optimizer step on a labelled batch (or null) and any unlabelled batches: teacher targets, forward
   * and backward under a seeded `Math.random` (dropout), gradient clipping, the update, EMA, schedule.
   * Batches are not disposed here. Returns the step's logs.
   */
  async trainStep(lab: Batch | null, unl: readonly Batch[] = []): Promise<Logs> {
    const d = this.distiller;
    const labDistill = !!(lab && d?.streams.has('labelled'));
    const unlDistill = !!(d?.streams.has('unlabelled') && unl.length > 0);
    const teacherLab = labDistill ? await d!.teacherTargets(lab!) : null;
    const teacherUnl: tf.Tensor[][] = [];
    try {
      if (unlDistill) for (const b of unl) teacherUnl.push(await d!.teacherTargets(b));
      if (teacherLab) d!.ensureHeads(teacherLab, lab!.x);
      teacherUnl.forEach((t, i) => d!.ensureHeads(t, unl[i]!.x));
      return this.step(lab, unl, teacherLab, teacherUnl);
    } finally {
      if (teacherLab) tf.dispose(teacherLab);
      tf.dispose(teacherUnl.flat());
    }
  }

  private step(lab: Batch | null, unl: readonly Batch[], teacherLab: tf.Tensor[] | null, teacherUnl: tf.Tensor[][]): Logs {
    const d = this.distiller;
    const taps = d?.studentTaps ?? [];
    const params = this.trainableParams();
    const keyOf = new Map(params.map((p) => [p.variable.name, p.key]));
    const lr = this.schedule.lr();
    const kept = new Map<string, tf.Scalar>();
    const weightOf = (key: string): number => this.termWeights.get(key) ?? 1;

    const lossFn = (): tf.Scalar => {
      const parts: tf.Scalar[] = [];
      const add = (key: string, v: tf.Scalar, scale = 1): void => {
        kept.set(key, v);
        parts.push(tf.mul(v, weightOf(key) * scale));
      };
      if (lab) {
        const fw = this.adapter.forward(lab.x, true, teacherLab ? taps : []);
        const ctx = termContext(lab, fw.outputs, this.adapter.outputNames);
        for (const t of this.labelled) add(`loss/${t.name}`, t.compute(ctx) as tf.Scalar);
        if (teacherLab) for (const [name, v] of d!.compute(fw.taps, teacherLab)) add(`loss/${name}`, v);
      }
      if (unl.length > 0) {
        const sums = new Map<string, tf.Scalar[]>();
        const push = (k: string, v: tf.Scalar): void => void (sums.get(k) ?? sums.set(k, []).get(k)!).push(v);
        unl.forEach((b, i) => {
          const fw = this.adapter.forward(b.x, true, teacherUnl[i] ? taps : []);
          const ctx = termContext(b, fw.outputs, this.adapter.outputNames);
          for (const t of this.unlabelledTerms) push(`loss/unlabelled/${t.name}`, t.compute(ctx) as tf.Scalar);
          if (teacherUnl[i]) for (const [name, v] of d!.compute(fw.taps, teacherUnl[i]!)) push(`loss/unlabelled/${name}`, v);
        });
        for (const [k, vs] of sums) add(k, tf.div(tf.addN(vs), vs.length) as tf.Scalar, this.unlabelledWeight);
      }
      const regs = this.adapter.regularization();
      if (regs.length > 0) add('loss/regularization', tf.addN(regs) as tf.Scalar);
      if (parts.length === 0) throw new ValueError('fit: this step has no loss terms (no labelled batch and no unlabelled terms).');
      for (const [k, v] of kept) kept.set(k, tf.keep(v));
      return tf.addN(parts) as tf.Scalar;
    };

    const { value, grads } = withRandom(this.rng, () =>
      tf.variableGrads(
        lossFn,
        params.map((p) => p.variable),
      ),
    );
    let gradNorm: tf.Scalar | null = null;
    const byKey = new Map<string, tf.Tensor>();
    try {
      for (const [name, g] of Object.entries(grads)) byKey.set(keyOf.get(name)!, g);
      if (this.clipNorm !== undefined) {
        const max = this.clipNorm;
        const clipped = tf.tidy(() => {
          const gs = [...byKey.values()];
          const norm = tf.sqrt(tf.addN(gs.map((g) => tf.sum(tf.square(g))))) as tf.Scalar;
          // torch clip_grad_norm_: coef = max / (norm + 1e-6), clamped at 1.
          const coef = tf.minimum(tf.div(max, tf.add(norm, 1e-6)), 1);
          return { norm, gs: gs.map((g) => tf.mul(g, coef)) };
        });
        gradNorm = clipped.norm;
        const keys = [...byKey.keys()];
        tf.dispose([...byKey.values()]);
        keys.forEach((k, i) => byKey.set(k, clipped.gs[i]!));
      }
      this.optimizer.applyGradients(params, byKey, lr);
    } finally {
      tf.dispose([...byKey.values()]);
    }
    this.ema?.update();
    this.schedule.afterStep();
    this.globalStep++;

    const keys = [...kept.keys()];
    const all = [value, ...keys.map((k) => kept.get(k)!), ...(gradNorm ? [gradNorm] : [])];
    const packed = tf.stack(all);
    const v = packed.dataSync();
    tf.dispose([packed, ...all]);
    const logs: Logs = { loss: v[0]! };
    keys.forEach((k, i) => (logs[k] = v[i + 1]!));
    logs.lr = lr;
    if (gradNorm) logs.gradNorm = v[keys.length + 1]!;
    if (!Number.isFinite(logs.loss!)) this.stop(`non-finite loss ${logs.loss} at step ${this.globalStep}`);
    return logs;
  }

  /** Runs validation (EMA weights swapped in when enabled); returns `val/…` logs. */
  async validate(): Promise<Logs> {
    const v = this.args.validation;
    if (!v) return {};
    const useEma = this.ema && (this.args.ema?.validate ?? true);
    if (useEma) this.ema!.swapIn();
    try {
      return await evaluateAdapter(this.adapter, v.data, this.labelled, this.metrics, { seed: this.seed, epoch: 0, prefix: 'val/' });
    } finally {
      if (useEma) this.ema!.swapOut();
    }
  }

  private record(target: Record<string, number[]>, count: number, logs: Logs): void {
    for (const [k, val] of Object.entries(logs)) {
      target[k] ??= Array<number>(count).fill(Number.NaN);
      target[k].push(val);
    }
    for (const arr of Object.values(target)) if (arr.length < count + 1) arr.push(Number.NaN);
  }

  private async emit<K extends keyof Callback>(hook: K, ...rest: unknown[]): Promise<void> {
    for (const cb of this.callbacks) {
      const f = cb[hook] as ((...a: unknown[]) => unknown) | undefined;
      if (typeof f === 'function') await f.call(cb, ...rest, this);
    }
  }

  /** Runs the whole training (what `fit` calls after an optional resume). */
  async run(): Promise<History> {
    const primary = this.data ?? this.unlabelledData!;
    const primaryIsLabelled = this.data !== null;
    const secondary = primaryIsLabelled && this.unlabelledData && this.ratio > 0 ? this.unlabelledData : null;
    const uCursor = secondary ? new Cursor(secondary, this.seed, this.unlabelledPos.epoch, this.unlabelledPos.index, 'fit: unlabelled.data') : null;
    let lastLogs: Logs = {};
    await this.emit('onTrainBegin');
    try {
      while (this.epoch < this.epochs && !this.stopped && !this.atMaxSteps()) {
        const cursor = new Cursor(primary, this.seed, this.epoch, this.stepInEpoch, 'fit: data');
        if (this.stepInEpoch === 0) await this.emit('onEpochBegin', this.epoch);
        let ended = false;
        try {
          while (!this.stopped && !this.atMaxSteps()) {
            if (this.args.stepsPerEpoch !== undefined && this.stepInEpoch >= this.args.stepsPerEpoch) {
              ended = true;
              break;
            }
            const el = await cursor.next(false);
            if (el === undefined) {
              ended = true;
              break;
            }
            const main = toBatch(el, 'fit: data');
            const extra: Batch[] = [];
            try {
              if (uCursor) {
                const s = this.globalStep;
                const k = Math.floor((s + 1) * this.ratio) - Math.floor(s * this.ratio);
                for (let i = 0; i < k; i++) extra.push(toBatch((await uCursor.next(true))!, 'fit: unlabelled.data'));
              }
              const logs = primaryIsLabelled ? await this.trainStep(main, extra) : await this.trainStep(null, [main]);
              this.stepInEpoch++;
              if (uCursor) this.unlabelledPos = { epoch: uCursor.pass, index: uCursor.index };
              for (const [k, val] of Object.entries(logs)) {
                const a = this.epochAccum.get(k) ?? { sum: 0, n: 0 };
                a.sum += val;
                a.n++;
                this.epochAccum.set(k, a);
              }
              if ((this.globalStep - 1) % this.stepHistoryEvery === 0) {
                this.record(this.history.steps.history, this.history.steps.step.length, logs);
                this.history.steps.step.push(this.globalStep);
              }
              lastLogs = logs;
              await this.emit('onBatchEnd', this.globalStep, logs);
            } finally {
              disposeBatch(main);
              extra.forEach(disposeBatch);
            }
          }
        } finally {
          await cursor.close();
        }
        if (!ended) break; // stopped or maxSteps mid-epoch: no epoch end (a resume continues this epoch)
        if (this.stepInEpoch === 0) throw new DataError(`fit: epoch ${this.epoch} had no batches.`);
        lastLogs = await this.endEpoch();
      }
    } finally {
      await uCursor?.close();
    }
    this.history.stopReason = this.stopped ? 'stopped' : this.atMaxSteps() && this.epoch < this.epochs ? 'maxSteps' : 'epochs';
    if (this.stopMessage !== undefined) this.history.stopMessage = this.stopMessage;
    await this.emit('onTrainEnd', lastLogs);
    if (this.ema && (this.args.ema?.applyAtEnd ?? true)) this.ema.apply();
    return this.history;
  }

  private atMaxSteps(): boolean {
    return this.maxSteps !== undefined && this.globalStep >= this.maxSteps;
  }

  private async endEpoch(): Promise<Logs> {
    const logs: Logs = {};
    for (const [k, a] of this.epochAccum) logs[k] = a.sum / a.n;
    const every = this.args.validation?.every ?? 1;
    if (this.args.validation && ((this.epoch + 1) % every === 0 || this.epoch + 1 === this.epochs)) Object.assign(logs, await this.validate());
    const plateau = this.schedule.config.name === 'plateau';
    const monitor = plateau ? ((this.schedule.config as { monitor?: string }).monitor ?? (this.args.validation ? 'val/loss' : 'loss')) : undefined;
    if (monitor !== undefined && !(monitor in logs)) {
      throw new ValueError(`fit: the plateau schedule monitors '${monitor}', which epoch ${this.epoch} did not log (logged: ${Object.keys(logs).join(', ')}).`);
    }
    this.schedule.afterEpoch(monitor === undefined ? undefined : logs[monitor]);
    this.record(this.history.history, this.history.epoch.length, logs);
    this.history.epoch.push(this.epoch);
    const epoch = this.epoch;
    this.epoch++;
    this.stepInEpoch = 0;
    this.epochAccum = new Map();
    await this.emit('onEpochEnd', epoch, logs);
    return logs;
  }

  snapshotWeights(): Map<string, tf.Tensor> {
    return new Map(this.adapter.params.map((p) => [p.key, tf.clone(p.variable)]));
  }

  restoreWeights(weights: ReadonlyMap<string, tf.Tensor>): void {
    for (const p of this.adapter.params) {
      const w = weights.get(p.key);
      if (w) p.variable.assign(w);
    }
  }

  async saveCheckpoint(path: string, io?: AtomicIo): Promise<void> {
    const tensors: Record<string, RawTensor> = {};
    for (const p of this.adapter.params) tensors[p.key] = await toRawTensor(p.variable);
    for (const p of this.distiller?.params() ?? []) tensors[p.key] = await toRawTensor(p.variable);
    const opt = this.optimizer.getState();
    for (const [k, t] of Object.entries(opt.slots)) tensors[`optimizer/${k}`] = await toRawTensor(t);
    if (this.ema) for (const [k, t] of Object.entries(this.ema.tensors())) tensors[`ema/${k}`] = await toRawTensor(t);
    const callbacks: Record<string, unknown> = {};
    for (const cb of this.callbacks) if (cb.stateKey && cb.getState) callbacks[cb.stateKey] = cb.getState();
    const meta: CheckpointMeta = {
      format: FORMAT,
      version: VERSION,
      configHash: this.configHash,
      epoch: this.epoch,
      stepInEpoch: this.stepInEpoch,
      globalStep: this.globalStep,
      optimizer: { name: opt.name, config: opt.config, steps: opt.steps },
      schedule: this.schedule.getState(),
      rng: this.rng.getState(),
      unlabelled: this.unlabelledPos,
      ema: this.ema ? { updates: this.ema.updates } : null,
      heads: this.distiller?.headKinds() ?? {},
      callbacks,
      epochAccum: Object.fromEntries(this.epochAccum),
      history: this.history,
    };
    // NaN is not JSON: history gaps are written as null and read back as NaN.
    await writeSafetensors(path, tensors, { format: 'lossworks', lossworks: JSON.stringify(meta) }, io);
  }

  /**
   * Restores everything {@link Trainer.saveCheckpoint} wrote. A checkpoint of another configuration (its
   * config hash differs), a damaged file, or missing/mis-shaped weights throw CheckpointError naming the file.
   */
  async loadCheckpoint(path: string): Promise<void> {
    const file = await readSafetensors(path);
    let meta: CheckpointMeta;
    try {
      meta = JSON.parse(file.metadata.lossworks ?? 'null') as CheckpointMeta;
    } catch (err) {
      throw new CheckpointError(`resume: '${path}' has unreadable lossworks metadata: ${(err as Error).message}`, { cause: err });
    }
    if (!meta || meta.format !== FORMAT) throw new CheckpointError(`resume: '${path}' is not a lossworks checkpoint (no '${FORMAT}' metadata).`);
    if (meta.version !== VERSION) throw new CheckpointError(`resume: '${path}' is checkpoint format version ${meta.version}; this version reads ${VERSION}.`);
    if (meta.configHash !== this.configHash) {
      throw new CheckpointError(
        `resume: '${path}' was written by another configuration (checkpoint config hash ${meta.configHash}, this run ${this.configHash}); ` +
          'resume with the same optimizer, schedule, loss terms, distillation, seed and model, or start a new run.',
      );
    }
    const tensors: Record<string, tf.Tensor> = {};
    try {
      for (const [k, raw] of Object.entries(file.tensors)) tensors[k] = fromRawTensor(raw, k);
      for (const p of this.adapter.params) {
        const t = tensors[p.key];
        if (!t) throw new CheckpointError(`resume: '${path}' has no weights for '${p.key}'.`);
        try {
          checkParamShape(p.key, p.variable.shape, t.shape, `resume('${path}')`);
        } catch (err) {
          throw new CheckpointError((err as Error).message, { cause: err });
        }
      }
      for (const p of this.adapter.params) p.variable.assign(tensors[p.key]!);
      if (this.distiller) this.distiller.loadHeads(meta.heads, tensors);
      const slots: Record<string, tf.Tensor> = {};
      for (const [k, t] of Object.entries(tensors)) if (k.startsWith('optimizer/')) slots[k.slice('optimizer/'.length)] = t;
      this.optimizer.setState({ ...meta.optimizer, slots });
      if (this.ema) {
        const ema: Record<string, tf.Tensor> = {};
        for (const [k, t] of Object.entries(tensors)) if (k.startsWith('ema/')) ema[k.slice(4)] = t;
        this.ema.load(ema, meta.ema?.updates ?? 0, path);
      }
    } finally {
      tf.dispose(Object.values(tensors));
    }
    this.schedule.setState(meta.schedule);
    this.rng.setState(meta.rng);
    this.epoch = meta.epoch;
    this.stepInEpoch = meta.stepInEpoch;
    this.globalStep = meta.globalStep;
    this.unlabelledPos = meta.unlabelled;
    this.epochAccum = new Map(Object.entries(meta.epochAccum));
    const nan = (o: Record<string, (number | null)[]>): Record<string, number[]> =>
      Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v.map((x) => (x === null ? Number.NaN : x))]));
    Object.assign(this.history, {
      epoch: meta.history.epoch,
      history: nan(meta.history.history),
      steps: { step: meta.history.steps.step, history: nan(meta.history.steps.history) },
    });
    for (const cb of this.callbacks) {
      if (cb.stateKey && cb.setState && meta.callbacks[cb.stateKey] !== undefined) cb.setState(meta.callbacks[cb.stateKey]);
    }
  }

  /** Resumes from a file, or from the latest checkpoint in a folder (a folder without one: fresh start). Returns the file used. */
  async resume(path: string): Promise<string | undefined> {
    const info = await stat(path).catch(() => null);
    if (!info) throw new CheckpointError(`resume: '${path}' does not exist.`);
    const file = info.isDirectory() ? await latestCheckpoint(path) : path;
    if (file) await this.loadCheckpoint(file);
    return file;
  }

  /** Frees what the trainer created: optimizer state (when it built the optimizer), EMA shadows, projection heads. */
  dispose(): void {
    if (this.ownsOptimizer) this.optimizer.dispose();
    this.ema?.dispose();
    this.distiller?.dispose();
    for (const m of this.metrics) if (m.created) m.metric.dispose();
  }
}

function finite(n: number | undefined): number | undefined {
  return n !== undefined && Number.isFinite(n) ? n : undefined;
}
