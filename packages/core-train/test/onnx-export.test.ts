// exportOnnx / OnnxPredictor behaviour beyond per-layer parity: graphs with several inputs and
// outputs, nested models, custom layers, layout (few transposes), errors, files and the predictor API.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { expectNoLeak, expectTensorClose } from '@lossworks/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError, OnnxExportError, ValueError } from '../src/errors.js';
import { simplifyGraph } from '../src/onnx/graph.js';
import {
  attr,
  decodeModel,
  exportOnnx,
  OnnxPredictor,
  toOnnx,
  type OnnxLayerLowering,
  type OnnxLoweringContext,
} from '../src/onnx/index.js';
import { expectParity, PARITY, seedInputs, seedWeights } from './onnx-export-helpers.js';

const L = tf.layers;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lossworks-onnx-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Two-head self-attention with a residual, written with TF.js ops (tfjs-layers has no MultiHeadAttention). */
class AttentionBlock extends L.Layer {
  static className = 'AttentionBlock';
  readonly heads: number;
  private w: Record<'wq' | 'wk' | 'wv' | 'wo', tf.LayerVariable> | null = null;
  constructor(args: { heads: number; name?: string }) {
    super({ name: args.name });
    this.heads = args.heads;
  }
  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const d = (inputShape as number[])[2] as number;
    const make = (n: string) => this.addWeight(n, [d, d], 'float32', tf.initializers.glorotNormal({ seed: 1 }));
    this.w = { wq: make('wq'), wk: make('wk'), wv: make('wv'), wo: make('wo') };
    this.built = true;
  }
  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
      const [B, T, D] = x.shape as [number, number, number];
      const dk = D / this.heads;
      const w = this.w!;
      const proj = (v: tf.LayerVariable) =>
        tf.transpose(tf.reshape(tf.matMul(tf.reshape(x, [B * T, D]), v.read()), [B, T, this.heads, dk]), [0, 2, 1, 3]);
      const scores = tf.div(tf.matMul(proj(w.wq), proj(w.wk), false, true), Math.sqrt(dk));
      const ctx = tf.matMul(tf.softmax(scores), proj(w.wv));
      const merged = tf.reshape(tf.transpose(ctx, [0, 2, 1, 3]), [B * T, D]);
      return tf.add(x, tf.reshape(tf.matMul(merged, w.wo.read()), [B, T, D]));
    });
  }
}

/** The same block in ONNX ops: what an app passes as `customLayers.AttentionBlock`. */
const attentionLowering: OnnxLayerLowering = (ctx: OnnxLoweringContext, [x]) => {
  const heads = (ctx.layer as AttentionBlock).heads;
  const [, T, D] = ctx.inputShapes[0] as [null, number, number];
  const dk = D / heads;
  const proj = (w: string) =>
    ctx.op('Transpose', [ctx.op('Reshape', [ctx.op('MatMul', [x!, ctx.weight(w)]), ctx.int64([0, T, heads, dk])])], {
      perm: attr.ints([0, 2, 1, 3]),
    });
  const kT = ctx.op('Transpose', [proj('wk')], { perm: attr.ints([0, 1, 3, 2]) });
  const scores = ctx.op('Div', [ctx.op('MatMul', [proj('wq'), kT]), ctx.constant([Math.sqrt(dk)], [])]);
  const attn = ctx.op('Softmax', [scores], { axis: attr.int(-1) });
  const heads2 = ctx.op('Transpose', [ctx.op('MatMul', [attn, proj('wv')])], { perm: attr.ints([0, 2, 1, 3]) });
  const merged = ctx.op('Reshape', [heads2, ctx.int64([0, T, D])]);
  return ctx.op('Add', [x!, ctx.op('MatMul', [merged, ctx.weight('wo')])]);
};

/** A subclass that carries its own lowering as a method. */
class SelfLoweringAttention extends AttentionBlock {
  static override className = 'SelfLoweringAttention';
  toOnnx(ctx: OnnxLoweringContext, inputs: string[]): string | string[] {
    return attentionLowering(ctx, inputs);
  }
}

function attentionModel(block: tf.layers.Layer): tf.LayersModel {
  const x = tf.input({ shape: [5, 4] });
  const h = L.dense({ units: 4 }).apply(x) as tf.SymbolicTensor;
  const y = block.apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: L.globalAveragePooling1d().apply(y) as tf.SymbolicTensor });
}

