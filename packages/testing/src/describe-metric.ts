import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from './random.js';
import type { Sample } from './describe-loss.js';

/** The accumulating side of a metric (torchmetrics' update / compute / reset). */
export interface MetricLike {
  readonly higherIsBetter: boolean;
  update(yTrue: tf.Tensor | tf.TensorLike, yPred: tf.Tensor | tf.TensorLike): void;
  compute(): number;
  reset(): void;
  dispose(): void;
}

/** What {@link describeMetric} needs: a factory, the one-call form, and batch inputs. */
export interface MetricContract {
  create: () => MetricLike;
  /** One call over all data: returns a scalar tensor or a number. */
  functional: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor | number;
  /** Inputs of one batch of the given shape. */
  sample: (shape: number[], rng: () => number) => Sample;
  /** Batch shape; batches concatenate along axis 0. Default [4, 8]. */
  batchShape?: number[];
  /** Relative tolerance for accumulated vs one-call (float32 sums in another order). Default 1e-4. */
  rtol?: number;
  higherIsBetter: boolean;
  /** Shape of a batch's yTrue for its yPred shape, when the target carries extra axes (default: the same shape). */
  yTrueShape?: (shape: number[]) => number[];
}

/** The accumulation contract (STYLE §6 item 7): N updates then compute equal the one-call result; early compute warns. */
export function describeMetric(name: string, spec: MetricContract): void {
  describe(`${name} (metric contract)`, () => {
    it(`declares higherIsBetter = ${spec.higherIsBetter}`, () => {
      const m = spec.create();
      expect(m.higherIsBetter).toBe(spec.higherIsBetter);
      m.dispose();
    });

    it('accumulates batch by batch to the one-call value, without leaking', () => {
      const rng = mulberry32(21);
      const shape = spec.batchShape ?? [4, 8];
      const batches = [0, 1, 2].map(() => spec.sample(shape, rng));
      const tShape = (spec.yTrueShape ?? ((x: number[]) => x))(shape);
      const before = tf.memory().numTensors;
      const m = spec.create();
      for (const b of batches) {
        const yTrue = tf.tensor(b.yTrue, tShape);
        const yPred = tf.tensor(b.yPred, shape);
        m.update(yTrue, yPred);
        tf.dispose([yTrue, yPred]); // the metric must have copied what it keeps
      }
      const accumulated = m.compute();
      const allTrue = tf.tensor(batches.flatMap((b) => b.yTrue), [tShape[0]! * 3, ...tShape.slice(1)]);
      const allPred = tf.tensor(batches.flatMap((b) => b.yPred), [shape[0]! * 3, ...shape.slice(1)]);
      const oneCall = spec.functional(allTrue, allPred);
      const expected = typeof oneCall === 'number' ? oneCall : (oneCall.dataSync()[0] as number);
      if (typeof oneCall !== 'number') oneCall.dispose();
      tf.dispose([allTrue, allPred]);
      const rtol = spec.rtol ?? 1e-4;
      expect(Math.abs(accumulated - expected)).toBeLessThanOrEqual(1e-6 + rtol * Math.abs(expected));
      m.reset();
      m.dispose();
      expect(tf.memory().numTensors, 'tensors left after dispose()').toBe(before);
    });

    it('warns and returns NaN when computed before any update', async () => {
      const m = spec.create();
      const warnings: Error[] = [];
      const onWarning = (w: Error) => warnings.push(w);
      process.on('warning', onWarning);
      try {
        expect(Number.isNaN(m.compute())).toBe(true);
        await new Promise((r) => setImmediate(r));
      } finally {
        process.off('warning', onWarning);
        m.dispose();
      }
      expect(warnings.some((w) => /before any update/.test(w.message))).toBe(true);
    });
  });
}
