// Without onnxruntime-node (an optional peer), export still works and OnnxPredictor.load says what to install.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it, vi } from 'vitest';
import { BackendError } from '../src/errors.js';
import { OnnxPredictor, toOnnx } from '../src/onnx/index.js';

vi.mock('onnxruntime-node', () => {
  throw new Error("Cannot find package 'onnxruntime-node'");
});

describe('OnnxPredictor without onnxruntime-node', () => {
  it('exports anyway, and load throws BackendError with the install hint', async () => {
    const model = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: [2] }), tf.layers.dense({ units: 1 })] });
    const { model: bytes } = toOnnx(model);
    expect(bytes.length).toBeGreaterThan(0);
    await expect(OnnxPredictor.load(bytes)).rejects.toThrow(BackendError);
    await expect(OnnxPredictor.load(bytes)).rejects.toThrow(/optional peer dependency 'onnxruntime-node' could not be loaded.*npm i onnxruntime-node/);
    model.dispose();
  });
});
