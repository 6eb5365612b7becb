// forecasting entries: exports and registry lines (one family, one file).
import type { LossSpec, MetricSpec } from '../spec.js';

export const FORECASTING_LOSSES = {} as const satisfies Record<string, LossSpec>;

export const FORECASTING_METRICS = {} as const satisfies Record<string, MetricSpec>;
