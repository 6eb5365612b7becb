// Regression losses: exports and registry lines (one family, one file).
import type { LossSpec, MetricSpec } from '../spec.js';
import { charbonnierLoss } from '../losses/charbonnier-loss.js';
import { gaussianNllLoss } from '../losses/gaussian-nll-loss.js';
import { huberLoss } from '../losses/huber-loss.js';
import { logCoshLoss } from '../losses/log-cosh-loss.js';
import { maeLoss } from '../losses/mae-loss.js';
import { mapeLoss } from '../losses/mape-loss.js';
import { mseLoss } from '../losses/mse-loss.js';
import { msleLoss } from '../losses/msle-loss.js';
import { poissonNllLoss } from '../losses/poisson-nll-loss.js';
import { pseudoHuberLoss } from '../losses/pseudo-huber-loss.js';
import { quantileLoss } from '../losses/quantile-loss.js';
import { rmseLoss } from '../losses/rmse-loss.js';
import { smapeLoss } from '../losses/smape-loss.js';
import { createPearsonMetric, pearsonCorrelation } from '../metrics/pearson-correlation.js';
import { createR2Metric, r2Score } from '../metrics/r2-score.js';

export { charbonnierLoss, type CharbonnierOptions } from '../losses/charbonnier-loss.js';
export { gaussianNllLoss, type GaussianNllOptions } from '../losses/gaussian-nll-loss.js';
export { huberLoss, type HuberOptions } from '../losses/huber-loss.js';
export { logCoshLoss, type LogCoshOptions } from '../losses/log-cosh-loss.js';
export { maeLoss, type MaeOptions } from '../losses/mae-loss.js';
export { mapeLoss, type MapeOptions } from '../losses/mape-loss.js';
export { mseLoss, type MseOptions } from '../losses/mse-loss.js';
export { msleLoss, type MsleOptions } from '../losses/msle-loss.js';
export { poissonNllLoss, type PoissonNllOptions } from '../losses/poisson-nll-loss.js';
export { pseudoHuberLoss, scheduledDelta, type DeltaSchedule, type PseudoHuberOptions } from '../losses/pseudo-huber-loss.js';
export { quantileLoss, type QuantileOptions } from '../losses/quantile-loss.js';
export { rmseLoss, type RmseOptions } from '../losses/rmse-loss.js';
export { smapeLoss, type SmapeOptions } from '../losses/smape-loss.js';
export { createPearsonMetric, pearsonCorrelation, type PearsonOptions } from '../metrics/pearson-correlation.js';
export { createR2Metric, r2Score, type R2Options } from '../metrics/r2-score.js';

export const REGRESSION_LOSSES = {
  mse: { fn: mseLoss, family: 'regression', formula: '(ŷ − y)²', ref: 'Gauss 1809; torch.nn.MSELoss', differentiable: true },
  charbonnier: { fn: charbonnierLoss, family: 'regression', formula: '√((ŷ − y)² + ε²) − ε', ref: 'Charbonnier et al., ICIP 1994', differentiable: true },
  mae: { fn: maeLoss, family: 'regression', formula: '|ŷ − y|', ref: 'Laplace 1774; torch.nn.L1Loss', differentiable: true },
  rmse: { fn: rmseLoss, family: 'regression', formula: '√(mean over axis of (ŷ − y)²)', ref: 'torch.sqrt(torch.nn.MSELoss)', differentiable: true },
  huber: { fn: huberLoss, family: 'regression', formula: '½e² if |e| ≤ δ else δ(|e| − ½δ)', ref: 'Huber, Ann. Math. Stat. 1964; torch.nn.HuberLoss', differentiable: true },
  pseudo_huber: {
    fn: pseudoHuberLoss,
    family: 'regression',
    formula: 'δ(t)²(√(1 + (e/δ(t))²) − 1), δ constant or scheduled in the diffusion step t',
    ref: 'Khrapov et al. 2024, scheduled pseudo-Huber loss (arXiv:2403.16728)',
    differentiable: true,
  },
  log_cosh: { fn: logCoshLoss, family: 'regression', formula: 'log cosh(ŷ − y) = |e| + softplus(−2|e|) − log 2', ref: 'Chen et al. 2019; Keras log_cosh', differentiable: true },
  quantile: { fn: quantileLoss, family: 'regression', formula: 'max(τu, (τ − 1)u), u = y − ŷ', ref: 'Koenker & Bassett, Econometrica 1978', differentiable: true },
  msle: { fn: msleLoss, family: 'regression', formula: '(log(1 + ŷ) − log(1 + y))², values < 0 as 0', ref: 'Keras mean_squared_logarithmic_error', differentiable: true },
  mape: { fn: mapeLoss, family: 'regression', formula: '|y − ŷ| / max(|y|, ε)', ref: 'sklearn mean_absolute_percentage_error', differentiable: true },
  smape: { fn: smapeLoss, family: 'regression', formula: '2|ŷ − y| / (|y| + |ŷ|)', ref: 'Makridakis 1993; M4 competition (Makridakis et al. 2020)', differentiable: true },
  poisson_nll: { fn: poissonNllLoss, family: 'regression', formula: 'exp(ŷ) − yŷ (log rate) or ŷ − y·log(ŷ + ε) (rate)', ref: 'torch.nn.PoissonNLLLoss', differentiable: true },
  gaussian_nll: {
    fn: gaussianNllLoss,
    family: 'regression',
    formula: '½(log σ² + (y − μ)²/σ²), (μ, σ² or log σ²) on yPred’s last axis',
    ref: 'Nix & Weigend 1994; Kendall & Gal 2017; torch.nn.GaussianNLLLoss',
    differentiable: true,
  },
} as const satisfies Record<string, LossSpec>;

export const REGRESSION_METRICS = {
  r2: {
    fn: r2Score,
    family: 'regression',
    formula: '1 − Σ(y − ŷ)² / Σ(y − ȳ)²',
    ref: 'as sklearn r2_score (force_finite)',
    differentiable: true,
    higherIsBetter: true,
    create: createR2Metric,
  },
  pearson: {
    fn: pearsonCorrelation,
    family: 'regression',
    formula: 'Σ(y − ȳ)(ŷ − ŷ̄) / √(Σ(y − ȳ)² Σ(ŷ − ŷ̄)²)',
    ref: 'Pearson 1895; as scipy.stats.pearsonr',
    differentiable: true,
    higherIsBetter: true,
    create: createPearsonMetric,
  },
} as const satisfies Record<string, MetricSpec>;
