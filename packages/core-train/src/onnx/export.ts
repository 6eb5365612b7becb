// TF.js LayersModel → ONNX: walk the layer graph from the outputs back to the inputs, lower each layer
// call once (layers.ts), then tidy the graph and serialise it with protobufjs (proto.ts).
import type * as tf from '@tensorflow/tfjs';
import { OnnxExportError } from '../errors.js';
import { writeFileAtomic } from '../report/write-atomic.js';
import { GraphBuilder, identityPerm, simplifyGraph, type Dim, type Value } from './graph.js';
import { LOWERINGS, readWeight, type LoweringCall } from './layers.js';
import { DataType, encodeModel, type OnnxAttr, type OnnxTensor, type OnnxValueInfo } from './proto.js';

/**
 * What a custom lowering gets: a graph builder scoped to one layer call. Tensor names it receives and
 * returns are in TF.js's own (channels-last) axis order, with the shapes TF.js reports.
 */
export interface OnnxLoweringContext {
  /** The layer being exported. */
  readonly layer: tf.layers.Layer;
  /** TF.js input shapes of this call (null = batch or unknown). */
  readonly inputShapes: Dim[][];
  /** TF.js output shapes of this call; the lowering's outputs must have these shapes. */
  readonly outputShapes: Dim[][];
  /** Adds an ONNX node (default opset 17, domain '') and returns its `outputs` output names. */
  node(op: string, inputs: readonly string[], attrs?: Record<string, OnnxAttr>, outputs?: number, domain?: string): string[];
  /** Adds a single-output node and returns the output name. */
  op(op: string, inputs: readonly string[], attrs?: Record<string, OnnxAttr>): string;
  /** A float32 constant (initializer); `[]` dims for a scalar. */
  constant(data: Float32Array | readonly number[], dims: readonly number[]): string;
  /** A 1-D int64 constant (shapes, axes, pads for Reshape, Slice, Pad, Unsqueeze, ...). */
  int64(values: readonly number[]): string;
  /** One of the layer's weights by short name ('kernel', 'bias', ...), as a constant of its TF.js shape. */
  weight(shortName: string): string;
  /** Any TF.js tensor as a float32 constant of the same shape. */
  tensor(t: tf.Tensor): string;
}

/**
 * Lowers one call of a layer this exporter does not know. Gets the input tensor names and returns
 * the output name(s). Pass it as `customLayers[className]`, or give the layer class a method
 * `toOnnx(ctx, inputs)` with the same signature (`customLayers` wins when both exist). Inputs and
 * outputs are in TF.js axis order (NHWC); the exporter adds any layout transposes around the call.
 *
 * ```ts
 * // y = x·W + b followed by a scaled tanh, for `class ScaledTanhDense extends tf.layers.Layer`
 * const lowering: OnnxLayerLowering = (ctx, [x]) => {
 *   const y = ctx.op('Add', [ctx.op('MatMul', [x!, ctx.weight('kernel')]), ctx.weight('bias')]);
 *   return ctx.op('Mul', [ctx.op('Tanh', [y]), ctx.constant([2.5], [])]);
 * };
 * await exportOnnx(model, 'model.onnx', { customLayers: { ScaledTanhDense: lowering } });
 * ```
 *
 * Ops are ONNX opset 17 (`attr.int`, `attr.ints`, `attr.float`, `attr.string` build attributes;
 * opset-13+ forms: Reshape/Unsqueeze/Squeeze/Slice/Pad take shapes and axes as int64 inputs).
 */
export type OnnxLayerLowering = (ctx: OnnxLoweringContext, inputs: string[]) => string | string[];

/** Options of {@link exportOnnx} and {@link toOnnx}. */
export interface ExportOnnxOptions {
  /** Lowerings for custom layer classes, keyed by `getClassName()`; they win over built-in ones. */
  customLayers?: Record<string, OnnxLayerLowering>;
  /** A fixed batch size for every input and output; default a symbolic dim named 'batch'. */
  batchSize?: number;
  /** ONNX input names, in `model.inputs` order; default the TF.js input names. */
  inputNames?: readonly string[];
  /** ONNX output names, in `model.outputs` order; default the TF.js output layer names. */
  outputNames?: readonly string[];
  /** Stored as the model's doc_string. */
  docString?: string;
}