describe('exportOnnx: graphs', () => {
  it('functional model with two inputs, two outputs, a shared layer and a nested Sequential', async () => {
    const image = tf.input({ shape: [6, 6, 2], name: 'image' });
    const meta = tf.input({ shape: [3], name: 'meta' });
    const shared = L.dense({ units: 4, activation: 'relu', name: 'shared' });
    const head = tf.sequential({ name: 'head', layers: [L.inputLayer({ inputShape: [8] }), L.dense({ units: 3 }), L.activation({ activation: 'tanh' })] });
    const c = L.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(image) as tf.SymbolicTensor;
    const g = L.globalAveragePooling2d({}).apply(c) as tf.SymbolicTensor;
    const a = shared.apply(g) as tf.SymbolicTensor;
    const b = shared.apply(L.dense({ units: 4 }).apply(meta) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const both = L.concatenate().apply([a, b]) as tf.SymbolicTensor;
    const out1 = head.apply(both) as tf.SymbolicTensor;
    const out2 = L.conv2d({ filters: 1, kernelSize: 1, name: 'mask' }).apply(c) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [image, meta], outputs: [out1, out2] });
    const build = await expectParity(model, { seed: 3, batch: 3 });
    expect(build.inputs.map((i) => [i.name, i.shape])).toEqual([
      ['image', ['batch', 6, 6, 2]],
      ['meta', ['batch', 3]],
    ]);
    expect(build.outputs.map((o) => o.shape)).toEqual([
      ['batch', 3],
      ['batch', 6, 6, 1],
    ]);
    model.dispose();
  });

  it('attention as a custom layer: lowering from options.customLayers', async () => {
    const model = attentionModel(new AttentionBlock({ heads: 2 }));
    const build = await expectParity(model, { export: { customLayers: { AttentionBlock: attentionLowering } } });
    expect(build.ops['Softmax']).toBe(1);
    model.dispose();
  });

  it('attention as a custom layer: lowering from the layer class toOnnx method', async () => {
    const model = attentionModel(new SelfLoweringAttention({ heads: 2 }));
    await expectParity(model, { seed: 5 });
    model.dispose();
  });

  it('a custom layer without a lowering throws OnnxExportError naming its class and name', () => {
    const model = attentionModel(new AttentionBlock({ heads: 2, name: 'my_attention' }));
    expect(() => toOnnx(model)).toThrow(OnnxExportError);
    expect(() => toOnnx(model)).toThrow(/layer 'my_attention' \(AttentionBlock\) is not supported.*customLayers\['AttentionBlock'\]/);
    model.dispose();
  });

  it.each([
    ['Conv3D', () => tf.sequential({ layers: [L.inputLayer({ inputShape: [3, 3, 3, 1] }), L.conv3d({ filters: 1, kernelSize: 2, name: 'vol' })] }), /layer 'vol' \(Conv3D\) is not supported/],
    ['Masking', () => tf.sequential({ layers: [L.inputLayer({ inputShape: [3, 2] }), L.masking({ name: 'mask0' })] }), /layer 'mask0' \(Masking\) is not supported/],
    ['dilated DepthwiseConv2D', () => tf.sequential({ layers: [L.inputLayer({ inputShape: [5, 5, 1] }), L.depthwiseConv2d({ kernelSize: 2, dilationRate: 2, name: 'dw' })] }), /layer 'dw' \(DepthwiseConv2D\).*dilationRate/],
    ['Embedding maskZero', () => tf.sequential({ layers: [L.inputLayer({ inputShape: [3] }), L.embedding({ inputDim: 4, outputDim: 2, maskZero: true, name: 'emb' })] }), /layer 'emb' \(Embedding\).*maskZero/],
    ['stateful LSTM', () => tf.sequential({ layers: [L.inputLayer({ batchInputShape: [2, 3, 2] }), L.lstm({ units: 2, stateful: true, name: 'st' })] }), /layer 'st' \(LSTM\).*stateful/],
  ])('unsupported: %s', (_name, build, message) => {
    const model = build();
    expect(() => toOnnx(model)).toThrow(OnnxExportError);
    expect(() => toOnnx(model)).toThrow(message);
    model.dispose();
  });

  it('rejects a model that is not built and a bad batchSize', () => {
    expect(() => toOnnx({} as tf.LayersModel)).toThrow(/argument 'model' must be a built tf.LayersModel/);
    const model = tf.sequential({ layers: [L.inputLayer({ inputShape: [2] }), L.dense({ units: 1 })] });
    expect(() => toOnnx(model, { batchSize: 0 })).toThrow(/option 'batchSize' must be a positive integer. Value: 0/);
    model.dispose();
  });
});

