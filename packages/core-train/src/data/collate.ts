import * as tf from '@tensorflow/tfjs';
import { DataError } from '../errors.js';

/** Nested plain arrays of numbers (`[1, 2]`, `[[1, 2], [3, 4]]`, …). */
export type NestedNumbers = number | NestedNumbers[];

/** Flat values with an explicit per-sample shape (e.g. an image read from disk). */
export interface ShapedData {
  data: ArrayLike<number>;
  shape: number[];
}

/**
 * One sample's value: a number, nested arrays, a flat typed array (a vector), `{ data, shape }`, or a
 * tensor (stacked by `collate`, never disposed by it: the caller owns sample tensors).
 */
export type SampleValue = NestedNumbers | Float32Array | Int32Array | Uint8Array | ShapedData | tf.Tensor;

/**
 * A model input or target: one value, one per model input/output in order, or by input/output name. An
 * array of plain numbers is always one value; for several inputs put typed arrays, `{ data, shape }` or
 * tensors in the array, or use an object keyed by input name.
 */
export type SampleField = SampleValue | SampleValue[] | { [name: string]: SampleValue };

/** One training example: inputs `x`, optional targets `y`, and an `id` (needed by the distillation cache). */
export interface Sample {
  x: SampleField;
  y?: SampleField;
  id?: string | number;
}

/** Tensors for a model's inputs or targets: one, one per input/output in order, or by name. */
export type TensorField = tf.Tensor | tf.Tensor[] | { [name: string]: tf.Tensor };

/** A batch as `fit` consumes it: leading axis is the batch. `fit` disposes it after its step. */
export interface Batch {
  x: TensorField;
  y?: TensorField;
  /** One id per row (strings); required when a distillation teacher cache is used. */
  ids?: string[];
}

function isShaped(v: unknown): v is ShapedData {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 2 && 'data' in v && 'shape' in v && Array.isArray((v as ShapedData).shape);
}

/** A plain (nested) number array, or a number: always one value. */
function isPlainNumbers(v: unknown): v is NestedNumbers {
  return typeof v === 'number' || (Array.isArray(v) && (v.length === 0 || typeof v[0] === 'number' || Array.isArray(v[0])));
}

function isSingle(v: unknown): v is SampleValue {
  return (
    isPlainNumbers(v) ||
    v instanceof tf.Tensor ||
    v instanceof Float32Array ||
    v instanceof Int32Array ||
    v instanceof Uint8Array ||
    isShaped(v)
  );
}

function nestedShape(v: NestedNumbers): number[] {
  if (typeof v === 'number') return [];
  if (v.length === 0) return [0];
  const inner = nestedShape(v[0] as NestedNumbers);
  return [v.length, ...inner];
}

function flattenInto(v: NestedNumbers, out: number[]): void {
  if (typeof v === 'number') out.push(v);
  else for (const e of v) flattenInto(e, out);
}

/** Stacks one field's values of every sample into a tensor with a leading batch axis. */
function stackValues(values: SampleValue[], where: string): tf.Tensor {
  const first = values[0];
  if (first instanceof tf.Tensor) {
    if (!values.every((v) => v instanceof tf.Tensor)) throw new DataError(`collate: ${where} mixes tensors and plain values.`);
    return tf.stack(values as tf.Tensor[]);
  }
  let shape: number[];
  let dtype: 'float32' | 'int32' = 'float32';
  const parts: ArrayLike<number>[] = [];
  for (const [i, v] of values.entries()) {
    let s: number[];
    let data: ArrayLike<number>;
    if (typeof v === 'number') [s, data] = [[], [v]];
    else if (v instanceof Float32Array || v instanceof Int32Array || v instanceof Uint8Array) [s, data] = [[v.length], v];
    else if (isShaped(v)) [s, data] = [v.shape, v.data];
    else if (Array.isArray(v)) {
      const flat: number[] = [];
      flattenInto(v, flat);
      [s, data] = [nestedShape(v), flat];
    } else throw new DataError(`collate: ${where} of sample ${i} is not a number, array, typed array, {data, shape} or tensor.`);
    const expected = s.reduce((a, b) => a * b, 1);
    if (data.length !== expected) {
      throw new DataError(`collate: ${where} of sample ${i} has ${data.length} values for shape [${s.join(',')}] (ragged arrays?).`);
    }
    if (i === 0) {
      shape = s;
      if (v instanceof Int32Array) dtype = 'int32';
    } else if (s.join(',') !== shape!.join(',')) {
      throw new DataError(`collate: ${where} of sample ${i} has shape [${s.join(',')}] but sample 0 has [${shape!.join(',')}].`);
    }
    parts.push(data);
  }
  const size = shape!.reduce((a, b) => a * b, 1);
  const out = dtype === 'int32' ? new Int32Array(size * values.length) : new Float32Array(size * values.length);
  parts.forEach((p, i) => out.set(p, i * size));
  return tf.tensor(out, [values.length, ...shape!], dtype);
}

