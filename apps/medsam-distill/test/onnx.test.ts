// ONNX export of the models (custom layers lower themselves) and parity with TF.js in ONNX Runtime.
import * as tf from '@tensorflow/tfjs';
import { withSeed } from '@lossworks/core-train';
import { OnnxPredictor, toOnnx, type ExportOnnxOptions } from '@lossworks/core-train/onnx';
import { expectNoLeak } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { IO, ONNX_NAMES, buildDecoder, buildSam, type EncoderKind } from '../src/model/sam.js';
import { TINY_MODEL } from './helpers.js';

const S = TINY_MODEL.imageSize;
const G = TINY_MODEL.gridSize;
const C = TINY_MODEL.embedDim;

// float32 through different kernels (ORT's fused attention, layer norm and resize vs TF.js's): a few
// hundred ULPs on O(1..10) logits after a dozen layers.
const ATOL = 2e-4;
const RTOL = 1e-4;

function expectClose(actual: Float32Array, expected: Float32Array, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < actual.length; i++) {
    const excess = Math.abs(actual[i]! - expected[i]!) - (ATOL + RTOL * Math.abs(expected[i]!));
    if (excess > worst) [worst, at] = [excess, i];
  }
  expect(worst, `${what}: worst at ${at}: onnx ${actual[at]} vs tfjs ${expected[at]}`).toBe(0);
}

async function parity(model: tf.LayersModel, inputs: tf.Tensor[], options: ExportOnnxOptions): Promise<{ ops: Record<string, number> }> {
  const build = toOnnx(model, options);
  const p = await OnnxPredictor.load(build.model);
  try {
    const out = await p.run(Object.fromEntries(inputs.map((t, i) => [options.inputNames![i]!, t])));
    const ref = model.predict(inputs) as tf.Tensor[];
    options.outputNames!.forEach((name, i) => {
      expect(out[name]!.shape).toEqual(ref[i]!.shape);
      expectClose(out[name]!.data, ref[i]!.dataSync() as Float32Array, name);
    });
    tf.dispose(ref);
  } finally {
    await p.dispose();
  }
  return { ops: build.ops };
}

describe('ONNX export parity (onnxruntime-node vs TF.js predict)', () => {
  for (const kind of ['student', 'teacher'] as EncoderKind[]) {
    it(`${kind}: the whole model (image + box → masks, IoU)`, async () => {
      const sam = withSeed(kind === 'teacher' ? 21 : 22, () => buildSam(TINY_MODEL, kind));
      await expectNoLeak(async () => {
        const x = [
          tf.randomNormal([2, S, S, 3], 0, 1, 'float32', 4),
          tf.tensor3d([[[1, 2], [20, 28]], [[5, 5], [30, 17]]]),
          tf.tensor2d([[2, 3], [2, 3]]),
        ];
        const { ops } = await parity(sam.model, x, { ...ONNX_NAMES.sam });
        // The custom layers lowered themselves: attention softmaxes and ONNX LayerNormalization.
        expect(ops.Softmax).toBeGreaterThanOrEqual(kind === 'teacher' ? TINY_MODEL.teacher.depth + 4 : 4);
        expect(ops.LayerNormalization).toBeGreaterThan(0);
        tf.dispose(x);
      }, `${kind} parity`);
      sam.model.dispose();
    });
  }

  it('decoder alone, with box + point prompts (open number of points)', async () => {
    const dec = withSeed(23, () => buildDecoder(TINY_MODEL));
    const emb = tf.randomNormal([1, G, G, C], 0, 1, 'float32', 5);
    for (const [coords, labels] of [
      [[[[3, 4], [25, 30]]], [[2, 3]]],
      [[[[3, 4], [25, 30], [12, 16]]], [[2, 3, 1]]],
      [[[[12, 16], [2, 2]]], [[1, 0]]],
    ] as const) {
      const x = [emb, tf.tensor3d(coords as unknown as number[][][]), tf.tensor2d(labels as unknown as number[][])];
      await parity(dec, x, { ...ONNX_NAMES.decoder });
      tf.dispose(x.slice(1));
    }
    expect(IO.masks).toBe('masks');
    emb.dispose();
    dec.dispose();
  });
});
