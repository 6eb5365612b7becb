// Forecasting entries: exports and registry lines (one family, one file).
import type { LossSpec, MetricSpec } from '../spec.js';
import { fmaeLoss } from '../losses/fmae-loss.js';
import { gmadlLoss } from '../losses/gmadl-loss.js';
import { latWeightedMaeLoss } from '../losses/lat-weighted-mae-loss.js';
import { latWeightedMseLoss } from '../losses/lat-weighted-mse-loss.js';
import { latWeightedRmseLoss } from '../losses/lat-weighted-rmse-loss.js';
import { madlLoss } from '../losses/madl-loss.js';
import { temporallyRescaledLoss } from '../losses/temporally-rescaled-loss.js';
import { anomalyCorrelation, createAccMetric } from '../metrics/anomaly-correlation.js';

export { fitFmaeBins, fmaeBinWeights, fmaeLoss, type FitFmaeBinsOptions, type FmaeBins, type FmaeOptions } from '../losses/fmae-loss.js';
export { gmadlLoss, type GmadlOptions } from '../losses/gmadl-loss.js';
export { latWeightedMaeLoss, type LatWeightedMaeOptions } from '../losses/lat-weighted-mae-loss.js';
export { latWeightedMseLoss, type LatWeightedMseOptions } from '../losses/lat-weighted-mse-loss.js';
export { latWeightedRmseLoss, type LatWeightedRmseOptions } from '../losses/lat-weighted-rmse-loss.js';
export { latitudeWeights, type LatitudeOptions } from '../losses/latitude-weights.js';
export { madlLoss, type MadlOptions } from '../losses/madl-loss.js';
export { temporallyRescaledLoss, temporalWeights, type TemporallyRescaledOptions } from '../losses/temporally-rescaled-loss.js';
export { anomalyCorrelation, createAccMetric, type AccOptions } from '../metrics/anomaly-correlation.js';

export const FORECASTING_LOSSES = {
  fmae: {
    fn: fmaeLoss,
    family: 'forecasting',
    formula: 'w·|ŷ − y|, w = (1 − β)/(1 − βⁿ), n = training count of the value’s histogram bin',
    ref: 'AirCast: Nedungadi et al. 2025 (arXiv:2502.17919); Cui et al., CVPR 2019',
    differentiable: true,
  },
  lat_mae: { fn: latWeightedMaeLoss, family: 'forecasting', formula: 'w(φ)·|ŷ − y|, w = cos φ / mean cos φ', ref: 'WeatherBench: Rasp et al. 2020; ClimaX', differentiable: true },
  lat_mse: { fn: latWeightedMseLoss, family: 'forecasting', formula: 'w(φ)·(ŷ − y)², w = cos φ / mean cos φ', ref: 'WeatherBench: Rasp et al. 2020; ClimaX', differentiable: true },
  lat_rmse: {
    fn: latWeightedRmseLoss,
    family: 'forecasting',
    formula: '√(mean over lat, lon of w(φ)·(ŷ − y)²) per sample',
    ref: 'WeatherBench: Rasp et al. 2020, eq. 1; ClimaX',
    differentiable: true,
  },
  temporally_rescaled: {
    fn: temporallyRescaledLoss,
    family: 'forecasting',
    formula: '(w_t·(ŷ − y))², w_t ∝ ((t + 1)/(T + 1))^p, mean 1',
    ref: 'Wang & Yan 2023 (arXiv:2307.11462)',
    differentiable: true,
  },
  madl: { fn: madlLoss, family: 'forecasting', formula: '−sign(R·R̂)·|R|', ref: 'Michańków, Sakowski & Ślepaczuk 2023 (arXiv:2309.10546)', differentiable: false },
  gmadl: {
    fn: gmadlLoss,
    family: 'forecasting',
    formula: '−(σ(a·R·R̂) − ½)·|R|^b',
    ref: 'Michańków, Kwiatkowski & Ślepaczuk 2024 (arXiv:2412.18405)',
    differentiable: true,
  },
} as const satisfies Record<string, LossSpec>;

export const FORECASTING_METRICS = {
  acc: {
    fn: anomalyCorrelation,
    family: 'forecasting',
    formula: 'Σw f′o′ / √(Σw f′² Σw o′²), f′ = ŷ − c, o′ = y − c (c climatology)',
    ref: 'WMO; Jolliffe & Stephenson 2012; WeatherBench 2 (Rasp et al. 2024)',
    differentiable: true,
    higherIsBetter: true,
    create: createAccMetric,
  },
} as const satisfies Record<string, MetricSpec>;
