// The demo's networks: one conv-net shape at two widths (teacher and a ≥5× smaller student), an
// accuracy metric for validation, and helpers that read predictions out in batches.
import * as tf from '@tensorflow/tfjs';
import { StatMetric, type Metric } from '@lossworks/core-losses';
import { withSeed } from '../../src/index.js';
import { SHAPE_CLASSES, SIZE } from './shapes.js';

/** Channel widths of the five conv layers. */
export type Widths = readonly [number, number, number, number, number];

/** The teacher's widths (about 70 k parameters). */
export const TEACHER_WIDTHS: Widths = [16, 32, 32, 64, 64];

/** The student's widths (about 12 k parameters: 5.6× fewer than the teacher). */
export const STUDENT_WIDTHS: Widths = [8, 16, 16, 24, 24];

/**
 * A 32×32×1 → 10-logit conv net: conv 3×3 (w0) → conv 3×3 stride 2 (w1) → conv (w2) → conv stride 2
 * (w3) → batch norm → conv (w4, the layer `<name>_feat` that distillation taps, 8×8×w4) → global
 * average pooling → dense (logits). ReLU after every conv, He-normal kernels, built under `withSeed`
 * so the initial weights depend only on `seed`. Strided convs instead of max-pooling keep every heavy
 * kernel (forward and backward) on the fast conv path.
 */
export function convNet(name: string, widths: Widths, seed: number): tf.Sequential {
  const conv = (filters: number, strides: number, layerName?: string): tf.layers.Layer =>
    tf.layers.conv2d({ filters, kernelSize: 3, strides, padding: 'same', activation: 'relu', kernelInitializer: 'heNormal', ...(layerName ? { name: layerName } : {}) });
  return withSeed(seed, () =>
    tf.sequential({
      name,
      layers: [
        tf.layers.inputLayer({ inputShape: [SIZE, SIZE, 1], name: `${name}_image` }),
        conv(widths[0], 1),
        conv(widths[1], 2),
        conv(widths[2], 1),
        conv(widths[3], 2),
        tf.layers.batchNormalization({ momentum: 0.9 }),
        conv(widths[4], 1, `${name}_feat`),
        tf.layers.globalAveragePooling2d({}),
        tf.layers.dense({ units: SHAPE_CLASSES.length, name: `${name}_logits` }),
      ],
    }),
  );
}

/** Top-1 accuracy of logits against one-hot targets, accumulated over batches (logged as `val/accuracy`). */
export function accuracyMetric(): Metric {
  return new StatMetric({
    name: 'accuracy',
    higherIsBetter: true,
    stats: (yTrue, yPred) => {
      const t = yTrue as tf.Tensor;
      const p = yPred as tf.Tensor;
      return [tf.sum(tf.cast(tf.equal(tf.argMax(t, -1), tf.argMax(p, -1)), 'float32')), tf.scalar(t.shape[0] ?? 0)];
    },
    finalize: ([hits, n]) => hits! / n!,
  });
}

/** Predicted classes of `model` for images [n, 32, 32, 1], run in chunks of `chunk`. */
export function predictClasses(model: tf.LayersModel, images: tf.Tensor4D, chunk = 128): Int32Array {
  const n = images.shape[0];
  const out = new Int32Array(n);
  for (let start = 0; start < n; start += chunk) {
    const size = Math.min(chunk, n - start);
    const cls = tf.tidy(() => tf.argMax(model.predict(tf.slice(images, [start, 0, 0, 0], [size, -1, -1, -1])) as tf.Tensor, -1));
    out.set(cls.dataSync(), start);
    cls.dispose();
  }
  return out;
}
