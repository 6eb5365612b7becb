import * as tf from '@tensorflow/tfjs-core';
import type { TensorInput } from '../validate.js';

/**
 * An accumulating metric (torchmetrics' Metric): `update` per batch, `compute` at the end, `reset` to
 * start over. State is kept as float64 JS numbers (sufficient statistics), so a metric owns no tensors.
 */
export interface Metric {
  readonly name: string;
  /** Whether larger values are better (drives early stopping and model selection). */
  readonly higherIsBetter: boolean;
  update(yTrue: TensorInput, yPred: TensorInput): void;
  /** The metric over every batch since the last reset; NaN with a process warning before any update. */
  compute(): number;
  reset(): void;
  dispose(): void;
}

/** How a metric turns batches into sufficient statistics and those into its value. */
export interface StatMetricDef {
  name: string;
  higherIsBetter: boolean;
  /** Sufficient statistics of one batch, as scalar tensors (run inside a tidy). */
  stats: (yTrue: TensorInput, yPred: TensorInput) => tf.Tensor[];
  /** Metric value from the summed statistics. */
  finalize: (stats: Float64Array) => number;
}

/** A metric whose state is the element-wise sum of per-batch statistics. */
export class StatMetric implements Metric {
  readonly name: string;
  readonly higherIsBetter: boolean;
  private sums: Float64Array | null = null;

  constructor(private readonly def: StatMetricDef) {
    this.name = def.name;
    this.higherIsBetter = def.higherIsBetter;
  }

  update(yTrue: TensorInput, yPred: TensorInput): void {
    const stats = tf.tidy(() => tf.stack(this.def.stats(yTrue, yPred).map((s) => tf.reshape(tf.cast(s, 'float32'), []))));
    const values = stats.dataSync();
    stats.dispose();
    if (!this.sums) this.sums = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) this.sums[i]! += values[i]!;
  }

  compute(): number {
    if (!this.sums) {
      process.emitWarning(`${this.name}: compute() was called before any update; returning NaN.`, { code: 'LOSSWORKS_EARLY_COMPUTE' });
      return Number.NaN;
    }
    return this.def.finalize(this.sums);
  }

  reset(): void {
    this.sums = null;
  }

  dispose(): void {
    this.sums = null;
  }
}

/** A metric that averages a per-sample value over every sample seen (e.g. HD95, per-image SSIM). */
export class MeanOfSamplesMetric extends StatMetric {
  constructor(name: string, higherIsBetter: boolean, perSample: (yTrue: TensorInput, yPred: TensorInput) => tf.Tensor) {
    super({
      name,
      higherIsBetter,
      stats: (t, p) => {
        const v = perSample(t, p);
        return [tf.sum(v), tf.scalar(v.size)];
      },
      finalize: ([sum, n]) => (sum as number) / (n as number),
    });
  }
}
