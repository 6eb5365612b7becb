import { UnknownKeyError } from './errors.js';
import { CLASSIFICATION_LOSSES, CLASSIFICATION_METRICS } from './families/classification.js';
import { DISTILLATION_LOSSES, DISTILLATION_METRICS } from './families/distillation.js';
import { FORECASTING_LOSSES, FORECASTING_METRICS } from './families/forecasting.js';
import { IMAGE_LOSSES, IMAGE_METRICS } from './families/image.js';
import { REGRESSION_LOSSES, REGRESSION_METRICS } from './families/regression.js';
import type { LossSpec, MetricSpec } from './spec.js';

/**
 * Every loss, by name: one plain table that configs (a zod enum over its keys), docs and tests read.
 * Each family file contributes its lines; nothing registers itself by import side effect.
 */
export const LOSSES = {
  ...REGRESSION_LOSSES,
  ...FORECASTING_LOSSES,
  ...IMAGE_LOSSES,
  ...CLASSIFICATION_LOSSES,
  ...DISTILLATION_LOSSES,
} as const satisfies Record<string, LossSpec>;

/** Every metric, by name (each also has an accumulating `create()` form and `higherIsBetter`). */
export const METRICS = {
  ...REGRESSION_METRICS,
  ...FORECASTING_METRICS,
  ...IMAGE_METRICS,
  ...CLASSIFICATION_METRICS,
  ...DISTILLATION_METRICS,
} as const satisfies Record<string, MetricSpec>;

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
