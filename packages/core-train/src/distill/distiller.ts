import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { getLoss } from '@lossworks/core-losses';
import type { RawTensor } from '../checkpoint/safetensors.js';
import { batchSize, type Batch, type TensorField } from '../data/collate.js';
import type { Rng } from '../data/random.js';
import { DataError, ValueError } from '../errors.js';
import { tapName, type ModelAdapter, type OutputRef } from '../fit/model.js';
import { toScalar, type LossFunction } from '../fit/terms.js';
import type { ParamRef } from '../optimizers/optimizer.js';
import { TeacherCache, type TeacherCacheOptions } from './cache.js';
import { ProjectionHead, type HeadKind } from './heads.js';
import type { Teacher } from './teacher.js';

/** Which teacher and student outputs (or layers) are compared, and how widths are matched. */
export interface DistillTap {
  /** Tap name that terms refer to (and that heads are saved under). */
  name: string;
  /** Teacher output (index or name), or — tfjs-layers teacher — a layer name. */
  teacher: OutputRef;
  /** Student output (index or name), or — tfjs-layers student — a layer name. */
  student: OutputRef;
  /**
   * Projection head from student to teacher width: 'auto' (default) adds one when the last-axis widths
   * differ (conv1x1 for rank-4 features, dense otherwise); 'dense' / 'conv1x1' always add one; 'none' never.
   */
  project?: 'auto' | 'none' | HeadKind;
}

/** One distillation loss term: `loss(teacherTap, studentTap, options)`, logged as `loss/<name>`. */
export interface DistillTerm {
  name: string;
  /** Which tap it compares. */
  tap: string;
  /** A core-losses registry name (e.g. 'mse', 'feature_mse', 'kd_kl', 'infonce') or a function. */
  loss: string | LossFunction;
  /** Default 1. */
  weight?: number;
  options?: Record<string, unknown>;
}

/**
 * Knowledge distillation from a frozen teacher (torchdistill's config shape): taps pair teacher and
 * student outputs or layers, projection heads match widths, and `terms` are losses on the pairs.
 * Teacher outputs are computed outside the gradient tape and cached by sample id and teacher hash.
 */
export interface DistillSpec {
  teacher: Teacher;
  taps: DistillTap[];
  terms: DistillTerm[];
  /** Streams the terms apply to. Default: both (the labelled and the unlabelled stream, when present). */
  streams?: ('labelled' | 'unlabelled')[];
  /**
   * Teacher output cache (needs sample ids: `Sample.id` / `Batch.ids`). Default `{}`: in memory when
   * every batch has ids. `false` runs the teacher on every batch (needed with random augmentation).
   */
  cache?: TeacherCacheOptions | false;
}

interface ResolvedDistillTerm {
  name: string;
  tap: number;
  weight: number;
  fn: LossFunction;
  options: Record<string, unknown>;
  describe: Record<string, unknown>;
}

/** Runs the teacher (through the cache), owns the projection heads, and computes the distillation terms. */
export class Distiller {
  readonly terms: ResolvedDistillTerm[];
  readonly streams: ReadonlySet<'labelled' | 'unlabelled'>;
  private readonly heads = new Map<string, ProjectionHead>();
  private readonly cache: TeacherCache | null;