describe('exportOnnx: layout', () => {
  it('a conv stack transposes once, at the input (NHWC → NCHW), and ends channels-last', async () => {
    const model = tf.sequential({
      layers: [
        L.inputLayer({ inputShape: [8, 8, 3] }),
        L.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
        L.batchNormalization(),
        L.maxPooling2d({ poolSize: 2 }),
        L.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }),
        L.leakyReLU(),
        L.globalAveragePooling2d({}),
        L.dense({ units: 2 }),
      ],
    });
    const build = await expectParity(model);
    expect(build.ops['Transpose']).toBe(1);
    model.dispose();
  });

  it('an image-to-image net transposes only at the input and the output', async () => {
    const x = tf.input({ shape: [6, 6, 2] });
    const a = L.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(x) as tf.SymbolicTensor;
    const d = L.maxPooling2d({ poolSize: 2 }).apply(a) as tf.SymbolicTensor;
    const u = L.upSampling2d({ size: [2, 2] }).apply(L.conv2d({ filters: 3, kernelSize: 3, padding: 'same' }).apply(d)) as tf.SymbolicTensor;
    const y = L.conv2d({ filters: 1, kernelSize: 1, activation: 'sigmoid' }).apply(L.add().apply([a, u])) as tf.SymbolicTensor;
    const model = tf.model({ inputs: x, outputs: y });
    const build = await expectParity(model);
    expect(build.ops['Transpose']).toBe(2);
    model.dispose();
  });

  it('stacked LSTMs pass [T, N, H] on without transposes between them', async () => {
    const model = tf.sequential({
      layers: [L.inputLayer({ inputShape: [6, 3] }), L.lstm({ units: 4, returnSequences: true }), L.lstm({ units: 4, returnSequences: true }), L.dense({ units: 1 }), L.lstm({ units: 2 })],
    });
    const build = await expectParity(model);
    expect(build.ops['Transpose']).toBe(1);
    model.dispose();
  });

  it('simplifyGraph composes transpose pairs, drops identities and dead nodes', () => {
    const nodes = simplifyGraph(
      [
        { op: 'Transpose', inputs: ['x'], outputs: ['a'], attrs: { perm: attr.ints([0, 2, 3, 1]) } },
        { op: 'Transpose', inputs: ['a'], outputs: ['b'], attrs: { perm: attr.ints([0, 3, 1, 2]) } }, // undoes the first
        { op: 'Relu', inputs: ['b'], outputs: ['c'] },
        { op: 'Transpose', inputs: ['c'], outputs: ['d'], attrs: { perm: attr.ints([0, 2, 3, 1]) } },
        { op: 'Transpose', inputs: ['d'], outputs: ['e'], attrs: { perm: attr.ints([0, 2, 1, 3]) } },
        { op: 'Sigmoid', inputs: ['c'], outputs: ['unused'] },
        { op: 'Identity', inputs: ['e'], outputs: ['y'] },
      ],
      ['y'],
    );
    expect(nodes.map((n) => [n.op, n.inputs])).toEqual([
      ['Relu', ['x']],
      ['Transpose', ['c']],
      ['Identity', ['e']],
    ]);
    const perm = nodes[1]!.attrs!['perm'];
    expect(perm).toEqual(attr.ints([0, 3, 2, 1])); // composed [0,2,3,1] then [0,2,1,3]
  });
});

describe('exportOnnx: files', () => {
  it('writes the model atomically into a missing folder and reports what it wrote', async () => {
    const model = tf.sequential({ layers: [L.inputLayer({ inputShape: [4] }), L.dense({ units: 3, activation: 'softmax' })] });
    seedWeights(model, 11);
    const path = join(dir, 'nested', 'deeper', 'model.onnx');
    const result = await expectNoLeak(() => exportOnnx(model, path, { batchSize: 5, outputNames: ['probs'] }), 'exportOnnx');
    expect(result.path).toBe(path);
    expect(result.parameters).toBe(4 * 3 + 3);
    expect(result.outputs).toEqual([{ name: 'probs', shape: [5, 3], dtype: 'float32' }]);
    const bytes = await readFile(path);
    expect(bytes.length).toBe(result.bytes);
    expect(await readdir(dirname(path))).toEqual(['model.onnx']); // no temp file left behind
    const decoded = decodeModel(bytes) as { opsetImport: Array<{ version: number }>; graph: { input: Array<{ name: string }> } };
    expect(decoded.opsetImport[0]!.version).toBe(17);
    const p = await OnnxPredictor.load(path, { threads: 1 });
    expect(p.inputs).toEqual([{ name: result.inputs[0]!.name, shape: [5, 4], type: 'float32' }]);
    await p.dispose();
    model.dispose();
  });

  it('fails with OnnxExportError naming the path when it cannot write, leaving no temp file', async () => {
    const model = tf.sequential({ layers: [L.inputLayer({ inputShape: [2] }), L.dense({ units: 1 })] });
    const blocker = join(dir, 'not-a-dir');
    await writeFile(blocker, 'x');
    await expect(exportOnnx(model, join(blocker, 'm.onnx'))).rejects.toThrow(/exportOnnx: could not write '.*not-a-dir\/m.onnx'/);
    await expect(exportOnnx(model, '')).rejects.toThrow(/argument 'path' must be a non-empty string/);
    model.dispose();
  });
});

