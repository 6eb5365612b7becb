// The SAM-style model: shapes, parameter ratio, the prompt encoder's Fourier features, attention forms,
// inference without the executor's early-release problem, and the analytic MAC count.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { parseConfig } from '@lossworks/cli-kit';
import { withSeed } from '@lossworks/core-train';
import { expectNoLeak } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { configSchema, modelSchema } from '../src/config/schema.js';
import { layerMacs, modelMacs } from '../src/eval/flops.js';
import { Attention, PromptEncoder } from '../src/model/layers.js';
import { buildDecoder, buildEncoder, buildSam, countParams, type EncoderKind } from '../src/model/sam.js';
import { TINY_MODEL } from './helpers.js';

const S = TINY_MODEL.imageSize;
const G = TINY_MODEL.gridSize;
const C = TINY_MODEL.embedDim;

function boxInputs(b: number): tf.Tensor[] {
  return [
    tf.randomNormal([b, S, S, 3], 0, 1, 'float32', 3),
    tf.tensor3d(Array.from({ length: b }, (_, i) => [[2 + i, 3], [20, 25 - i]])),
    tf.tensor2d(Array.from({ length: b }, () => [2, 3])),
  ];
}

describe('encoders and decoder', () => {
  it('teacher (ViT) and student (CNN) give the same C × h × w embedding', () => {
    const x = tf.randomNormal([2, S, S, 3]);
    const shapes = (['teacher', 'student'] as EncoderKind[]).map((kind) => {
      const enc = withSeed(1, () => buildEncoder(TINY_MODEL, kind));
      const y = enc.predict(x) as tf.Tensor;
      const shape = y.shape;
      expect(enc.outputs[0]!.shape).toEqual([null, G, G, C]);
      tf.dispose(y);
      enc.dispose();
      return shape;
    });
    expect(shapes[0]).toEqual([2, G, G, C]);
    expect(shapes[1]).toEqual(shapes[0]);
    x.dispose();
  });

  it('default and shipped configs: same embedding shape for both encoders (symbolic)', () => {
    for (const cfg of [modelSchema.parse({}), parseConfig(JSON.parse(readFileSync('configs/demo.json', 'utf8')), configSchema).model]) {
      const t = buildEncoder(cfg, 'teacher');
      const s = buildEncoder(cfg, 'student');
      expect(t.outputs[0]!.shape).toEqual([null, cfg.gridSize, cfg.gridSize, cfg.embedDim]);
      expect(s.outputs[0]!.shape).toEqual(t.outputs[0]!.shape);
      t.dispose();
      s.dispose();
    }
  });

  it('decoder: masks [B, S, S, 1] and IoU [B, 1], for a box (P = 2) and box + point (P = 3)', async () => {
    const dec = withSeed(2, () => buildDecoder(TINY_MODEL));
    await expectNoLeak(() => {
      const emb = tf.randomNormal([3, G, G, C]);
      for (const p of [2, 3]) {
        const coords = tf.randomUniform([3, p, 2], 0, S);
        const labels = tf.tensor2d(Array.from({ length: 3 }, () => [2, 3, 1].slice(0, p)));
        const [m, iou] = dec.predict([emb, coords, labels]) as tf.Tensor[];
        expect(m!.shape).toEqual([3, S, S, 1]);
        expect(iou!.shape).toEqual([3, 1]);
        expect(Array.from(m!.dataSync()).every(Number.isFinite)).toBe(true);
        tf.dispose([coords, labels, m!, iou!]);
      }
      emb.dispose();
    }, 'decoder predict');
    dec.dispose();
  });

  it('whole model predicts repeatedly (shared inputs are passed once to attention)', () => {
    const sam = withSeed(3, () => buildSam(TINY_MODEL, 'teacher'));
    const x = boxInputs(2);
    const a = sam.model.predict(x) as tf.Tensor[];
    const b = sam.model.predict(x) as tf.Tensor[];
    expect(Array.from(a[0]!.dataSync())).toEqual(Array.from(b[0]!.dataSync()));
    tf.dispose([...a, ...b, ...x]);
    sam.model.dispose();
  });

  it('teacher has ≥ 5× the parameters of the student (default, demo and real configs)', () => {
    for (const file of [null, 'configs/demo.json', 'configs/real.json']) {
      const cfg = file ? parseConfig(JSON.parse(readFileSync(file, 'utf8')), configSchema, file).model : modelSchema.parse({});
      const t = buildSam(cfg, 'teacher');
      const s = buildSam(cfg, 'student');
      const ratio = countParams(t.model) / countParams(s.model);
      expect(ratio, `${file ?? 'defaults'}: ${countParams(t.model)} / ${countParams(s.model)}`).toBeGreaterThanOrEqual(5);
      // Encoder/decoder parameters add up to the whole model's.
      expect(countParams(t.encoder) + countParams(t.decoder)).toBe(countParams(t.model));
      t.model.dispose();
      s.model.dispose();
    }
  });
});