/** One graph input or output. */
export interface OnnxIoInfo {
  name: string;
  /** Sizes, with the batch (and any other open dim) as a symbolic name. */
  shape: Array<number | string>;
  dtype: 'float32' | 'int32';
}

/** A summary of an exported model. */
export interface OnnxModelInfo {
  inputs: OnnxIoInfo[];
  outputs: OnnxIoInfo[];
  /** Node count after simplification. */
  nodeCount: number;
  /** How many nodes of each op type. */
  ops: Record<string, number>;
  /** Float parameters stored as initializers. */
  parameters: number;
  /** Size of the serialised model. */
  bytes: number;
}

/** {@link toOnnx}'s result: the serialised model and its summary. */
export interface OnnxBuild extends OnnxModelInfo {
  model: Uint8Array;
}

/** {@link exportOnnx}'s result: where the file went and a summary of it. */
export interface OnnxExportResult extends OnnxModelInfo {
  path: string;
}

interface SymbolicTensorLike {
  id: number;
  name: string;
  shape: Dim[];
  dtype: string;
  sourceLayer: LayerLike;
  nodeIndex: number;
  tensorIndex: number;
}

interface NodeLike {
  inputTensors: SymbolicTensorLike[];
  outputTensors: SymbolicTensorLike[];
  inputMasks?: unknown[];
}

type LayerLike = tf.layers.Layer & { inboundNodes: NodeLike[] };

interface ModelLike {
  name: string;
  inputs: SymbolicTensorLike[];
  outputs: SymbolicTensorLike[];
  inputNames?: string[];
  outputNames?: string[];
}

function isModel(layer: unknown): layer is ModelLike & LayerLike {
  const m = layer as Partial<ModelLike> & { layers?: unknown };
  return Array.isArray(m.layers) && Array.isArray(m.inputs) && Array.isArray(m.outputs);
}

function describe(layer: tf.layers.Layer): string {
  return `layer '${layer.name}' (${layer.getClassName()})`;
}

class Exporter {
  readonly g = new GraphBuilder();
  constructor(private readonly options: ExportOnnxOptions) {}

  /** Lowers `model` with its inputs bound to `inputs`; returns its outputs. */
  lowerModel(model: ModelLike, inputs: Value[]): Value[] {
    const bound = new Map<number, Value>();
    model.inputs.forEach((st, i) => bound.set(st.id, inputs[i] as Value));
    const done = new Map<NodeLike, Value[]>();
    const valueOf = (st: SymbolicTensorLike): Value => {
      const hit = bound.get(st.id);
      if (hit) return hit;
      const layer = st.sourceLayer;
      const node = layer.inboundNodes[st.nodeIndex];
      if (!node || layer.getClassName() === 'InputLayer') {
        throw new OnnxExportError(`exportOnnx: tensor '${st.name}' of model '${model.name}' is not computed from the model's inputs.`);
      }
      let outs = done.get(node);
      if (!outs) {
        const ins = node.inputTensors.map(valueOf);
        if (node.inputMasks?.some((m) => m != null)) {
          throw new OnnxExportError(`exportOnnx: ${describe(layer)}: masked inputs (Masking, maskZero) are not supported.`);
        }
        outs = this.lowerLayer(layer, ins, node.outputTensors.map((t) => t.shape));
        done.set(node, outs);
      }
      const v = outs[st.tensorIndex];
      if (!v) throw new OnnxExportError(`exportOnnx: ${describe(layer)}: output ${st.tensorIndex} was not produced.`);
      return v;
    };
    return model.outputs.map(valueOf);
  }

