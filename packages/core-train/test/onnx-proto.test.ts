import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { attr, decodeModel, encodeModel } from '../src/onnx/proto.js';

describe('ONNX model encoding', () => {
  it('builds a MatMul + Relu + Transpose model that onnxruntime-node runs correctly', async () => {
    const w = new Float32Array([1, -1, 2, 0.5, -3, 1]); // [3, 2]
    const bytes = encodeModel({
      nodes: [
        { op: 'MatMul', inputs: ['x', 'w'], outputs: ['h'] },
        { op: 'Relu', inputs: ['h'], outputs: ['r'] },
        { op: 'Transpose', inputs: ['r'], outputs: ['y'], attrs: { perm: attr.ints([1, 0]) } },
      ],
      inputs: [{ name: 'x', dims: ['batch', 3] }],
      outputs: [{ name: 'y', dims: [2, 'batch'] }],
      initializers: [{ name: 'w', dims: [3, 2], data: w }],
    });
    const session = await ort.InferenceSession.create(bytes);
    const x = new Float32Array([1, 2, 3, 0, 1, 0]); // [2, 3]
    const out = await session.run({ x: new ort.Tensor('float32', x, [2, 3]) });
    const y = out.y!;
    expect(y.dims).toEqual([2, 2]);
    // x·w = [[1+4-9, -1+1+3], [2, 0.5]] = [[-4, 3], [2, 0.5]] → relu → transpose
    expect(Array.from(y.data as Float32Array)).toEqual([0, 2, 3, 0.5]);
    const decoded = decodeModel(bytes) as { irVersion: number; graph: { node: Array<{ opType: string }> } };
    expect(decoded.irVersion).toBe(8);
    expect(decoded.graph.node.map((n) => n.opType)).toEqual(['MatMul', 'Relu', 'Transpose']);
    await session.release();
  });

  it('rejects a malformed model with a clear error', () => {
    expect(() => encodeModel({ nodes: [], inputs: [{ name: 'x', dims: [1.5] }], outputs: [] })).toThrow(/invalid ModelProto|dimValue/);
  });
});
