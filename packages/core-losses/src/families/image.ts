// image entries: exports and registry lines (one family, one file).
import type { LossSpec, MetricSpec } from '../spec.js';
import { createMsSsimMetric, msSsim, msSsimLoss } from '../metrics/ms-ssim.js';
import { createSsimMetric, ssim, ssimLoss } from '../metrics/ssim.js';
import { createPsnrMetric, psnr, psnrLoss } from '../metrics/psnr.js';
import { createUpsnrMetric, upsnr } from '../metrics/upsnr.js';
import { totalVariationLoss } from '../losses/total-variation-loss.js';
import { umseLoss } from '../losses/umse-loss.js';
import { perceptualLoss } from '../losses/perceptual-loss.js';

export { createSsimMetric, gaussianTaps, ssim, ssimLoss, type SsimOptions } from '../metrics/ssim.js';
export { MS_SSIM_WEIGHTS, createMsSsimMetric, msSsim, msSsimLoss, msSsimMinSide, type MsSsimOptions } from '../metrics/ms-ssim.js';
export { createPsnrMetric, psnr, psnrLoss, type PsnrOptions } from '../metrics/psnr.js';
export { createUpsnrMetric, upsnr, type UpsnrOptions } from '../metrics/upsnr.js';
export { totalVariation, totalVariationLoss, type TotalVariationOptions } from '../losses/total-variation-loss.js';
export { umseLoss, type UmseOptions } from '../losses/umse-loss.js';
export { perceptualLoss, type FeatureFn, type FeatureModel, type PerceptualOptions } from '../losses/perceptual-loss.js';

const SSIM_FORMULA = 'mean over pixels, channels of (2μxμy + C1)(2σxy + C2) / ((μx² + μy² + C1)(σx² + σy² + C2)); Gaussian 11×11, σ 1.5';
const SSIM_REF = 'Wang et al., IEEE TIP 2004; as skimage structural_similarity';
const MS_SSIM_FORMULA = 'Π_{j<5} cs_j^{w_j} · SSIM_5^{w_5}, 2×2 average pooling between scales';
const MS_SSIM_REF = 'Wang, Simoncelli & Bovik, Asilomar 2003';
const PSNR_FORMULA = '10·log10(R² / MSE) per image';
const PSNR_REF = 'as skimage peak_signal_noise_ratio';
const UMSE_REF = 'Marcos-Morales et al., ICML 2023';

export const IMAGE_LOSSES = {
  ssim: { fn: ssimLoss, family: 'image', formula: `1 − SSIM; SSIM = ${SSIM_FORMULA}`, ref: `${SSIM_REF}; Zhao et al., IEEE TCI 2017`, differentiable: true },
  ms_ssim: { fn: msSsimLoss, family: 'image', formula: `1 − MS-SSIM; MS-SSIM = ${MS_SSIM_FORMULA}`, ref: `${MS_SSIM_REF}; Zhao et al., IEEE TCI 2017`, differentiable: true },
  psnr: { fn: psnrLoss, family: 'image', formula: `−PSNR = 10·log10(MSE / R²) per image`, ref: PSNR_REF, differentiable: true },
  tv: { fn: totalVariationLoss, family: 'image', formula: 'Σ |∂x ŷ| + |∂y ŷ| (or Σ √(∂x² + ∂y² + ε²) − ε); y ignored', ref: 'Rudin, Osher & Fatemi, Physica D 1992', differentiable: true },
  perceptual: { fn: perceptualLoss, family: 'image', formula: 'Σ_k w_k · mean |φ_k(ŷ) − φ_k(y)|^p, p = 2 or 1, φ a frozen extractor (option)', ref: 'Johnson, Alahi & Fei-Fei, ECCV 2016', differentiable: true },
  umse: { fn: umseLoss, family: 'image', formula: '(a − ŷ)² − (b − c)²/2, y = (a, b, c) noisy references', ref: UMSE_REF, differentiable: true },
} as const satisfies Record<string, LossSpec>;

export const IMAGE_METRICS = {
  ssim: { fn: ssim, family: 'image', formula: SSIM_FORMULA, ref: SSIM_REF, differentiable: true, higherIsBetter: true, create: createSsimMetric },
  ms_ssim: { fn: msSsim, family: 'image', formula: MS_SSIM_FORMULA, ref: MS_SSIM_REF, differentiable: true, higherIsBetter: true, create: createMsSsimMetric },
  psnr: { fn: psnr, family: 'image', formula: PSNR_FORMULA, ref: PSNR_REF, differentiable: true, higherIsBetter: true, create: createPsnrMetric },
  upsnr: { fn: upsnr, family: 'image', formula: '10·log10(M² / uMSE), uMSE = mean((a − ŷ)² − (b − c)²/2)', ref: UMSE_REF, differentiable: true, higherIsBetter: true, create: createUpsnrMetric },
} as const satisfies Record<string, MetricSpec>;
