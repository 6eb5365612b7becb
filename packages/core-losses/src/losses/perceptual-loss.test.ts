import * as tf from '@tensorflow/tfjs';
import { describeLoss, expectNoLeak, expectTensorClose, mulberry32, type Sample } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { perceptualLoss, type FeatureFn } from './perceptual-loss.js';
import fixtures from './perceptual-loss.fixtures.json' with { type: 'json' };

interface ExtractorWeights {
  w1: number[];
  b1: number[];
  w2: number[];
  b2: number[];
}

/** The fixture's extractor (HWIO weights): f1 = tanh(conv3x3 'same' + b1) [4 ch], f2 = tanh(conv3x3 'valid' + b2) [3 ch]. */
function extractorFn(w: ExtractorWeights): FeatureFn {
  return (x) => {
    // Weight tensors are made per call, inside the loss's tidy, so nothing outlives it.
    const f1 = tf.tanh(tf.add(tf.conv2d(x as tf.Tensor4D, tf.tensor4d(w.w1, [3, 3, 1, 4]), 1, 'same'), tf.tensor1d(w.b1))) as tf.Tensor4D;
    const f2 = tf.tanh(tf.add(tf.conv2d(f1, tf.tensor4d(w.w2, [3, 3, 4, 3]), 1, 'valid'), tf.tensor1d(w.b2)));
    return [f1, f2];
  };
}

/** The same extractor as a two-output tfjs-layers model with trainable weights. */
function extractorModel(w: ExtractorWeights, [h, wd]: number[]): tf.LayersModel {
  const input = tf.input({ shape: [h!, wd!, 1] });
  const c1 = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'tanh' });
  const c2 = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'valid', activation: 'tanh' });
  const f1 = c1.apply(input) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: [f1, c2.apply(f1) as tf.SymbolicTensor] });
  c1.setWeights([tf.tensor4d(w.w1, [3, 3, 1, 4]), tf.tensor1d(w.b1)]);
  c2.setWeights([tf.tensor4d(w.w2, [3, 3, 4, 3]), tf.tensor1d(w.b2)]);
  return model;
}

/**
 * A two-output dense extractor with trainable weights (flatten → tanh dense 6 → tanh dense 3). The
 * freeze tests use it rather than the conv model: gradients through tfjs-layers conv2d (fused) always
 * compute the filter gradient, whose kernel stock wasm lacks, and the freeze does not depend on layer type.
 */
function denseExtractor([h, wd]: number[], seed: number): tf.LayersModel {
  const input = tf.input({ shape: [h!, wd!, 1] });
  const init = (s: number) => tf.initializers.glorotNormal({ seed: s });
  const f1 = tf.layers.dense({ units: 6, activation: 'tanh', kernelInitializer: init(seed), biasInitializer: 'ones' }).apply(tf.layers.flatten().apply(input)) as tf.SymbolicTensor;
  const f2 = tf.layers.dense({ units: 3, activation: 'tanh', kernelInitializer: init(seed + 1), biasInitializer: 'ones' }).apply(f1) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: [f1, f2] });
}

const prepareOptions = (o: Record<string, unknown>) => ({ ...o, extractor: extractorFn(o.extractor as ExtractorWeights) });

const imageSample = (shape: number[], rng: () => number): Sample => {
  const n = shape.reduce((a, b) => a * b, 1);
  return { yTrue: Array.from({ length: n }, () => rng()), yPred: Array.from({ length: n }, () => rng()) };
};

const case0 = fixtures.cases[0]!;
const weights0 = case0.options.extractor as ExtractorWeights;

describeLoss('perceptualLoss', perceptualLoss, {
  fixtures,
  prepareOptions,
  callOptions: case0.options,
  sample: imageSample,
  shapes: [
    [1, 5, 5, 1],
    [2, 6, 4, 1],
  ],
  noneShape: (s) => [s[0]!],
  perfectShape: [2, 5, 5, 1],
  mismatch: [
    [1, 5, 5, 1],
    [1, 5, 6, 1],
  ],
  invalid: [
    [{ distance: 'l3' }, /perceptualLoss: option 'distance' must be one of l1, l2/],
    [{ layerWeights: [1] }, /'layerWeights' has 1 weights but the extractor returned 2 feature tensors/],
    [{ layerWeights: [1, -1] }, /'layerWeights' must be an array of finite numbers >= 0/],
    [{ extractor: 42 }, /'extractor' must be a function or a model with apply\(\)/],
  ],
  // The extractor needs NHWC images; a model-training check with an image-output student is below.
  layers: false,
});

