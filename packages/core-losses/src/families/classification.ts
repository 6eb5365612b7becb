// Segmentation and classification entries: exports and registry lines (one family, one file).
import { binaryCrossEntropy } from '../losses/binary-cross-entropy.js';
import { brierLoss } from '../losses/brier-loss.js';
import { categoricalCrossEntropy } from '../losses/categorical-cross-entropy.js';
import { diceLoss } from '../losses/dice-loss.js';
import { focalLoss } from '../losses/focal-loss.js';
import { iouLoss } from '../losses/iou-loss.js';
import { squentropyLoss } from '../losses/squentropy-loss.js';
import { zLoss } from '../losses/z-loss.js';
import { brierScore, brierScoreMetric } from '../metrics/brier-score.js';
import { diceScore, diceScoreMetric } from '../metrics/dice-score.js';
import { expectedCalibrationError, expectedCalibrationErrorMetric } from '../metrics/expected-calibration-error.js';
import { hausdorffDistance, hausdorffDistanceMetric } from '../metrics/hausdorff-distance.js';
import { iouScore, iouScoreMetric } from '../metrics/iou-score.js';
import type { LossSpec, MetricSpec } from '../spec.js';

export { binaryCrossEntropy, sigmoidCrossEntropyWithLogits, type BinaryCrossEntropyOptions } from '../losses/binary-cross-entropy.js';
export { brierLoss, type BrierOptions } from '../losses/brier-loss.js';
export { categoricalCrossEntropy, type CategoricalCrossEntropyOptions } from '../losses/categorical-cross-entropy.js';
export { diceLoss, type DiceLossOptions } from '../losses/dice-loss.js';
export { focalLoss, type FocalLossOptions } from '../losses/focal-loss.js';
export { iouLoss, type IouLossOptions } from '../losses/iou-loss.js';
export { squentropyLoss, type SquentropyOptions } from '../losses/squentropy-loss.js';
export { zLoss, type ZLossOptions } from '../losses/z-loss.js';
export { brierScore, brierScoreMetric, type BrierScoreOptions } from '../metrics/brier-score.js';
export { diceScore, diceScoreMetric, type HardMaskOptions } from '../metrics/dice-score.js';
export { expectedCalibrationError, expectedCalibrationErrorMetric, type EceOptions } from '../metrics/expected-calibration-error.js';
export { hausdorffDistance, hausdorffDistanceMetric, type HausdorffOptions } from '../metrics/hausdorff-distance.js';
export { iouScore, iouScoreMetric } from '../metrics/iou-score.js';

export const CLASSIFICATION_LOSSES = {
  dice: {
    fn: diceLoss,
    family: 'segmentation',
    formula: '1 − (2Σpt + ε)/(Σp + Σt + ε) per sample',
    ref: 'Milletari et al., V-Net, 3DV 2016 (soft Dice)',
    differentiable: true,
  },
  iou: {
    fn: iouLoss,
    family: 'segmentation',
    formula: '1 − (Σpt + ε)/(Σp + Σt − Σpt + ε) per sample',
    ref: 'Rahman & Wang, ISVC 2016 (soft Jaccard)',
    differentiable: true,
  },
  bce: {
    fn: binaryCrossEntropy,
    family: 'classification',
    formula: '−[z log p + (1 − z) log(1 − p)], z ← z(1 − s) + s/2; logits: max(x, 0) − xz + log(1 + e^−|x|)',
    ref: 'torch.nn.BCEWithLogitsLoss; Szegedy et al., CVPR 2016 (smoothing)',
    differentiable: true,
  },
  cce: {
    fn: categoricalCrossEntropy,
    family: 'classification',
    formula: '−Σ_c z_c log p_c, z ← z(1 − s) + s/C; logits via log-softmax',
    ref: 'torch.nn.functional.cross_entropy; Szegedy et al., CVPR 2016 (smoothing)',
    differentiable: true,
  },
  focal: {
    fn: focalLoss,
    family: 'classification',
    formula: '−α_t (1 − p_t)^γ log p_t (binary or categorical)',
    ref: 'Lin et al., ICCV 2017',
    differentiable: true,
  },
  squentropy: {
    fn: squentropyLoss,
    family: 'classification',
    formula: '−log softmax(x)_y + Σ_{c≠y} x_c² / (C − 1)',
    ref: 'Hui, Belkin & Wright, ICML 2023',
    differentiable: true,
  },
  z_loss: {
    fn: zLoss,
    family: 'classification',
    formula: 'softplus(a(b − z_y))/a, z = (o − mean o)/std o',
    ref: 'de Brébisson & Vincent, arXiv:1604.08859 (2016)',
    differentiable: true,
  },
  brier: {
    fn: brierLoss,
    family: 'classification',
    formula: 'Σ_c (p_c − z_c)² per sample',
    ref: 'Brier, Mon. Weather Rev. 1950',
    differentiable: true,
  },
} as const satisfies Record<string, LossSpec>;

export const CLASSIFICATION_METRICS = {
  dice_hard: {
    fn: diceScore,
    create: diceScoreMetric,
    family: 'segmentation',
    formula: '2|T ∩ P|/(|T| + |P|) per image, P = [ŷ ≥ threshold]; empty vs empty = 1',
    ref: 'Dice 1945; MONAI DiceMetric',
    differentiable: false,
    higherIsBetter: true,
  },
  iou_hard: {
    fn: iouScore,
    create: iouScoreMetric,
    family: 'segmentation',
    formula: '|T ∩ P|/|T ∪ P| per image, P = [ŷ ≥ threshold]; empty vs empty = 1',
    ref: 'Jaccard 1912; MONAI MeanIoU',
    differentiable: false,
    higherIsBetter: true,
  },
  hd95: {
    fn: hausdorffDistance,
    create: hausdorffDistanceMetric,
    family: 'segmentation',
    formula: 'max(P95 d(∂P→∂T), P95 d(∂T→∂P)) per image, Euclidean, × spacing',
    ref: 'Huttenlocher et al., TPAMI 1993; MONAI compute_hausdorff_distance',
    differentiable: false,
    higherIsBetter: false,
  },
  ece: {
    fn: expectedCalibrationError,
    create: expectedCalibrationErrorMetric,
    family: 'classification',
    formula: 'Σ_b (|B_b|/N)·|acc(B_b) − conf(B_b)|, 15 equal-width bins, top-label',
    ref: 'Guo et al., ICML 2017',
    differentiable: false,
    higherIsBetter: false,
  },
  brier: {
    fn: brierScore,
    create: brierScoreMetric,
    family: 'classification',
    formula: 'mean over samples of Σ_c (p_c − z_c)²',
    ref: 'Brier 1950; sklearn.metrics.brier_score_loss',
    differentiable: true,
    higherIsBetter: false,
  },
} as const satisfies Record<string, MetricSpec>;
