// Regression losses: exports and registry lines (one family, one file).
import type { LossSpec } from '../spec.js';
import { charbonnierLoss } from '../losses/charbonnier-loss.js';
import { mseLoss } from '../losses/mse-loss.js';

export { charbonnierLoss, type CharbonnierOptions } from '../losses/charbonnier-loss.js';
export { mseLoss, type MseOptions } from '../losses/mse-loss.js';

export const REGRESSION_LOSSES = {
  mse: { fn: mseLoss, family: 'regression', formula: '(ŷ − y)²', ref: 'Gauss 1809; torch.nn.MSELoss', differentiable: true },
  charbonnier: { fn: charbonnierLoss, family: 'regression', formula: '√((ŷ − y)² + ε²) − ε', ref: 'Charbonnier et al., ICIP 1994', differentiable: true },
} as const satisfies Record<string, LossSpec>;

export const REGRESSION_METRICS = {} as const;