  lowerLayer(layer: tf.layers.Layer, inputs: Value[], outShapes: Dim[][]): Value[] {
    const className = layer.getClassName();
    const where = describe(layer);
    const saved = this.g.prefix;
    this.g.prefix = layer.name;
    try {
      const custom = this.options.customLayers?.[className];
      const method = (layer as unknown as { toOnnx?: OnnxLayerLowering }).toOnnx;
      let outs: Value[];
      if (custom) outs = this.lowerCustom(layer, custom, inputs, outShapes);
      else if (isModel(layer)) outs = this.lowerModel(layer, inputs);
      else if (typeof method === 'function') outs = this.lowerCustom(layer, method.bind(layer), inputs, outShapes);
      else {
        const lowering = LOWERINGS[className];
        if (!lowering) {
          throw new OnnxExportError(
            `exportOnnx: ${where} is not supported. Supported classes: ${Object.keys(LOWERINGS).sort().join(', ')}. ` +
              `For a custom layer pass options.customLayers['${className}'] or give the class a toOnnx(ctx, inputs) method.`,
          );
        }
        const call: LoweringCall = {
          g: this.g,
          layer,
          className,
          config: layer.getConfig() as Record<string, unknown>,
          inputs,
          outShapes,
          where,
          lowerInner: (inner, innerInputs, innerShapes) => this.lowerLayer(inner, innerInputs, innerShapes),
        };
        outs = lowering(call);
      }
      if (outs.length !== outShapes.length) {
        throw new OnnxExportError(`exportOnnx: ${where}: lowering returned ${outs.length} outputs, the layer has ${outShapes.length}.`);
      }
      return outs;
    } catch (err) {
      if (err instanceof OnnxExportError) throw err;
      throw new OnnxExportError(`exportOnnx: ${where}: ${(err as Error).message}`, { cause: err });
    } finally {
      this.g.prefix = saved;
    }
  }

  lowerCustom(layer: tf.layers.Layer, fn: OnnxLayerLowering, inputs: Value[], outShapes: Dim[][]): Value[] {
    const g = this.g;
    const ctx: OnnxLoweringContext = {
      layer,
      inputShapes: inputs.map((v) => v.shape),
      outputShapes: outShapes,
      node: (op, ins, attrs = {}, outputs = 1, domain) => g.node(op, ins, attrs, outputs, domain),
      op: (op, ins, attrs = {}) => g.op(op, ins, attrs),
      constant: (data, dims) => g.floats(data, dims, 'const'),
      int64: (values) => g.int64s(values),
      weight: (short) => {
        const w = readWeight(layer, short, describe(layer));
        return g.floats(w.data, w.shape, short);
      },
      tensor: (t) => g.floats(Float32Array.from(t.dataSync()), t.shape, 'tensor'),
    };
    const result = fn(
      ctx,
      inputs.map((v) => g.logical(v).name),
    );
    const names = Array.isArray(result) ? result : [result];
    return names.map((name, i) => ({ name, shape: outShapes[i] ?? [], perm: identityPerm((outShapes[i] ?? []).length), dtype: 'float32' }));
  }
}

function ioDims(shape: readonly Dim[], batch: number | undefined, name: string): Array<number | string> {
  return shape.map((d, i) => (d != null ? d : i === 0 ? (batch ?? 'batch') : `${name}_dim${i}`));
}

function uniqueNames(wanted: readonly string[], taken: Set<string>): string[] {
  return wanted.map((w) => {
    let name = w;
    for (let i = 1; taken.has(name); i++) name = `${w}_${i}`;
    taken.add(name);
    return name;
  });
}

