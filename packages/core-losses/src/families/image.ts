// image entries: exports and registry lines (one family, one file).
import type { LossSpec, MetricSpec } from '../spec.js';
import { createMsSsimMetric, msSsim, msSsimLoss } from '../metrics/ms-ssim.js';
import { createSsimMetric, ssim, ssimLoss } from '../metrics/ssim.js';

export { createSsimMetric, gaussianTaps, ssim, ssimLoss, type SsimOptions } from '../metrics/ssim.js';
export { MS_SSIM_WEIGHTS, createMsSsimMetric, msSsim, msSsimLoss, msSsimMinSide, type MsSsimOptions } from '../metrics/ms-ssim.js';

const SSIM_FORMULA = 'mean over pixels, channels of (2μxμy + C1)(2σxy + C2) / ((μx² + μy² + C1)(σx² + σy² + C2)); Gaussian 11×11, σ 1.5';
const SSIM_REF = 'Wang et al., IEEE TIP 2004; as skimage structural_similarity';
const MS_SSIM_FORMULA = 'Π_{j<5} cs_j^{w_j} · SSIM_5^{w_5}, 2×2 average pooling between scales';
const MS_SSIM_REF = 'Wang, Simoncelli & Bovik, Asilomar 2003';

export const IMAGE_LOSSES = {
  ssim: { fn: ssimLoss, family: 'image', formula: `1 − SSIM; SSIM = ${SSIM_FORMULA}`, ref: `${SSIM_REF}; Zhao et al., IEEE TCI 2017`, differentiable: true },
  ms_ssim: { fn: msSsimLoss, family: 'image', formula: `1 − MS-SSIM; MS-SSIM = ${MS_SSIM_FORMULA}`, ref: `${MS_SSIM_REF}; Zhao et al., IEEE TCI 2017`, differentiable: true },
} as const satisfies Record<string, LossSpec>;

export const IMAGE_METRICS = {
  ssim: { fn: ssim, family: 'image', formula: SSIM_FORMULA, ref: SSIM_REF, differentiable: true, higherIsBetter: true, create: createSsimMetric },
  ms_ssim: { fn: msSsim, family: 'image', formula: MS_SSIM_FORMULA, ref: MS_SSIM_REF, differentiable: true, higherIsBetter: true, create: createMsSsimMetric },
} as const satisfies Record<string, MetricSpec>;
