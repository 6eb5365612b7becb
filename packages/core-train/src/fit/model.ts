import * as tf from '@tensorflow/tfjs';
import type { TensorField } from '../data/collate.js';
import { ShapeError, UnknownKeyError, ValueError } from '../errors.js';
import type { ParamRef } from '../optimizers/optimizer.js';

/**
 * A model written as a function (no tfjs-layers): its variables by stable name, and a forward pass.
 * `apply` may return one tensor, an array (outputs in order) or a record by name; with a record, every
 * entry is an output a loss term or a distillation tap can name (so intermediate features are just extra
 * entries). Checkpoint keys are `model.<name>`.
 */
export interface FunctionModel {
  variables: Record<string, tf.Variable>;
  apply(x: TensorField, options: { training: boolean }): tf.Tensor | tf.Tensor[] | Record<string, tf.Tensor>;
}

/** What `fit` trains: a tfjs-layers model (Sequential or functional, any number of outputs) or a {@link FunctionModel}. */
export type TrainModel = tf.LayersModel | FunctionModel;

/** A model parameter: stable key, variable, and whether the optimizer updates it. */
export interface ModelParam extends ParamRef {
  trainable: boolean;
}

/** One forward pass: outputs in order, and the requested taps by name. */
export interface ForwardResult {
  outputs: tf.Tensor[];
  taps: Record<string, tf.Tensor>;
}

/** Where a loss term or tap reads: an output index, an output name, or (tfjs-layers) a layer name. */
export type OutputRef = number | string;

/** The uniform view of a model that the trainer uses. */
export interface ModelAdapter {
  readonly kind: 'layers' | 'function';
  /** Every weight (trainable and not, e.g. batch-norm statistics), in a stable order. */
  readonly params: readonly ModelParam[];
  readonly outputNames: readonly string[];
  /** Runs the model; `taps` names outputs or layers whose values are also returned. */
  forward(x: TensorField, training: boolean, taps?: readonly OutputRef[]): ForwardResult;
  /** Static shape of a tap when the model knows it without running (tfjs-layers), else undefined. */
  staticShape(tap: OutputRef): (number | null)[] | undefined;
  /** Regularisation penalties of the last forward pass (tfjs-layers kernelRegularizer etc.). */
  regularization(): tf.Scalar[];
}

/** Whether `m` is a tfjs-layers model. */
export function isLayersModel(m: unknown): m is tf.LayersModel {
  return m instanceof tf.LayersModel;
}

function lastSegment(name: string): string {
  const cut = name.lastIndexOf('/');
  return cut >= 0 ? name.slice(cut + 1) : name;
}

function tapKey(t: OutputRef): string {
  return typeof t === 'number' ? `#${t}` : t;
}

class LayersAdapter implements ModelAdapter {
  readonly kind = 'layers';
  readonly params: ModelParam[];
  readonly outputNames: readonly string[];
  private readonly tapModels = new Map<string, tf.LayersModel>();

  constructor(private readonly model: tf.LayersModel) {
    // A Sequential model with an inputShape builds its inner model lazily (compile/fit); do it now.
    if (!model.built && model instanceof tf.Sequential && model.inputs?.length) model.build();
    if (!model.built || !model.inputs?.length) {
      throw new ValueError(`fit: the tfjs-layers model '${model.name}' is not built; give its first layer an inputShape (or call build()).`);
    }
    this.outputNames = model.outputNames;
    this.params = [];
    const used = new Set<string>();
    model.layers.forEach((layer, i) => {
      for (const w of layer.weights) {
        let key = `model.${i}.${lastSegment(w.originalName)}`;
        for (let k = 1; used.has(key); k++) key = `model.${i}.${lastSegment(w.originalName)}_${k}`;
        used.add(key);
        this.params.push({ key, variable: w.read() as tf.Variable, trainable: w.trainable });
      }
    });
  }

  private toInputs(x: TensorField): tf.Tensor | tf.Tensor[] {
    if (x instanceof tf.Tensor || Array.isArray(x)) return x;
    const names = this.model.inputNames;
    return names.map((n) => {
      const t = x[n];
      if (!t) throw new UnknownKeyError('model input', Object.keys(x).find((k) => !names.includes(k)) ?? n, names);
      return t;
    });
  }

  private resolve(tap: OutputRef): { output: number } | { layer: tf.SymbolicTensor } {
    if (typeof tap === 'number') {
      if (!(Number.isInteger(tap) && tap >= 0 && tap < this.outputNames.length)) {
        throw new ValueError(`fit: output index ${tap} is out of range; model '${this.model.name}' has ${this.outputNames.length} output(s).`);
      }
      return { output: tap };
    }
    const idx = this.outputNames.indexOf(tap);
    if (idx >= 0) return { output: idx };
    let layer: tf.layers.Layer;
    try {
      layer = this.model.getLayer(tap);
    } catch {
      throw new UnknownKeyError('output or layer', tap, [...this.outputNames, ...this.model.layers.map((l) => l.name)]);
    }
    const out = layer.output;
    if (Array.isArray(out)) throw new ValueError(`fit: layer '${tap}' has ${out.length} outputs; tap a single-output layer.`);
    return { layer: out };
  }