describe('perceptualLoss with a tfjs-layers extractor', () => {
  it('gives the fixture values for a two-output LayersModel with the same weights', () => {
    const model = extractorModel(weights0, case0.shape.slice(1, 3));
    const t = tf.tensor(case0.yTrue, case0.shape);
    const p = tf.tensor(case0.yPred, case0.shape);
    const out = perceptualLoss(t, p, { layerWeights: case0.options.layerWeights, distance: 'l2', extractor: model, reduction: 'none' });
    expectTensorClose(out, case0.none, undefined, 'perceptualLoss with a LayersModel');
    tf.dispose([t, p, out]);
    model.dispose();
  });

  it('sends no gradient into the extractor weights, though they are trainable variables', () => {
    const model = denseExtractor([8, 8], 11);
    const rng = mulberry32(2);
    const s = imageSample([2, 8, 8, 1], rng);
    const t = tf.tensor(s.yTrue, [2, 8, 8, 1]);
    const x = tf.tensor(s.yPred, [2, 8, 8, 1]);
    const v = tf.variable(tf.scalar(0.9), true, 'perceptual_student_scale');
    const extractorNames = model.trainableWeights.map((w) => w.name);
    expect(extractorNames).toHaveLength(4);

    // Without the freeze, the same computation reaches every extractor weight (the check can fail).
    const naive = tf.variableGrads(() =>
      tf.tidy(() => {
        const [a, b] = model.apply(tf.mul(x, v)) as tf.Tensor[];
        return tf.add(tf.sum(tf.square(a!)), tf.sum(tf.square(b!))) as tf.Scalar;
      }),
    );
    expect(Object.keys(naive.grads)).toEqual(expect.arrayContaining(extractorNames));
    tf.dispose([naive.value, ...Object.values(naive.grads)]);

    const frozen = tf.variableGrads(() => perceptualLoss(t, tf.mul(x, v), { extractor: model }) as tf.Scalar);
    expect(Object.keys(frozen.grads)).toEqual([v.name]);
    expect(Math.abs(frozen.grads[v.name]!.dataSync()[0]!)).toBeGreaterThan(0);
    tf.dispose([frozen.value, ...Object.values(frozen.grads), t, x, v]);
    model.dispose();
  });

  it('trains a student model as a tfjs-layers loss; the extractor stays unchanged and nothing leaks', async () => {
    const extractor = denseExtractor([6, 6], 21);
    const before = extractor.getWeights().map((w) => Array.from(w.dataSync()));
    const rng = mulberry32(5);
    const s = imageSample([2, 6, 6, 1], rng);
    const x = tf.tensor(s.yPred, [2, 36]);
    const y = tf.tensor(s.yTrue, [2, 6, 6, 1]);
    // dense + reshape: runs on every test backend (stock wasm cannot train conv2d, STACK.md).
    const student = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [36], units: 36, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }), tf.layers.reshape({ targetShape: [6, 6, 1] })],
    });
    student.compile({ optimizer: tf.train.adam(0.01), loss: (t: tf.Tensor, p: tf.Tensor) => perceptualLoss(t, p, { extractor, layerWeights: [1, 0.5] }) });
    const l1 = (await student.trainOnBatch(x, y)) as number; // creates Adam's slots
    await expectNoLeak(async () => {
      let last = l1;
      for (let i = 0; i < 4; i++) last = (await student.trainOnBatch(x, y)) as number;
      expect(last).toBeLessThan(l1);
    }, 'perceptualLoss training');
    extractor.getWeights().forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(before[i]));
    tf.dispose([x, y]);
    student.dispose();
    extractor.dispose();
  });

  it('rejects an extractor output without the batch axis', () => {
    const t = tf.zeros([2, 4]);
    expect(() => perceptualLoss(t, t, { extractor: () => tf.zeros([3]) })).toThrow(/must return one or more tensors with the batch \(2\) as axis 0/);
    expect(() => perceptualLoss(t, t)).toThrow(/'extractor' must be a function or a model/);
    t.dispose();
  });
});