  constructor(
    private readonly spec: DistillSpec,
    private readonly student: ModelAdapter,
    private readonly rng: Rng,
  ) {
    const where = 'fit(distill)';
    if (!spec.teacher || typeof spec.teacher.run !== 'function') throw new ValueError(`${where}: 'teacher' must be a Teacher (tfjsTeacher or onnxTeacher).`);
    if (!Array.isArray(spec.taps) || spec.taps.length === 0) throw new ValueError(`${where}: 'taps' needs at least one tap.`);
    const tapNames = spec.taps.map((t) => t.name);
    if (new Set(tapNames).size !== tapNames.length) throw new ValueError(`${where}: tap names must be unique. Value: ${tapNames.join(', ')}.`);
    for (const t of spec.taps) {
      const p = t.project ?? 'auto';
      if (!['auto', 'none', 'dense', 'conv1x1'].includes(p)) throw new ValueError(`${where}: tap '${t.name}' has project '${p}'; use auto, none, dense or conv1x1.`);
    }
    if (!Array.isArray(spec.terms) || spec.terms.length === 0) throw new ValueError(`${where}: 'terms' needs at least one term.`);
    this.terms = spec.terms.map((term) => {
      const tap = tapNames.indexOf(term.tap);
      if (tap < 0) throw new ValueError(`${where}: term '${term.name}' names tap '${term.tap}'; taps are ${tapNames.join(', ')}.`);
      const weight = term.weight ?? 1;
      if (!Number.isFinite(weight)) throw new ValueError(`${where}: term '${term.name}' has a non-finite weight. Value: ${weight}.`);
      const fn = typeof term.loss === 'string' ? (getLoss(term.loss).fn as LossFunction) : term.loss;
      const options = term.options ?? {};
      const lossName = typeof term.loss === 'string' ? term.loss : `fn:${term.loss.name || 'anonymous'}`;
      return { name: term.name, tap, weight, fn, options, describe: { name: term.name, tap: term.tap, loss: lossName, weight, options } };
    });
    this.streams = new Set(spec.streams ?? ['labelled', 'unlabelled']);
    const namespace = createHash('sha256')
      .update(`${spec.teacher.hash}\n${JSON.stringify(spec.taps.map((t) => t.teacher))}`)
      .digest('hex')
      .slice(0, 24);
    this.cache = spec.cache === false ? null : new TeacherCache(namespace, spec.cache ?? {});
  }

  /** The student outputs/layers the trainer's forward pass must return. */
  get studentTaps(): OutputRef[] {
    return this.spec.taps.map((t) => t.student);
  }

  /** What the run's config hash records (teacher hash, taps, terms). */
  describe(): Record<string, unknown> {
    return {
      teacher: this.spec.teacher.hash,
      taps: this.spec.taps.map((t) => ({ name: t.name, teacher: t.teacher, student: t.student, project: t.project ?? 'auto' })),
      terms: this.terms.map((t) => t.describe),
      streams: [...this.streams].sort(),
    };
  }

  /**
   * Teacher outputs for a batch, one tensor per tap (caller owns them). With the cache, only rows whose
   * id is not cached are run through the teacher, and their outputs are stored.
   */
  async teacherTargets(batch: Batch): Promise<tf.Tensor[]> {
    const refs = this.spec.taps.map((t) => t.teacher);
    if (!this.cache) return this.spec.teacher.run(batch.x, refs);
    const ids = batch.ids;
    const n = batchSize(batch);
    if (!ids || ids.length !== n) {
      throw new DataError(
        `fit(distill): the teacher cache needs one id per sample (give each Sample an 'id', or Batch.ids); the batch has ${ids?.length ?? 0} id(s) for ${n} rows. Use distill.cache: false to run the teacher on every batch.`,
      );
    }
    const rows: (RawTensor[] | undefined)[] = [];
    for (const id of ids) rows.push(await this.cache.get(id, refs.length));
    const missing = rows.flatMap((r, i) => (r ? [] : [i]));
    if (missing.length > 0) {
      // Run each distinct missing id once.
      const firstOf = new Map<string, number>();
      for (const i of missing) if (!firstOf.has(ids[i]!)) firstOf.set(ids[i]!, i);
      const pick = [...firstOf.values()];
      const sub = gatherRows(batch.x, pick);
      let outs: tf.Tensor[];
      try {
        outs = await this.spec.teacher.run(sub, refs);
      } finally {
        tf.dispose(sub as tf.TensorContainer);
      }
      const perTap = await Promise.all(outs.map((t) => t.data()));
      const shapes = outs.map((t) => t.shape.slice(1));
      tf.dispose(outs);
      for (const [k, i] of pick.entries()) {
        const entry: RawTensor[] = perTap.map((data, j) => {
          const size = shapes[j]!.reduce((a, b) => a * b, 1);
          return { dtype: 'F32', shape: shapes[j]!, data: Float32Array.from((data as Float32Array).subarray(k * size, (k + 1) * size)) };
        });
        await this.cache.put(ids[i]!, entry);
        rows[i] = entry;
      }
      for (const i of missing) rows[i] ??= rows[firstOf.get(ids[i]!)!];
    }
    return refs.map((_, j) => {
      const shape = rows[0]![j]!.shape;
      const size = shape.reduce((a, b) => a * b, 1);
      const out = new Float32Array(size * n);
      rows.forEach((r, i) => out.set(r![j]!.data as Float32Array, i * size));
      return tf.tensor(out, [n, ...shape], 'float32');
    });
  }

