// Tiny models and data shared by the fit, callback, checkpoint and distillation tests.
import * as tf from '@tensorflow/tfjs';
import { Dataset, Rng, withSeed, type Sample } from '../src/index.js';

/** y = 2a − b + 0.5 (+ a second target 3b − a for two-output models) on n samples with ids. */
export function linearSamples(n: number, seed = 0, twoTargets = false): Sample[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const a = rng.next() * 2 - 1;
    const b = rng.next() * 2 - 1;
    const y = [2 * a - b + 0.5];
    return { x: [a, b], y: twoTargets ? [Float32Array.of(y[0]!), Float32Array.of(3 * b - a)] : y, id: `s${i}` };
  });
}

/** A 2 → 4 (tanh) → [dropout] → 1 MLP with seeded initial weights. */
export function mlp(seed: number, options: { dropout?: number; hidden?: number; name?: string } = {}): tf.Sequential {
  return withSeed(seed, () =>
    tf.sequential({
      layers: [
        tf.layers.dense({ units: options.hidden ?? 4, inputShape: [2], activation: 'tanh', name: options.name }),
        ...(options.dropout ? [tf.layers.dropout({ rate: options.dropout })] : []),
        tf.layers.dense({ units: 1 }),
      ],
    }),
  );
}

/** A shuffled, batched training stream over samples. */
export function stream(samples: Sample[], batch: number): Dataset<Sample[]> {
  return Dataset.fromArray(samples).shuffle(samples.length).batch(batch);
}

/** Copies of every weight's values, in order. */
export function weightValues(model: tf.LayersModel): Float32Array[] {
  return model.weights.map((w) => Float32Array.from(w.read().dataSync()));
}

/** Releases a model's variables. */
export function disposeModel(model: tf.LayersModel): void {
  model.dispose();
}
