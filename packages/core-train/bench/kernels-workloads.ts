// The four workloads of `pnpm bench:kernels`, built the same way as bench/kernels_torch.py builds them
// (shapes, layers, Adam lr 1e-3, MSE), so that the milliseconds compare like for like.
import * as tf from '@tensorflow/tfjs';
import { Adam } from '../src/index.js';

/** One benchmark workload: `step()` runs one timed unit and waits for its result; `dispose()` frees it. */
export interface Workload {
  step: () => void;
  dispose: () => void;
}

function seeded(shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, 'float32', seed);
}

/**
 * One train step: Adam on MSE, the loss read back (as torch's `loss.item()`). The optimizer is
 * core-train's Adam (torch.optim.Adam's rule, what fit() runs), given the gradients of
 * tf.variableGrads.
 */
function trainStep(model: { apply: (x: tf.Tensor) => tf.Tensor; weights: tf.Variable[] }, x: tf.Tensor, y: tf.Tensor): Workload {
  const opt = new Adam({ lr: 1e-3 });
  const params = model.weights.map((variable) => ({ key: variable.name, variable }));
  return {
    step: () => {
      const { value, grads } = tf.variableGrads(() => tf.losses.meanSquaredError(y, model.apply(x)) as tf.Scalar, model.weights);
      opt.applyGradients(params, new Map(Object.entries(grads)), 1e-3);
      value.dataSync();
      tf.dispose([value, ...Object.values(grads)]);
    },
    dispose: () => {
      opt.dispose();
      tf.dispose([x, y]);
    },
  };
}

/** 1024² float32 matrix product (SGEMM). */
export function sgemm(): Workload {
  const a = seeded([1024, 1024], 1);
  const b = seeded([1024, 1024], 2);
  return {
    step: () => {
      const c = tf.matMul(a, b);
      c.dataSync();
      c.dispose();
    },
    dispose: () => tf.dispose([a, b]),
  };
}

/** The dilated conv net: 1→32→32→32→1, 3x3, dilations 1,2,4,1, 'same', ReLU between, 64x64, batch 16. */
export function convnet(batch = 16, size = 64): Workload {
  const chans = [32, 32, 32, 1];
  const dilations = [1, 2, 4, 1];
  const model = tf.sequential({
    layers: chans.map((filters, i) =>
      tf.layers.conv2d({
        filters,
        kernelSize: 3,
        padding: 'same',
        dilationRate: dilations[i]!,
        activation: i < 3 ? 'relu' : 'linear',
        ...(i === 0 ? { inputShape: [size, size, 1] } : {}),
      }),
    ),
  });
  const w = trainStep(
    { apply: (x) => model.apply(x, { training: true }) as tf.Tensor, weights: model.trainableWeights.map((v) => v.read() as tf.Variable) },
    seeded([batch, size, size, 1], 3),
    seeded([batch, size, size, 1], 4),
  );
  return { step: w.step, dispose: () => (w.dispose(), model.dispose()) };
}

/** 2 x LSTM(64) (sigmoid gates, as torch) and Dense(1) on the last step; T=214, F=7, batch 64. */
export function lstm(steps = 214, batch = 64): Workload {
  const model = tf.sequential({
    layers: [
      // Sigmoid gates and uniform recurrent init as torch.nn.LSTM (tfjs-layers' defaults: hardSigmoid, orthogonal).
      tf.layers.lstm({ units: 64, returnSequences: true, recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform', inputShape: [steps, 7] }),
      tf.layers.lstm({ units: 64, recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform' }),
      tf.layers.dense({ units: 1 }),
    ],
  });
  const w = trainStep(
    { apply: (x) => model.apply(x, { training: true }) as tf.Tensor, weights: model.trainableWeights.map((v) => v.read() as tf.Variable) },
    seeded([batch, steps, 7], 5),
    seeded([batch, 1], 6),
  );
  return { step: w.step, dispose: () => (w.dispose(), model.dispose()) };
}

/** A post-norm Transformer encoder block from tf ops: d 256, 4 heads, FFN 1024 (ReLU), 64 tokens, batch 32. */
export function transformer(batch = 32, tokens = 64, d = 256, heads = 4, ff = 1024): Workload {
  const dense = (n: number, m: number, seed: number): tf.Variable[] => [
    tf.variable(tf.mul(seeded([n, m], seed), Math.sqrt(1 / n))),
    tf.variable(tf.zeros([m])),
  ];
  const [wq, bq] = dense(d, d, 10) as [tf.Variable, tf.Variable];
  const [wk, bk] = dense(d, d, 11) as [tf.Variable, tf.Variable];
  const [wv, bv] = dense(d, d, 12) as [tf.Variable, tf.Variable];
  const [wo, bo] = dense(d, d, 13) as [tf.Variable, tf.Variable];
  const [w1, b1] = dense(d, ff, 14) as [tf.Variable, tf.Variable];
  const [w2, b2] = dense(ff, d, 15) as [tf.Variable, tf.Variable];
  const g1 = tf.variable(tf.ones([d]));
  const be1 = tf.variable(tf.zeros([d]));
  const g2 = tf.variable(tf.ones([d]));
  const be2 = tf.variable(tf.zeros([d]));
  const weights = [wq, bq, wk, bk, wv, bv, wo, bo, w1, b1, w2, b2, g1, be1, g2, be2];
  const dh = d / heads;
  const lin = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): tf.Tensor => tf.add(tf.matMul(x, w), b);
  const layerNorm = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
  };
  const split = (x: tf.Tensor): tf.Tensor => tf.transpose(tf.reshape(x, [batch, tokens, heads, dh]), [0, 2, 1, 3]);
  const apply = (x: tf.Tensor): tf.Tensor => {
    const x2 = tf.reshape(x, [batch * tokens, d]);
    const q = split(lin(x2, wq, bq));
    const k = split(lin(x2, wk, bk));
    const v = split(lin(x2, wv, bv));
    const att = tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh)));
    const ctx = tf.reshape(tf.transpose(tf.matMul(att, v), [0, 2, 1, 3]), [batch * tokens, d]);
    const h = layerNorm(tf.add(x2, lin(ctx, wo, bo)), g1, be1);
    const f = lin(tf.relu(lin(h, w1, b1)), w2, b2);
    return tf.reshape(layerNorm(tf.add(h, f), g2, be2), [batch, tokens, d]);
  };
  const w = trainStep({ apply, weights }, seeded([batch, tokens, d], 7), seeded([batch, tokens, d], 8));
  return { step: w.step, dispose: () => (w.dispose(), tf.dispose(weights)) };
}

/**
 * A small max-pooling conv classifier: conv 3→32 (ReLU) → max-pool 2 → conv 32→64 (ReLU) → max-pool 2
 * → dense 10, 32x32 RGB input, batch 32 (the shape of a CIFAR-style net; MSE to random targets like
 * the other workloads).
 */
export function poolnet(batch = 32): Workload {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10 }),
    ],
  });
  const w = trainStep(
    { apply: (x) => model.apply(x, { training: true }) as tf.Tensor, weights: model.trainableWeights.map((v) => v.read() as tf.Variable) },
    seeded([batch, 32, 32, 3], 20),
    seeded([batch, 10], 21),
  );
  return { step: w.step, dispose: () => (w.dispose(), model.dispose()) };
}

/** Every workload by name, as the table lists them. */
export const WORKLOADS = { sgemm, convnet, lstm, transformer, poolnet } as const;
/** A workload name. */
export type WorkloadName = keyof typeof WORKLOADS;
