import protobuf from 'protobufjs';
import { ONNX_PROTO_DESCRIPTOR } from './onnx-proto.generated.js';

const root = protobuf.Root.fromJSON(ONNX_PROTO_DESCRIPTOR as unknown as protobuf.INamespace);

/** The protobufjs type of an ONNX model (onnx.ModelProto, IR ≤ 8 as in ONNX 1.12). */
export const ModelProto = root.lookupType('onnx.ModelProto');

/** ONNX TensorProto.DataType codes used here. */
export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, BOOL: 9, DOUBLE: 11 } as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** An ONNX node attribute, tagged with its ONNX type. */
export type OnnxAttr =
  | { type: 'int'; value: number }
  | { type: 'ints'; value: readonly number[] }
  | { type: 'float'; value: number }
  | { type: 'floats'; value: readonly number[] }
  | { type: 'string'; value: string }
  | { type: 'strings'; value: readonly string[] }
  | { type: 'tensor'; value: OnnxTensor };

/** Attribute constructors: `attr.ints([1, 1])`, `attr.float(1e-5)`, ... */
export const attr = {
  int: (value: number): OnnxAttr => ({ type: 'int', value }),
  ints: (value: readonly number[]): OnnxAttr => ({ type: 'ints', value }),
  float: (value: number): OnnxAttr => ({ type: 'float', value }),
  floats: (value: readonly number[]): OnnxAttr => ({ type: 'floats', value }),
  string: (value: string): OnnxAttr => ({ type: 'string', value }),
  strings: (value: readonly string[]): OnnxAttr => ({ type: 'strings', value }),
  tensor: (value: OnnxTensor): OnnxAttr => ({ type: 'tensor', value }),
};

/** One graph node. */
export interface OnnxNode {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  domain?: string;
  attrs?: Record<string, OnnxAttr>;
}

/** A constant tensor (initializer or attribute). */
export interface OnnxTensor {
  name?: string;
  dims: readonly number[];
  data: Float32Array | Int32Array | BigInt64Array | Uint8Array | Float64Array;
  /** Defaults from the array type (Float32Array → FLOAT, BigInt64Array → INT64, ...). */
  dataType?: DataTypeCode;
}

/** A graph input or output: a name, an element type and dims (a string or null is a symbolic dim). */
export interface OnnxValueInfo {
  name: string;
  dims: ReadonlyArray<number | string | null>;
  elemType?: DataTypeCode;
}

/** Everything {@link encodeModel} needs. */
export interface OnnxModelSpec {
  nodes: readonly OnnxNode[];
  inputs: readonly OnnxValueInfo[];
  outputs: readonly OnnxValueInfo[];
  initializers?: readonly OnnxTensor[];
  graphName?: string;
  /** Default opset 17 (ONNX 1.12; onnxruntime-node 1.30 runs it). */
  opset?: number;
  producer?: string;
  docString?: string;
}

function dataTypeOf(t: OnnxTensor): DataTypeCode {
  if (t.dataType !== undefined) return t.dataType;
  if (t.data instanceof Float32Array) return DataType.FLOAT;
  if (t.data instanceof Float64Array) return DataType.DOUBLE;
  if (t.data instanceof Int32Array) return DataType.INT32;
  if (t.data instanceof BigInt64Array) return DataType.INT64;
  return DataType.UINT8;
}

function tensorProto(t: OnnxTensor): Record<string, unknown> {
  // raw_data is little-endian, as ONNX requires; every platform Node runs on here is little-endian.
  const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return { name: t.name ?? '', dims: t.dims.map((d) => d), dataType: dataTypeOf(t), rawData: bytes };
}

function attrProto(name: string, a: OnnxAttr): Record<string, unknown> {
  switch (a.type) {
    case 'int':
      return { name, type: 2, i: a.value };
    case 'ints':
      return { name, type: 7, ints: [...a.value] };
    case 'float':
      return { name, type: 1, f: a.value };
    case 'floats':
      return { name, type: 6, floats: [...a.value] };
    case 'string':
      return { name, type: 3, s: new TextEncoder().encode(a.value) };
    case 'strings':
      return { name, type: 8, strings: a.value.map((v) => new TextEncoder().encode(v)) };
    case 'tensor':
      return { name, type: 4, t: tensorProto(a.value) };
  }
}

function valueInfo(v: OnnxValueInfo): Record<string, unknown> {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: v.elemType ?? DataType.FLOAT,
        shape: { dim: v.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d ?? '?' })) },
      },
    },
  };
}

/** Serialises a graph to ONNX ModelProto bytes (IR version 8). */
export function encodeModel(spec: OnnxModelSpec): Uint8Array {
  const model = {
    irVersion: 8,
    producerName: spec.producer ?? 'lossworks',
    producerVersion: '0.1',
    docString: spec.docString ?? '',
    opsetImport: [{ domain: '', version: spec.opset ?? 17 }],
    graph: {
      name: spec.graphName ?? 'graph',
      node: spec.nodes.map((n, i) => ({
        opType: n.op,
        name: n.name ?? `${n.op}_${i}`,
        domain: n.domain ?? '',
        input: [...n.inputs],
        output: [...n.outputs],
        attribute: Object.entries(n.attrs ?? {}).map(([k, a]) => attrProto(k, a)),
      })),
      input: spec.inputs.map(valueInfo),
      output: spec.outputs.map(valueInfo),
      initializer: (spec.initializers ?? []).map(tensorProto),
    },
  };
  const err = ModelProto.verify(model);
  if (err) throw new Error(`encodeModel: invalid ModelProto: ${err}`);
  return ModelProto.encode(ModelProto.fromObject(model)).finish();
}

/** Parses ONNX bytes back into a plain object (for inspection and tests). */
export function decodeModel(bytes: Uint8Array): Record<string, unknown> {
  return ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, bytes: Array, defaults: false }) as Record<string, unknown>;
}