  forward(x: TensorField, training: boolean, taps: readonly OutputRef[] = []): ForwardResult {
    const inputs = this.toInputs(x);
    const layerTaps = taps.map((t) => [t, this.resolve(t)] as const).filter(([, r]) => 'layer' in r);
    let raw: tf.Tensor | tf.Tensor[];
    if (layerTaps.length === 0) raw = this.model.apply(inputs, { training }) as tf.Tensor | tf.Tensor[];
    else {
      const id = layerTaps.map(([t]) => tapKey(t)).join('\u0000');
      let sub = this.tapModels.get(id);
      if (!sub) {
        // A model over the same layers (same variables) with the tapped layers as extra outputs.
        sub = tf.model({ inputs: this.model.inputs, outputs: [...this.model.outputs, ...layerTaps.map(([, r]) => (r as { layer: tf.SymbolicTensor }).layer)] });
        this.tapModels.set(id, sub);
      }
      raw = sub.apply(inputs, { training }) as tf.Tensor | tf.Tensor[];
    }
    const all = Array.isArray(raw) ? raw : [raw];
    const outputs = all.slice(0, this.outputNames.length);
    const result: Record<string, tf.Tensor> = {};
    let extra = this.outputNames.length;
    for (const t of taps) {
      const r = this.resolve(t);
      result[tapKey(t)] = 'output' in r ? outputs[r.output]! : all[extra++]!;
    }
    return { outputs, taps: result };
  }

  staticShape(tap: OutputRef): (number | null)[] | undefined {
    const r = this.resolve(tap);
    const shape = 'output' in r ? this.model.outputs[r.output]!.shape : r.layer.shape;
    return [...shape];
  }

  regularization(): tf.Scalar[] {
    // Sequential reports no `losses` but its inner model's regularizers are in calculateLosses().
    return this.model.calculateLosses();
  }
}

class FunctionAdapter implements ModelAdapter {
  readonly kind = 'function';
  readonly params: ModelParam[];
  outputNames: readonly string[] = [];

  constructor(private readonly model: FunctionModel) {
    if (model.variables === null || typeof model.variables !== 'object' || typeof model.apply !== 'function') {
      throw new ValueError('fit: a function model needs `variables` (a record of tf.Variable) and `apply(x, { training })`.');
    }
    this.params = Object.entries(model.variables).map(([name, variable]) => {
      if (!(variable instanceof tf.Variable)) throw new ValueError(`fit: model variable '${name}' is not a tf.Variable.`);
      return { key: `model.${name}`, variable, trainable: variable.trainable };
    });
  }

  forward(x: TensorField, training: boolean, taps: readonly OutputRef[] = []): ForwardResult {
    const raw = this.model.apply(x, { training });
    let outputs: tf.Tensor[];
    let named: Record<string, tf.Tensor> = {};
    if (raw instanceof tf.Tensor) {
      outputs = [raw];
      this.outputNames = ['output'];
    } else if (Array.isArray(raw)) {
      outputs = raw;
      this.outputNames = raw.map((_, i) => `output_${i}`);
    } else {
      named = raw;
      outputs = Object.values(raw);
      this.outputNames = Object.keys(raw);
    }
    const result: Record<string, tf.Tensor> = {};
    for (const t of taps) {
      const v = typeof t === 'number' ? outputs[t] : (named[t] ?? outputs[this.outputNames.indexOf(t)]);
      if (!v) throw new UnknownKeyError('model output', String(t), this.outputNames);
      result[tapKey(t)] = v;
    }
    return { outputs, taps: result };
  }

  staticShape(): undefined {
    return undefined;
  }

  regularization(): tf.Scalar[] {
    return [];
  }
}

/** Wraps a model for the trainer (tfjs-layers or function style). */
export function adaptModel(model: TrainModel): ModelAdapter {
  return isLayersModel(model) ? new LayersAdapter(model) : new FunctionAdapter(model as FunctionModel);
}

/** The key a tap's tensor has in {@link ForwardResult.taps}. */
export function tapName(t: OutputRef): string {
  return tapKey(t);
}

/** Picks one output of a forward pass by index or name. */
export function pickOutput(outputs: readonly tf.Tensor[], names: readonly string[], ref: OutputRef | undefined, who: string): tf.Tensor {
  if (ref === undefined) {
    if (outputs.length !== 1) {
      throw new ValueError(`${who}: the model has ${outputs.length} outputs (${names.join(', ')}); name one with 'output'.`);
    }
    return outputs[0]!;
  }
  const i = typeof ref === 'number' ? ref : names.indexOf(ref);
  const t = outputs[i];
  if (!t) throw new UnknownKeyError('model output', String(ref), names);
  return t;
}

/** Picks the target for an output from a batch's `y` (one tensor, an array or a record). */
export function pickTarget(
  y: TensorField | undefined,
  ref: OutputRef | undefined,
  outputRef: OutputRef | undefined,
  names: readonly string[],
  who: string,
): tf.Tensor {
  if (y === undefined) throw new ValueError(`${who}: the batch has no targets 'y'.`);
  if (y instanceof tf.Tensor) return y;
  const r = ref ?? outputRef ?? 0;
  if (Array.isArray(y)) {
    const i = typeof r === 'number' ? r : names.indexOf(r);
    const t = y[i];
    if (!t) throw new ValueError(`${who}: target ${String(r)} is not among the batch's ${y.length} targets.`);
    return t;
  }
  const name = typeof r === 'number' ? names[r] : r;
  const t = name === undefined ? undefined : y[name];
  if (!t) throw new UnknownKeyError('target', String(name ?? r), Object.keys(y));
  return t;
}

/** Checks that every param in `loaded` matches the model's shape; throws ShapeError naming the key. */
export function checkParamShape(key: string, expected: readonly number[], actual: readonly number[], where: string): void {
  if (expected.length !== actual.length || expected.some((d, i) => d !== actual[i])) {
    throw new ShapeError(`${where}: '${key}' has shape [${actual.join(',')}] but the model needs [${expected.join(',')}].`, [...actual], [...expected]);
  }
}