describe('OnnxPredictor', () => {
  it('reports inputs/outputs, predicts tensors, runs typed arrays and records, disposes', async () => {
    const a = tf.input({ shape: [3], name: 'a' });
    const b = tf.input({ shape: [2, 2], name: 'b' });
    const sum = L.dense({ units: 2, name: 'sum' }).apply(L.concatenate().apply([a, L.flatten().apply(b) as tf.SymbolicTensor])) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [a, b], outputs: [sum, L.activation({ activation: 'sigmoid', name: 'prob' }).apply(sum) as tf.SymbolicTensor] });
    seedWeights(model, 2);
    const p = await OnnxPredictor.load(toOnnx(model).model);
    expect(p.inputNames).toEqual(['a', 'b']);
    expect(p.outputNames).toEqual(['sum', 'prob']);
    expect(p.inputs[1]).toEqual({ name: 'b', shape: ['batch', 2, 2], type: 'float32' });
    const xs = seedInputs(model, 9, 3);
    const expected = model.predict(xs) as tf.Tensor[];
    const got = (await p.predict(xs)) as tf.Tensor[];
    expect(got.map((t) => t.shape)).toEqual([[3, 2], [3, 2]]);
    got.forEach((t, i) => expectTensorClose(t, expected[i]!, PARITY, `output ${i}`));
    // typed arrays: the batch is inferred from the length; a record keyed by input name works too
    const run = await p.run({ b: xs[1]!.dataSync() as Float32Array, a: { data: xs[0]!.dataSync() as Float32Array, shape: [3, 3] } });
    expect(run['prob']!.shape).toEqual([3, 2]);
    expectTensorClose(run['prob']!.data, expected[1]!, PARITY, 'prob via run');
    await expect(p.run([xs[0]!])).rejects.toThrow(ValueError);
    await expect(p.run({ a: xs[0]! })).rejects.toThrow(/input 'b' is missing/);
    await expect(p.run({ a: xs[0]!, b: xs[1]!, c: xs[0]! })).rejects.toThrow(/unknown input\(s\) c/);
    await expect(p.run([xs[1]!, xs[0]!])).rejects.toThrow(/input 'a' has shape \[3,2,2\], the model expects \[batch,3\]/);
    await expect(p.run(xs[0]!)).rejects.toThrow(/the model has 2 inputs/);
    tf.dispose([...xs, ...expected, ...got]);
    await p.dispose();
    await expect(p.run(xs)).rejects.toThrow(/the predictor was disposed/);
    model.dispose();
  });

  it('predict on a one-output model returns one tensor and leaks nothing', async () => {
    const model = tf.sequential({ layers: [L.inputLayer({ inputShape: [4] }), L.dense({ units: 2 })] });
    const p = await OnnxPredictor.load(toOnnx(model).model);
    const x = tf.ones([2, 4]);
    await expectNoLeak(async () => {
      const y = (await p.predict(x)) as tf.Tensor;
      expect(y).toBeInstanceOf(tf.Tensor);
      expect(y.shape).toEqual([2, 2]);
      y.dispose();
    }, 'predict');
    x.dispose();
    await p.dispose();
    model.dispose();
  });

  it('load errors: missing file, bytes that are not ONNX, bad threads', async () => {
    await expect(OnnxPredictor.load(join(dir, 'missing.onnx'))).rejects.toThrow(DataError);
    await expect(OnnxPredictor.load(join(dir, 'missing.onnx'))).rejects.toThrow(/cannot read ONNX file '.*missing.onnx'/);
    await expect(OnnxPredictor.load(new Uint8Array([1, 2, 3, 4]))).rejects.toThrow(/onnxruntime rejected the model \(4 bytes\)/);
    await expect(OnnxPredictor.load(new Uint8Array(), { threads: 0 })).rejects.toThrow(/option 'threads' must be a positive integer. Value: 0/);
  });
});

describe('packaging', () => {
  it('the root entry point reaches onnxruntime-node only through dynamic import', async () => {
    // Walk the static import graph from src/index.ts: no module may import onnxruntime-node (or vega) statically.
    const srcDir = fileURLToPath(new URL('../src/', import.meta.url));
    const seen = new Set<string>();
    const offenders: string[] = [];
    const visit = async (file: string): Promise<void> => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = await readFile(file, 'utf8');
      for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)) {
        const spec = m[1] as string;
        if (/^(onnxruntime-node|vega|vega-lite|@resvg\/resvg-js)$/.test(spec)) offenders.push(`${file.slice(srcDir.length)} → ${spec}`);
        if (spec.startsWith('.')) await visit(join(dirname(file), spec.replace(/\.js$/, '.ts')));
      }
    };
    await visit(join(srcDir, 'index.ts'));
    expect(seen.size).toBeGreaterThan(1);
    expect(offenders).toEqual([]);
  });
});