  /** Creates missing projection heads once teacher and student widths are known (before the first step's tape). */
  ensureHeads(teacher: readonly tf.Tensor[], x: TensorField): void {
    let probe: Record<string, tf.Tensor> | null = null;
    const studentShape = (t: DistillTap): number[] => {
      const s = this.student.staticShape(t.student);
      if (s && s.every((d, i) => i === 0 || d !== null)) return s.map((d) => d ?? -1);
      // The model cannot say without running: one inference pass (outside any tape) gives the shapes.
      probe ??= tf.tidy(() => this.student.forward(x, false, this.studentTaps).taps);
      return probe[tapName(t.student)]!.shape;
    };
    try {
      this.spec.taps.forEach((t, j) => {
        const project = t.project ?? 'auto';
        if (project === 'none' || this.heads.has(t.name)) return;
        const ts = teacher[j]!.shape;
        const ss = studentShape(t);
        const [tw, sw] = [ts[ts.length - 1]!, ss[ss.length - 1]!];
        if (project === 'auto' && tw === sw) return;
        if (ts.length !== ss.length) {
          throw new ValueError(`fit(distill): tap '${t.name}' compares teacher rank ${ts.length} [${ts}] with student rank ${ss.length} [${ss}]; ranks must match.`);
        }
        const kind: HeadKind = project === 'auto' ? (ss.length === 4 ? 'conv1x1' : 'dense') : project;
        this.heads.set(t.name, new ProjectionHead(kind, sw, tw, this.rng));
      });
    } finally {
      if (probe) tf.dispose(Object.values(probe));
    }
  }

  /** Student tap → teacher width (through its head, if any). Call inside the tape. */
  project(tap: number, student: tf.Tensor): tf.Tensor {
    const head = this.heads.get(this.spec.taps[tap]!.name);
    return head ? head.apply(student) : student;
  }

  /** Every distillation term's value for one batch (scalars; call inside the tape). */
  compute(studentTaps: Record<string, tf.Tensor>, teacher: readonly tf.Tensor[]): Map<string, tf.Scalar> {
    const projected = this.spec.taps.map((t, j) => this.project(j, studentTaps[tapName(t.student)]!));
    const out = new Map<string, tf.Scalar>();
    for (const term of this.terms) out.set(term.name, toScalar(term.fn(teacher[term.tap]!, projected[term.tap]!, term.options)));
    return out;
  }

  /** The heads' variables as trainable parameters (`distill.<tap>.kernel|bias`). */
  params(): ParamRef[] {
    return [...this.heads.entries()].flatMap(([name, h]) => [
      { key: `distill.${name}.kernel`, variable: h.kernel },
      { key: `distill.${name}.bias`, variable: h.bias },
    ]);
  }

  /** Head kinds by tap (saved in checkpoint metadata). */
  headKinds(): Record<string, HeadKind> {
    return Object.fromEntries([...this.heads.entries()].map(([n, h]) => [n, h.kind]));
  }

  /** Recreates heads from a checkpoint (tensors are copied). */
  loadHeads(kinds: Record<string, HeadKind>, tensors: Record<string, tf.Tensor>): void {
    for (const h of this.heads.values()) h.dispose();
    this.heads.clear();
    for (const [name, kind] of Object.entries(kinds)) {
      const kernel = tensors[`distill.${name}.kernel`];
      const bias = tensors[`distill.${name}.bias`];
      if (!kernel || !bias) throw new ValueError(`Distiller.loadHeads: head '${name}' has no saved kernel/bias.`);
      const ks = kernel.shape;
      this.heads.set(name, new ProjectionHead(kind, ks[ks.length - 2]!, ks[ks.length - 1]!, { kernel, bias }));
    }
  }

  /** Frees the heads (the teacher belongs to the caller). */
  dispose(): void {
    for (const h of this.heads.values()) h.dispose();
    this.heads.clear();
  }
}

/** Rows `idx` of every tensor of a batch input (caller owns the result). */
function gatherRows(x: TensorField, idx: number[]): TensorField {
  return tf.tidy(() => {
    const i = tf.tensor1d(idx, 'int32');
    if (x instanceof tf.Tensor) return tf.gather(x, i);
    if (Array.isArray(x)) return x.map((t) => tf.gather(t, i));
    return Object.fromEntries(Object.entries(x).map(([k, t]) => [k, tf.gather(t, i)]));
  }) as TensorField;
}