/** Lowers a TF.js LayersModel (Sequential or functional) to ONNX bytes (opset 17, IR 8), in memory. */
export function toOnnx(model: tf.LayersModel, options: ExportOnnxOptions = {}): OnnxBuild {
  const m = model as unknown as ModelLike;
  if (!isModel(m) || m.inputs.length === 0) {
    throw new OnnxExportError(`exportOnnx: argument 'model' must be a built tf.LayersModel (give the first layer an inputShape).`);
  }
  if (options.batchSize !== undefined && !(Number.isInteger(options.batchSize) && options.batchSize > 0)) {
    throw new OnnxExportError(`exportOnnx: option 'batchSize' must be a positive integer. Value: ${options.batchSize}.`);
  }
  const ex = new Exporter(options);
  const taken = new Set<string>();
  const inNames = uniqueNames(
    m.inputs.map((st, i) => options.inputNames?.[i] ?? m.inputNames?.[i] ?? st.name),
    taken,
  );
  const outNames = uniqueNames(
    m.outputs.map((st, i) => options.outputNames?.[i] ?? m.outputNames?.[i] ?? st.sourceLayer.name),
    taken,
  );
  inNames.forEach((n) => ex.g.reserve(n));
  outNames.forEach((n) => ex.g.reserve(n));
  const inputs: Value[] = m.inputs.map((st, i) => ({
    name: inNames[i] as string,
    shape: st.shape.slice(),
    perm: identityPerm(st.shape.length),
    dtype: st.dtype === 'int32' ? 'int32' : 'float32',
  }));
  const outs = ex.lowerModel(m, inputs);
  ex.g.prefix = '';
  outs.forEach((v, i) => {
    const logical = ex.g.logical(v);
    ex.g.nodes.push({ op: 'Identity', inputs: [logical.name], outputs: [outNames[i] as string], name: `${outNames[i]}/output` });
  });
  const nodes = simplifyGraph(ex.g.nodes, outNames);
  const used = new Set(nodes.flatMap((n) => n.inputs));
  const initializers: OnnxTensor[] = ex.g.initializers.filter((t) => used.has(t.name as string));
  const elem = (v: Value) => (v.dtype === 'int32' ? DataType.INT32 : DataType.FLOAT);
  const inputInfos: OnnxValueInfo[] = inputs.map((v) => ({ name: v.name, dims: ioDims(v.shape, options.batchSize, v.name), elemType: elem(v) }));
  const outputInfos: OnnxValueInfo[] = outs.map((v, i) => ({
    name: outNames[i] as string,
    dims: ioDims(v.shape, options.batchSize, outNames[i] as string),
    elemType: elem(v),
  }));
  const bytes = encodeModel({
    nodes,
    inputs: inputInfos,
    outputs: outputInfos,
    initializers,
    graphName: m.name,
    docString: options.docString ?? `Exported from TF.js model '${m.name}' by @lossworks/core-train.`,
  });
  const ops: Record<string, number> = {};
  for (const n of nodes) ops[n.op] = (ops[n.op] ?? 0) + 1;
  const info = (v: OnnxValueInfo, dtype: Value['dtype']): OnnxIoInfo => ({
    name: v.name,
    shape: v.dims.map((d) => (d == null ? '?' : d)),
    dtype,
  });
  return {
    model: bytes,
    inputs: inputInfos.map((v, i) => info(v, (inputs[i] as Value).dtype)),
    outputs: outputInfos.map((v, i) => info(v, (outs[i] as Value).dtype)),
    nodeCount: nodes.length,
    ops,
    parameters: initializers.reduce((a, t) => a + (t.data instanceof Float32Array ? t.data.length : 0), 0),
    bytes: bytes.length,
  };
}

/**
 * Exports a TF.js LayersModel to an ONNX file (opset 17) that onnxruntime runs with the same outputs
 * as `model.predict` (NHWC inputs and outputs, as in TF.js). The file is written atomically.
 * Unsupported layers throw {@link OnnxExportError} naming the layer's class and name; custom layers
 * bring their own lowering (`options.customLayers` or a `toOnnx` method, see {@link OnnxLayerLowering}).
 */
export async function exportOnnx(model: tf.LayersModel, path: string, options: ExportOnnxOptions = {}): Promise<OnnxExportResult> {
  if (typeof path !== 'string' || path.length === 0) {
    throw new OnnxExportError(`exportOnnx: argument 'path' must be a non-empty string. Value: ${String(path)}.`);
  }
  const { model: bytes, ...info } = toOnnx(model, options);
  try {
    await writeFileAtomic(path, bytes);
  } catch (err) {
    throw new OnnxExportError(`exportOnnx: could not write '${path}': ${(err as Error).message}`, { cause: err });
  }
  return { path, ...info };
}
