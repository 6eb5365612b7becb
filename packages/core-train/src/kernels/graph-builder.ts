// A small builder for the one-op ONNX graphs the kernels run: fresh value names, int64 constants and
// the i0…/o0… naming convention that OrtRuntime.run binds by position.
import { attr, DataType, type OnnxAttr, type OnnxModelSpec, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from '../onnx/proto.js';

/** Builds an {@link OnnxModelSpec} node by node; `op()` returns the name of the node's output. */
export class GraphBuilder {
  private readonly nodes: OnnxNode[] = [];
  private readonly inits: OnnxTensor[] = [];
  private readonly ins: OnnxValueInfo[] = [];
  private readonly outs: OnnxValueInfo[] = [];
  private readonly domainSet = new Set<string>();
  private readonly renamed = new Map<string, string>();
  private next = 0;

  /** Declares the next float32 (or `elemType`) input; returns its name (i0, i1, …). */
  input(dims: readonly number[], elemType: number = DataType.FLOAT): string {
    const name = `i${this.ins.length}`;
    this.ins.push({ name, dims, elemType: elemType as OnnxValueInfo['elemType'] });
    return name;
  }

  /** Marks `value` as the next graph output (o0, o1, …) with the given dims. */
  output(value: string, dims: readonly number[], elemType: number = DataType.FLOAT): void {
    const name = `o${this.outs.length}`;
    const src = this.renamed.get(value) ?? value;
    if (src === value && this.nodes.some((n) => n.outputs.includes(value))) {
      // Rename the producing node's output (and its uses) rather than adding an Identity copy.
      for (let k = 0; k < this.nodes.length; k++) {
        const n = this.nodes[k]!;
        this.nodes[k] = { ...n, inputs: n.inputs.map((v) => (v === value ? name : v)), outputs: n.outputs.map((v) => (v === value ? name : v)) };
      }
      this.renamed.set(value, name);
    } else {
      this.nodes.push({ op: 'Identity', inputs: [src], outputs: [name] });
    }
    this.outs.push({ name, dims, elemType: elemType as OnnxValueInfo['elemType'] });
  }

  /** Adds a node with one output; returns the output's name. */
  op(op: string, inputs: readonly string[], attrs: Record<string, OnnxAttr> = {}, domain?: string): string {
    const out = `v${this.next++}`;
    this.nodes.push({ op, inputs: inputs.map((v) => this.renamed.get(v) ?? v), outputs: [out], attrs, ...(domain ? { domain } : {}) });
    if (domain) this.domainSet.add(domain);
    return out;
  }

  /** An int64 constant (shapes, axes, pads, slice bounds). */
  i64(values: readonly number[]): string {
    const name = `c${this.next++}`;
    this.inits.push({ name, dims: [values.length], data: BigInt64Array.from(values.map((v) => BigInt(v))) });
    return name;
  }

  /** A float32 constant. */
  f32(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const name = `c${this.next++}`;
    this.inits.push({ name, dims, data: Float32Array.from(values) });
    return name;
  }

  /** `Transpose(x, perm)`, or `x` itself when perm is the identity. */
  transpose(x: string, perm: readonly number[]): string {
    return perm.every((p, i) => p === i) ? x : this.op('Transpose', [x], { perm: attr.ints(perm) });
  }

  /** `Reshape(x, shape)`. */
  reshape(x: string, shape: readonly number[]): string {
    return this.op('Reshape', [x, this.i64(shape)]);
  }

  /** `Slice(x, starts, ends, axes, steps)`. */
  slice(x: string, starts: readonly number[], ends: readonly number[], axes: readonly number[], steps?: readonly number[]): string {
    const ins = [x, this.i64(starts), this.i64(ends), this.i64(axes)];
    if (steps) ins.push(this.i64(steps));
    return this.op('Slice', ins);
  }

  /** Zero `Pad(x, pads)` with ONNX pads order [begin_0, …, begin_n, end_0, …, end_n]; `x` when all zero. */
  pad(x: string, pads: readonly number[]): string {
    return pads.every((p) => p === 0) ? x : this.op('Pad', [x, this.i64(pads)]);
  }

  /** The finished model and the custom domains its nodes use. */
  build(graphName: string): { spec: OnnxModelSpec; domains: string[] } {
    return {
      spec: { nodes: this.nodes, inputs: this.ins, outputs: this.outs, initializers: this.inits, graphName, opset: 17 },
      domains: [...this.domainSet],
    };
  }
}