/**
 * One field (x or y) of every sample → tensors. An array of plain numbers is always one value; an array
 * of typed arrays, `{data, shape}` or tensors is one value per model input/output; a plain object is by name.
 */
function collateField(fields: SampleField[], where: string): TensorField {
  const first = fields[0];
  if (isSingle(first)) return stackValues(fields as SampleValue[], where);
  if (Array.isArray(first)) {
    const n = first.length;
    const out: tf.Tensor[] = [];
    try {
      for (let k = 0; k < n; k++) out.push(stackValues(fields.map((f) => (f as SampleValue[])[k] as SampleValue), `${where}[${k}]`));
    } catch (err) {
      tf.dispose(out);
      throw err;
    }
    return out;
  }
  const names = Object.keys(first as object);
  const out: Record<string, tf.Tensor> = {};
  try {
    for (const name of names) {
      out[name] = stackValues(
        fields.map((f) => (f as Record<string, SampleValue>)[name] as SampleValue),
        `${where}.${name}`,
      );
    }
  } catch (err) {
    tf.dispose(Object.values(out));
    throw err;
  }
  return out;
}

/**
 * Turns an array of {@link Sample}s into one {@link Batch}: each field is stacked along a new leading
 * axis (plain data → float32 tensors, Int32Array → int32); ids become strings. Multi-input samples use an
 * array of tensors-like values (`x: [image, mask]`) or an object by input name. Throws DataError on
 * ragged or mismatched samples. The caller owns the returned tensors.
 */
export function collate(samples: readonly Sample[]): Batch {
  if (samples.length === 0) throw new DataError('collate: cannot collate an empty list of samples.');
  const x = collateField(
    samples.map((s) => s.x),
    'x',
  );
  let y: TensorField | undefined;
  try {
    const withY = samples.filter((s) => s.y !== undefined).length;
    if (withY !== 0 && withY !== samples.length) throw new DataError(`collate: ${withY} of ${samples.length} samples have 'y'; all or none must.`);
    if (withY > 0) y = collateField(samples.map((s) => s.y as SampleField), 'y');
  } catch (err) {
    tf.dispose(x);
    throw err;
  }
  const batch: Batch = { x };
  if (y !== undefined) batch.y = y;
  if (samples.every((s) => s.id !== undefined)) batch.ids = samples.map((s) => String(s.id));
  return batch;
}

/** Whether a data element is a {@link Batch} (tensors) rather than an array of samples. */
export function isBatch(v: unknown): v is Batch {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && 'x' in v;
}

/** Number of rows in a batch (the leading dimension of its first input). */
export function batchSize(batch: Batch): number {
  const x = batch.x;
  const t = x instanceof tf.Tensor ? x : Array.isArray(x) ? x[0] : Object.values(x)[0];
  if (!t) throw new DataError('batchSize: the batch has no input tensors.');
  return t.shape[0] ?? 1;
}

/** Disposes every tensor of a batch. */
export function disposeBatch(batch: Batch): void {
  tf.dispose(batch.x as tf.TensorContainer);
  if (batch.y) tf.dispose(batch.y as tf.TensorContainer);
}