describe('prompt encoder', () => {
  it('random Fourier features: fixed by the seed, equal to the closed form, labels add their embedding', () => {
    const make = () => {
      const pe = withSeed(11, () => new PromptEncoder({ embedDim: 8, imageSize: 16, gridSize: 2 }));
      const emb = tf.input({ shape: [2, 2, 8] });
      const coords = tf.input({ shape: [null, 2] });
      const labels = tf.input({ shape: [null] });
      const out = withSeed(11, () => pe.apply([emb, coords, labels])) as tf.SymbolicTensor[];
      return { pe, model: tf.model({ inputs: [emb, coords, labels], outputs: out }) };
    };
    const a = make();
    const b = make();
    const e = tf.zeros([1, 2, 2, 8]);
    const coords = tf.tensor3d([[[3, 5], [7.5, 0], [1, 1]]]);
    const labels = tf.tensor2d([[1, 0, -1]]);
    const [sa, da] = a.model.predict([e, coords, labels]) as tf.Tensor[];
    const [sb, db] = b.model.predict([e, coords, labels]) as tf.Tensor[];
    expect(Array.from(sa!.dataSync())).toEqual(Array.from(sb!.dataSync()));
    expect(Array.from(da!.dataSync())).toEqual(Array.from(db!.dataSync()));
    // Closed form: p̂ = (p + 0.5) / S, f = [sin 2π(2p̂ − 1)G, cos 2π(2p̂ − 1)G] + label row.
    const byName = (short: string) => a.pe.weights.find((w) => w.originalName.endsWith(`/${short}`))!.read().arraySync() as number[][];
    const gauss = byName('gaussian');
    const rows = byName('label_embeds');
    const fourier = (x: number, y: number) => {
      const u = [2 * ((x + 0.5) / 16) - 1, 2 * ((y + 0.5) / 16) - 1];
      const proj = [0, 1, 2, 3].map((j) => 2 * Math.PI * (u[0]! * gauss[0]![j]! + u[1]! * gauss[1]![j]!));
      return [...proj.map(Math.sin), ...proj.map(Math.cos)];
    };
    const got = sa!.arraySync() as number[][][];
    const want = [
      fourier(3, 5).map((v, j) => v + rows![2]![j]!), // label 1 → row 2 (positive)
      fourier(7.5, 0).map((v, j) => v + rows![1]![j]!), // label 0 → row 1 (negative)
      rows![0]!, // padding → only the not-a-point row
    ];
    for (let p = 0; p < 3; p++) for (let j = 0; j < 8; j++) expect(got[0]![p]![j]).toBeCloseTo(want[p]![j]!, 5);
    // The dense encoding is the same features at the grid's pixel centres (here 4 px cells of 16 px).
    const dense = da!.arraySync() as number[][][];
    const centre = fourier(12 - 0.5, 4 - 0.5); // cell (row 0, col 1): unit centre (0.75, 0.25)
    for (let j = 0; j < 8; j++) expect(dense[0]![1]![j]).toBeCloseTo(centre[j]!, 5);
    tf.dispose([e, coords, labels, sa!, da!, sb!, db!]);
    a.model.dispose();
    b.model.dispose();
  });
});

