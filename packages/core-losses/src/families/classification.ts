// classification entries: exports and registry lines (one family, one file).
import type { LossSpec, MetricSpec } from '../spec.js';

export const CLASSIFICATION_LOSSES = {} as const satisfies Record<string, LossSpec>;

export const CLASSIFICATION_METRICS = {} as const satisfies Record<string, MetricSpec>;
