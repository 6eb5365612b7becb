// The SAM / MobileSAM ONNX-encoder teacher path on a tiny generated ONNX model with the official
// encoders' layout: input 'image' NCHW [1, 3, N, N] (SAM-normalised), output 'image_embeddings'
// [1, C, h, w] — here a patchify convolution at reduced size.
import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { UsageError } from '@lossworks/cli-kit';
import { ShapeError } from '@lossworks/core-losses';
import { attr, encodeModel } from '@lossworks/core-train/onnx';
import { expectNoLeak } from '@lossworks/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samOnnxTeacher } from '../src/model/onnx-teacher.js';
import { runData } from '../src/train/data.js';
import { FILES, distillEncoder } from '../src/train/stages.js';
import { quietIo, tempDir, tinyRun, TINY_MODEL } from './helpers.js';

const N = 16; // the encoder's input side (1024 for SAM)
const P = N / TINY_MODEL.gridSize; // patch = stride
const C = TINY_MODEL.embedDim;

let dir: string;
let remove: () => Promise<void>;
let onnxPath: string;
let W: Float32Array; // [C, 3, P, P]
let B: Float32Array;

beforeAll(async () => {
  ({ dir, remove } = await tempDir());
  W = Float32Array.from({ length: C * 3 * P * P }, (_, i) => Math.sin(i * 0.37) * 0.2);
  B = Float32Array.from({ length: C }, (_, i) => 0.01 * i);
  const model = encodeModel({
    nodes: [{ op: 'Conv', inputs: ['image', 'W', 'B'], outputs: ['image_embeddings'], attrs: { kernel_shape: attr.ints([P, P]), strides: attr.ints([P, P]) } }],
    inputs: [{ name: 'image', dims: [1, 3, N, N] }],
    outputs: [{ name: 'image_embeddings', dims: [1, C, N / P, N / P] }],
    initializers: [
      { name: 'W', dims: [C, 3, P, P], data: W },
      { name: 'B', dims: [C], data: B },
    ],
    graphName: 'tiny_sam_encoder',
  });
  onnxPath = join(dir, 'tiny_sam_encoder.onnx');
  await writeFile(onnxPath, model);
});
afterAll(async () => remove());

describe('SAM ONNX encoder teacher', () => {
  it('resizes S × S NHWC images to the encoder input, runs NCHW one image at a time, returns NHWC embeddings', async () => {
    const teacher = await samOnnxTeacher(onnxPath, { inputSize: N, expect: [TINY_MODEL.gridSize, TINY_MODEL.gridSize, C] });
    const S = 8; // the app's frame, smaller than the encoder input: upsampled bilinearly
    const x = tf.randomNormal([2, S, S, 3], 0, 1, 'float32', 6);
    await expectNoLeak(async () => {
      const [emb] = await teacher.run(x, [0]);
      expect(emb!.shape).toEqual([2, N / P, N / P, C]);
      // Reference in TF.js: same resize, the patchify conv in NHWC (kernel [P, P, 3, C]).
      const ref = tf.tidy(() => {
        const kernel = tf.transpose(tf.tensor4d(W, [C, 3, P, P]), [2, 3, 1, 0]) as tf.Tensor4D;
        const up = tf.image.resizeBilinear(x as tf.Tensor4D, [N, N], false, true);
        return tf.add(tf.conv2d(up, kernel, P, 'valid'), tf.tensor1d(B));
      });
      const a = emb!.dataSync();
      const b = ref.dataSync();
      // One float32 conv each side (ORT vs TF.js cpu), 48-term sums of O(1) values.
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-4);
      tf.dispose([emb!, ref]);
    }, 'onnx teacher run');
    expect(teacher.samplesRun).toBe(2);
    expect(teacher.hash).toMatch(/^[0-9a-f]{64}$/);
    x.dispose();
    teacher.dispose();
  });

  it('names a student/teacher embedding mismatch', async () => {
    const teacher = await samOnnxTeacher(onnxPath, { inputSize: N, expect: [8, 8, C] });
    const x = tf.zeros([1, 8, 8, 3]);
    await expect(teacher.run(x, [0])).rejects.toThrow(ShapeError);
    await expect(teacher.run(x, [0])).rejects.toThrow(/gives embeddings \[4,4,16\].*student makes \[8,8,16\].*gridSize and model.embedDim/);
    x.dispose();
    teacher.dispose();
  });

  it('stage 1 precomputes the ONNX teacher embeddings into the on-disk cache, then reuses them', async () => {
    const { config } = await tinyRun(dir, {
      name: 'onnx-teacher',
      out: join(dir, 'onnx-run'),
      teacher: { source: 'onnx', onnx: { path: onnxPath, inputSize: N } },
      distill: { steps: 2, batchSize: 2, perceptualWeight: 0 },
    });
    const data = await runData(config, config.out!);
    const env = { config, out: config.out!, stderr: quietIo.stderr };
    const first = await distillEncoder(env, data);
    const images = data.train.length * (1 + config.data.augmentations);
    expect(first.teacherRuns).toBe(images);
    const cacheDir = FILES.teacherCache(env.out);
    const [namespace] = await readdir(cacheDir);
    expect((await readdir(join(cacheDir, namespace!))).filter((f) => f.endsWith('.safetensors')).length).toBe(images);
    expect(existsSync(first.model)).toBe(true);
    const second = await distillEncoder(env, data);
    expect(second.teacherRuns).toBe(0);
    // The perceptual term needs TF.js teacher decoder layers, which an ONNX encoder does not have.
    const withPerceptual = { ...config, distill: { ...config.distill, perceptualWeight: 1 } };
    await expect(distillEncoder({ ...env, config: withPerceptual }, data)).rejects.toThrow(UsageError);
  });
});
