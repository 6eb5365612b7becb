import { UnknownKeyError } from '../errors.js';
import { Adam, AdamW, type AdamOptions } from './adam.js';
import type { Optimizer } from './optimizer.js';
import { Sgd, type SgdOptions } from './sgd.js';

export { Optimizer, checkHyper, type OptimizerState, type ParamRef } from './optimizer.js';
export { Sgd, type SgdOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';

/** An optimizer as configs name it: `{ name: 'adamw', lr: 1e-3, weightDecay: 0.05 }`. */
export type OptimizerConfig = ({ name: 'sgd' } & SgdOptions) | ({ name: 'adam' } & AdamOptions) | ({ name: 'adamw' } & AdamOptions);

/** Names {@link createOptimizer} knows. */
export const OPTIMIZERS = ['sgd', 'adam', 'adamw'] as const;

/** Builds an optimizer from its config; unknown names throw UnknownKeyError listing the known ones. */
export function createOptimizer(config: OptimizerConfig): Optimizer {
  const { name, ...options } = config;
  switch (name) {
    case 'sgd':
      return new Sgd(options as SgdOptions);
    case 'adam':
      return new Adam(options as AdamOptions);
    case 'adamw':
      return new AdamW(options as AdamOptions);
    default:
      throw new UnknownKeyError('optimizer', String(name), OPTIMIZERS);
  }
}
