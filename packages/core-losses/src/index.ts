export { CoreError, ShapeError, UnknownKeyError, ValueError } from './errors.js';
export { checkReduction, reduce, reduceWeighted, type Reduction, type ReductionOptions } from './reduction.js';
export { asTensor, assertSameShape, type TensorInput } from './validate.js';
export { MeanOfSamplesMetric, StatMetric, type Metric, type StatMetricDef } from './metrics/metric.js';
export { LOSSES, METRICS, getLoss, getMetric, type Family, type LossName, type LossSpec, type MetricName, type MetricSpec } from './registry.js';
export { mseLoss, type MseOptions } from './losses/mse-loss.js';
export { charbonnierLoss, type CharbonnierOptions } from './losses/charbonnier-loss.js';
