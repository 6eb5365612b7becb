// The graph under construction while a TF.js model is lowered to ONNX, and the layout bookkeeping that
// keeps NHWC↔NCHW transposes to the few places where they are really needed.
import { OnnxExportError } from '../errors.js';
import type { OnnxAttr, OnnxNode, OnnxTensor } from './proto.js';

/** A dimension: a size, or null where TF.js leaves it open (the batch). */
export type Dim = number | null;

/**
 * A tensor flowing through the graph. `shape` is the TF.js (logical) shape; the ONNX tensor `name`
 * holds it transposed by `perm` (physical axis k is logical axis perm[k]). Convolutions want channels
 * first, so their outputs keep a channels-first perm and the next layout-agnostic layers (activations,
 * batch norm, adds, pooling, ...) work on it as is: a Transpose is inserted only where a layer needs
 * the logical order (reshape, flatten, dense on a non-last axis, graph outputs).
 */
export interface Value {
  name: string;
  shape: Dim[];
  perm: number[];
  dtype: 'float32' | 'int32';
}

/** [0, 1, ..., rank − 1]. */
export function identityPerm(rank: number): number[] {
  return Array.from({ length: rank }, (_, i) => i);
}

/** The perm that puts a channels-last tensor's channels at axis 1: [0, r−1, 1, ..., r−2]. */
export function channelsFirstPerm(rank: number): number[] {
  return [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)];
}

/** The inverse permutation. */
export function invertPerm(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

/** True for [0, 1, 2, ...]. */
export function isIdentityPerm(perm: readonly number[]): boolean {
  return perm.every((p, i) => p === i);
}

/** The shape of the ONNX tensor behind a value (its logical shape permuted). */
export function physicalShape(v: Value): Dim[] {
  return v.perm.map((a) => v.shape[a] as Dim);
}

/** Where logical axis `axis` sits in the ONNX tensor. */
export function physicalAxis(v: Value, axis: number): number {
  return v.perm.indexOf(axis);
}

/** Transposes a row-major array of `shape` by `perm` (output axis k is input axis perm[k]). */
export function transposeData(data: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  const rank = shape.length;
  if (isIdentityPerm(perm)) return Float32Array.from(data);
  const inStrides = new Array<number>(rank);
  let s = 1;
  for (let d = rank - 1; d >= 0; d--) {
    inStrides[d] = s;
    s *= shape[d] as number;
  }
  const outShape = perm.map((p) => shape[p] as number);
  const strideOf = perm.map((p) => inStrides[p] as number);
  const out = new Float32Array(data.length);
  const idx = new Array<number>(rank).fill(0);
  let src = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = data[src] as number;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      src += strideOf[d] as number;
      if (idx[d]! < (outShape[d] as number)) break;
      src -= (strideOf[d] as number) * (outShape[d] as number);
      idx[d] = 0;
    }
  }
  return out;
}

function sanitize(name: string): string {
  return name.replace(/[^A-Za-z0-9_./:-]/g, '_') || 't';
}

