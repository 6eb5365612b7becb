// Latency measurement for the demo: median wall time of repeated calls, warm-up calls excluded.
import type * as tf from '@tensorflow/tfjs';
import type { OnnxPredictor } from '../../src/index.js';

/** How many calls to time and how many to run first without timing. */
export interface RepeatOptions {
  warmup: number;
  repeats: number;
}

/** Median of a non-empty list of numbers. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median: needs at least one value.');
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Median milliseconds of `fn` over `repeats` timed calls, after `warmup` untimed ones. */
export async function medianMs(fn: () => unknown, { warmup, repeats }: RepeatOptions): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** TF.js inference latency: `predict` plus reading the logits back (what a caller waits for). */
export function tfjsLatency(model: tf.LayersModel, input: tf.Tensor, options: RepeatOptions): Promise<number> {
  return medianMs(async () => {
    const out = model.predict(input) as tf.Tensor;
    await out.data();
    out.dispose();
  }, options);
}

/** ONNX Runtime inference latency of an exported model on the same input (as a Float32Array). */
export function onnxLatency(predictor: OnnxPredictor, input: Float32Array, shape: readonly number[], options: RepeatOptions): Promise<number> {
  return medianMs(() => predictor.run({ data: input, shape }), options);
}
