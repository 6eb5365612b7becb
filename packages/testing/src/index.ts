export { FLOAT32, tolerance, type Tolerance } from './tolerances.js';
export { expectTensorClose, worstMismatch, type Mismatch } from './tensor-close.js';
export { checkGradient, type GradientCheckOptions, type GradientReport } from './gradient.js';
export { expectNoLeak } from './leak.js';
export { mulberry32, normals, sizeOf } from './random.js';
export { describeLoss, type LossContract, type LossFixtureCase, type LossFixtures, type LossFn, type Sample } from './describe-loss.js';
export { describeMetric, type MetricContract, type MetricLike } from './describe-metric.js';