describe('attention', () => {
  it('[x], [x, x] and [x, x, x] compute the same self-attention', () => {
    const layer = withSeed(5, () => new Attention({ embedDim: 8, numHeads: 2 }));
    const x = tf.randomNormal([2, 5, 8], 0, 1, 'float32', 1);
    layer.apply([x, x, x]);
    const outs = [[x], [x, x], [x, x, x]].map((ins) => layer.apply(ins) as tf.Tensor);
    for (const o of outs.slice(1)) expect(Array.from(o.dataSync())).toEqual(Array.from(outs[0]!.dataSync()));
    // Attention output rows are convex combinations of the projected values: with identical rows of x,
    // every output row is the same.
    const same = tf.tile(tf.randomNormal([1, 1, 8], 0, 1, 'float32', 2), [1, 4, 1]);
    const y = (layer.apply([same]) as tf.Tensor).arraySync() as number[][][];
    for (const row of y[0]!) for (let j = 0; j < 8; j++) expect(row[j]).toBeCloseTo(y[0]![0]![j]!, 5);
    tf.dispose([x, same, ...outs]);
    layer.dispose();
  });
});

describe('MACs', () => {
  it('conv, depthwise, transposed conv and dense follow the closed forms', () => {
    const x = tf.input({ shape: [8, 8, 3] });
    const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same' });
    const dw = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same' });
    const up = tf.layers.conv2dTranspose({ filters: 2, kernelSize: 2, strides: 2 });
    const dense = tf.layers.dense({ units: 5 });
    const y = dense.apply(up.apply(dw.apply(conv.apply(x)))) as tf.SymbolicTensor;
    const m = tf.model({ inputs: x, outputs: y });
    const node = (l: tf.layers.Layer) => (l as unknown as { inboundNodes: Parameters<typeof layerMacs>[1][] }).inboundNodes[0]!;
    expect(layerMacs(conv, node(conv))).toBe(4 * 4 * 4 * 9 * 3);
    expect(layerMacs(dw, node(dw))).toBe(4 * 4 * 4 * 9);
    expect(layerMacs(up, node(up))).toBe(4 * 4 * 4 * 4 * 2);
    expect(layerMacs(dense, node(dense))).toBe(8 * 8 * 2 * 5);
    expect(modelMacs(m)).toBe(4 * 4 * 4 * 9 * 3 + 4 * 4 * 4 * 9 + 4 * 4 * 4 * 4 * 2 + 8 * 8 * 2 * 5);
    m.dispose();
  });

  it('attention: projections + QKᵀ + AV; the ViT teacher costs more than the CNN student', () => {
    const layer = new Attention({ embedDim: 8, numHeads: 2, downsampleRate: 2 });
    const q = tf.input({ shape: [3, 8] });
    const k = tf.input({ shape: [10, 8] });
    const m = tf.model({ inputs: [q, k], outputs: layer.apply([q, k, k]) as tf.SymbolicTensor });
    // (Nq + Nk + Nv)·D·I + 2·Nq·Nk·I + Nq·I·D with D = 8, I = 4.
    expect(modelMacs(m)).toBe((3 + 10 + 10) * 8 * 4 + 2 * 3 * 10 * 4 + 3 * 4 * 8);
    m.dispose();
    const cfg = modelSchema.parse({});
    const t = buildEncoder(cfg, 'teacher');
    const s = buildEncoder(cfg, 'student');
    expect(modelMacs(t)).toBeGreaterThan(10 * modelMacs(s));
    t.dispose();
    s.dispose();
  });
});