/** Collects nodes and initializers with unique names; layer lowerings call it. */
export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  /** Prefix for generated names (the layer being lowered). */
  prefix = '';
  private readonly used = new Set<string>();
  private readonly int64Cache = new Map<string, string>();
  private readonly layoutCache = new Map<string, Value>();

  /** Marks a name as taken (graph inputs and outputs). */
  reserve(name: string): void {
    if (this.used.has(name)) throw new OnnxExportError(`exportOnnx: duplicate tensor name '${name}'.`);
    this.used.add(name);
  }

  /** A new unique tensor name built from the current prefix and `base`. */
  fresh(base: string): string {
    const stem = sanitize(this.prefix ? `${this.prefix}/${base}` : base);
    let name = stem;
    for (let i = 1; this.used.has(name); i++) name = `${stem}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Adds a node with `outputs` fresh outputs and returns their names. */
  node(op: string, inputs: readonly string[], attrs: Record<string, OnnxAttr> = {}, outputs = 1, domain?: string): string[] {
    const outs = Array.from({ length: outputs }, (_, i) => this.fresh(outputs === 1 ? op : `${op}_${i}`));
    this.nodes.push({ op, inputs: [...inputs], outputs: outs, attrs, name: this.fresh(`${op}_node`), ...(domain ? { domain } : {}) });
    return outs;
  }

  /** Adds a single-output node and returns its output name. */
  op(op: string, inputs: readonly string[], attrs: Record<string, OnnxAttr> = {}): string {
    return this.node(op, inputs, attrs, 1)[0] as string;
  }

  /** A float32 initializer. */
  floats(data: Float32Array | readonly number[], dims: readonly number[], base = 'const'): string {
    const arr = data instanceof Float32Array ? data : Float32Array.from(data);
    const expected = dims.reduce((a, b) => a * b, 1);
    if (arr.length !== expected) {
      throw new OnnxExportError(`exportOnnx: constant '${base}' has ${arr.length} values but dims [${dims}] need ${expected}.`);
    }
    const name = this.fresh(base);
    this.initializers.push({ name, dims: [...dims], data: arr });
    return name;
  }

  /** A float32 scalar initializer (dims []). */
  scalar(value: number, base = 'scalar'): string {
    return this.floats([value], [], base);
  }

  /** A 1-D int64 initializer (shared between identical uses). */
  int64s(values: readonly (number | bigint)[], base = 'ints'): string {
    const key = values.join(',');
    const hit = this.int64Cache.get(key);
    if (hit) return hit;
    const saved = this.prefix;
    this.prefix = '';
    const name = this.fresh(`${base}_i64`);
    this.prefix = saved;
    this.initializers.push({ name, dims: [values.length], data: BigInt64Array.from(values.map((v) => BigInt(v))) });
    this.int64Cache.set(key, name);
    return name;
  }

  /** The same tensor in layout `perm` (a cached Transpose when it differs). */
  toPerm(v: Value, perm: readonly number[]): Value {
    if (v.perm.length !== perm.length) {
      throw new OnnxExportError(`exportOnnx: internal layout error: rank ${v.perm.length} value '${v.name}' asked for perm [${perm}].`);
    }
    if (v.perm.every((p, i) => p === perm[i])) return v;
    const key = `${v.name}|${perm.join(',')}`;
    const hit = this.layoutCache.get(key);
    if (hit) return hit;
    const inv = invertPerm(v.perm);
    const q = perm.map((a) => inv[a] as number);
    const saved = this.prefix;
    this.prefix = `${v.name}`;
    const name = this.node('Transpose', [v.name], { perm: { type: 'ints', value: q } })[0] as string;
    this.prefix = saved;
    const out: Value = { ...v, name, perm: [...perm] };
    this.layoutCache.set(key, out);
    return out;
  }

  /** The value in TF.js's own axis order. */
  logical(v: Value): Value {
    return this.toPerm(v, identityPerm(v.shape.length));
  }
}

/**
 * Peephole pass: a Transpose fed by another Transpose reads the first one's input with the composed
 * perm (an identity composition becomes an Identity), Identity nodes are bypassed, and nodes whose
 * outputs nobody reads are dropped. `keep` names the graph outputs.
 */
export function simplifyGraph(nodes: readonly OnnxNode[], keep: readonly string[]): OnnxNode[] {
  const permOf = (n: OnnxNode): number[] => {
    const a = n.attrs?.['perm'];
    return a && a.type === 'ints' ? [...a.value] : [];
  };
  const out: OnnxNode[] = nodes.map((n) => ({ ...n, inputs: [...n.inputs] }));
  const byOutput = new Map<string, OnnxNode>();
  for (const n of out) for (const o of n.outputs) byOutput.set(o, n);
  // Compose Transpose→Transpose.
  for (const n of out) {
    if (n.op !== 'Transpose') continue;
    const src = byOutput.get(n.inputs[0] as string);
    if (!src || src.op !== 'Transpose') continue;
    const pa = permOf(src);
    const pb = permOf(n);
    const composed = pb.map((k) => pa[k] as number);
    (n as unknown as { inputs: string[] }).inputs = [src.inputs[0] as string];
    if (isIdentityPerm(composed)) {
      (n as { op: string }).op = 'Identity';
      (n as { attrs: Record<string, OnnxAttr> }).attrs = {};
    } else {
      (n as { attrs: Record<string, OnnxAttr> }).attrs = { perm: { type: 'ints', value: composed } };
    }
  }
  // Bypass Identity nodes whose output is not a graph output.
  const keepSet = new Set(keep);
  const alias = new Map<string, string>();
  const resolve = (name: string): string => {
    let n = name;
    while (alias.has(n)) n = alias.get(n) as string;
    return n;
  };
  for (const n of out) {
    if (n.op === 'Identity' && !keepSet.has(n.outputs[0] as string)) alias.set(n.outputs[0] as string, n.inputs[0] as string);
  }
  for (const n of out) (n as unknown as { inputs: string[] }).inputs = n.inputs.map((i) => (i === '' ? i : resolve(i)));
  // Dead-node elimination, walking backwards from the outputs.
  const needed = new Set(keep.map(resolve));
  const live: OnnxNode[] = [];
  for (let i = out.length - 1; i >= 0; i--) {
    const n = out[i] as OnnxNode;
    if (!n.outputs.some((o) => needed.has(o))) continue;
    if (n.op === 'Identity' && !n.outputs.some((o) => keepSet.has(o))) continue;
    live.push(n);
    for (const inp of n.inputs) if (inp) needed.add(inp);
  }
  return live.reverse();
}
