import type * as tf from '@tensorflow/tfjs-core';
import { UnknownKeyError } from './errors.js';
import { charbonnierLoss } from './losses/charbonnier-loss.js';
import { mseLoss } from './losses/mse-loss.js';
import type { Metric } from './metrics/metric.js';
import type { TensorInput } from './validate.js';

/** Where an entry is used: the README table groups by it. */
export type Family = 'regression' | 'forecasting' | 'image' | 'segmentation' | 'distribution' | 'distillation';

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

/** A metric: a loss-shaped function plus an accumulating form and a direction. */
export interface MetricSpec extends LossSpec {
  higherIsBetter: boolean;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  create: (options?: any) => Metric;
}

/** Every loss, by name (one plain table: configs, docs and tests read it; no registration side effects). */
export const LOSSES = {
  mse: { fn: mseLoss, family: 'regression', formula: '(ŷ − y)²', ref: 'Gauss 1809; torch.nn.MSELoss', differentiable: true },
  charbonnier: { fn: charbonnierLoss, family: 'regression', formula: '√((ŷ − y)² + ε²) − ε', ref: 'Charbonnier et al., ICIP 1994', differentiable: true },
} as const satisfies Record<string, LossSpec>;

/** Every metric, by name. */
export const METRICS = {} as const satisfies Record<string, MetricSpec>;

export type LossName = keyof typeof LOSSES;
export type MetricName = keyof typeof METRICS;

/** Looks a loss up by name; unknown names throw UnknownKeyError listing the known ones. */
export function getLoss(name: string): LossSpec {
  if (Object.hasOwn(LOSSES, name)) return LOSSES[name as LossName];
  throw new UnknownKeyError('loss', name, Object.keys(LOSSES));
}

/** Looks a metric up by name; unknown names throw UnknownKeyError listing the known ones. */
export function getMetric(name: string): MetricSpec {
  if (Object.hasOwn(METRICS, name)) return METRICS[name as MetricName];
  throw new UnknownKeyError('metric', name, Object.keys(METRICS));
}
