// Distribution and distillation entries: exports and registry lines (one family, one file).
import { csDivergence } from '../losses/cs-divergence.js';
import { featureMseLoss } from '../losses/feature-mse-loss.js';
import { infoNceLoss } from '../losses/infonce-loss.js';
import { kdKlLoss } from '../losses/kd-kl-loss.js';
import { mmdLoss } from '../losses/mmd-loss.js';
import { ntlMseLoss } from '../losses/ntl-mse-loss.js';
import { ntlWasLoss } from '../losses/ntl-was-loss.js';
import { seqKdLoss } from '../losses/seq-kd-loss.js';
import { sinkhornDivergence } from '../losses/sinkhorn-divergence.js';
import type { LossSpec, MetricSpec } from '../spec.js';

export { csDivergence, type CsDivergenceOptions } from '../losses/cs-divergence.js';
export { featureMseLoss, type FeatureMseOptions } from '../losses/feature-mse-loss.js';
export { CLIP_INIT_LOGIT_SCALE, infoNceLoss, type InfoNceOptions } from '../losses/infonce-loss.js';
export { kdKlLoss, type KdKlOptions } from '../losses/kd-kl-loss.js';
export { mmdLoss, type MmdOptions } from '../losses/mmd-loss.js';
export type { NumberTokenOptions } from '../losses/number-token.js';
export { ntlMseLoss, type NtlMseOptions } from '../losses/ntl-mse-loss.js';
export { ntlWasLoss, type NtlWasOptions } from '../losses/ntl-was-loss.js';
export { seqKdLoss, type SeqKdOptions } from '../losses/seq-kd-loss.js';
export { sinkhornDivergence, type SinkhornOptions } from '../losses/sinkhorn-divergence.js';

export const DISTILLATION_LOSSES = {
  kd_kl: {
    fn: kdKlLoss,
    family: 'distillation',
    formula: 'τ² · KL(softmax(t/τ) ‖ softmax(s/τ))',
    ref: 'Hinton, Vinyals & Dean 2015 (KD); torch kl_div batchmean',
    differentiable: true,
  },
  seq_kd: {
    fn: seqKdLoss,
    family: 'distillation',
    formula: '−log softmax(s)[teacher token], mean over valid tokens',
    ref: 'Kim & Rush, EMNLP 2016',
    differentiable: true,
  },
  feature_mse: {
    fn: featureMseLoss,
    family: 'distillation',
    formula: '(s − t)², optionally after L2 normalisation per position',
    ref: 'Romero et al., ICLR 2015 (FitNets)',
    differentiable: true,
  },
  infonce: {
    fn: infoNceLoss,
    family: 'distillation',
    formula: '½[CE(s·âb̂ᵀ, I) + CE(s·b̂âᵀ, I)], s = exp(min(logitScale, ln 100))',
    ref: 'Radford et al. 2021 (CLIP); van den Oord et al. 2018',
    differentiable: true,
  },
  cs_divergence: {
    fn: csDivergence,
    family: 'distribution',
    formula: '−log((Σk(x,y)/NM)² / ((Σk(x,x′)/N²)(Σk(y,y′)/M²))), Gaussian k',
    ref: 'Príncipe et al. 2000; Jenssen et al. 2006',
    differentiable: true,
  },
  mmd: {
    fn: mmdLoss,
    family: 'distribution',
    formula: 'E k(x,x′) + E k(y,y′) − 2 E k(x,y), Gaussian or Riesz k',
    ref: 'Gretton et al., JMLR 2012',
    differentiable: true,
  },
  sinkhorn: {
    fn: sinkhornDivergence,
    family: 'distribution',
    formula: 'OT_ε(α,β) − ½OT_ε(α,α) − ½OT_ε(β,β), cost ‖x − y‖²',
    ref: 'Genevay et al. 2018; Feydy et al. 2019',
    differentiable: true,
  },
  ntl_was: {
    fn: ntlWasLoss,
    family: 'distribution',
    formula: 'Σ_k p_k |v_k − y| (W₁ over number tokens)',
    ref: 'Zausinger et al., ICML 2025 (NTL-WAS)',
    differentiable: true,
  },
  ntl_mse: {
    fn: ntlMseLoss,
    family: 'distribution',
    formula: '|Σ_k p_k v_k − y|^p (p = 2: NTL-MSE)',
    ref: 'Zausinger et al., ICML 2025 (NTL-MSE)',
    differentiable: true,
  },
} as const satisfies Record<string, LossSpec>;

export const DISTILLATION_METRICS = {} as const satisfies Record<string, MetricSpec>;
