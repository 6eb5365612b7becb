import type * as tf from '@tensorflow/tfjs-core';
import type { Metric } from './metrics/metric.js';
import type { TensorInput } from './validate.js';

/** Where an entry is used: the README table groups by it. */
export type Family = 'regression' | 'forecasting' | 'image' | 'segmentation' | 'classification' | 'distribution' | 'distillation';

/** A loss: `fn(yTrue, yPred, options)` plus what docs, configs and tests need to know about it. */
export interface LossSpec {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each entry has its own options type
  fn: (yTrue: TensorInput, yPred: TensorInput, options?: any) => tf.Tensor;
  family: Family;
  /** The formula in plain text (README table). */
  formula: string;
  /** The paper or library it follows. */
  ref: string;
  differentiable: boolean;
}

/** A metric: a loss-shaped function (the one-call form) plus an accumulating form and a direction. */
export interface MetricSpec extends LossSpec {
  higherIsBetter: boolean;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each entry has its own options type
  create: (options?: any) => Metric;
}
