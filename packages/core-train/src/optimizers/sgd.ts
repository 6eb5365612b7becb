import * as tf from '@tensorflow/tfjs';
import { ValueError } from '../errors.js';
import { SGD_UPDATE_KERNEL, runUpdateKernel } from './fused.js';
import { Optimizer, checkHyper } from './optimizer.js';

/** Options of {@link Sgd}. */
export interface SgdOptions {
  /** Base learning rate. */
  lr: number;
  /** Momentum factor μ. Default 0 (plain SGD). */
  momentum?: number;
  /** Dampening of the momentum buffer. Default 0. */
  dampening?: number;
  /** Nesterov momentum (Sutskever et al. 2013, as torch.optim.SGD). Default false. */
  nesterov?: boolean;
  /** L2 penalty added to the gradient (coupled weight decay). Default 0. */
  weightDecay?: number;
}

/**
 * SGD with momentum as torch.optim.SGD: g ← g + λp; b ← g (first step) or μb + (1 − τ)g; with Nesterov
 * g ← g + μb, else g ← b; p ← p − η·g.
 */
export class Sgd extends Optimizer {
  readonly name = 'sgd';
  readonly config: { lr: number; momentum: number; dampening: number; nesterov: boolean; weightDecay: number };

  constructor({ lr, momentum = 0, dampening = 0, nesterov = false, weightDecay = 0 }: SgdOptions) {
    super();
    checkHyper('Sgd', 'lr', lr, 0);
    checkHyper('Sgd', 'momentum', momentum, 0);
    checkHyper('Sgd', 'dampening', dampening, 0, 1);
    checkHyper('Sgd', 'weightDecay', weightDecay, 0);
    if (nesterov && (momentum <= 0 || dampening !== 0)) {
      throw new ValueError(`Sgd: Nesterov momentum needs momentum > 0 and dampening 0. Value: momentum ${momentum}, dampening ${dampening}.`);
    }
    this.config = { lr, momentum, dampening, nesterov, weightDecay };
  }

  protected update(param: tf.Tensor, grad: tf.Tensor, slots: Readonly<Record<string, tf.Tensor>> | undefined, _step: number, lr: number) {
    const { momentum, dampening, nesterov, weightDecay } = this.config;
    let g = weightDecay !== 0 ? tf.add(grad, tf.mul(param, weightDecay)) : grad;
    const out: Record<string, tf.Tensor> = {};
    if (momentum !== 0) {
      const prev = slots?.momentum;
      const buf = prev ? tf.add(tf.mul(prev, momentum), tf.mul(g, 1 - dampening)) : tf.clone(g);
      out.momentum = buf;
      g = nesterov ? tf.add(g, tf.mul(buf, momentum)) : buf;
    }
    return { param: tf.sub(param, tf.mul(g, lr)), slots: out };
  }

  /** update() as one kernel call where the backend has it (same values; see ./fused.ts). */
  protected override fusedUpdate(param: tf.Tensor, grad: tf.Tensor, slots: Readonly<Record<string, tf.Tensor>> | undefined, _step: number, lr: number) {
    const momentum = this.config.momentum !== 0 ? slots?.momentum : undefined;
    const out = runUpdateKernel(SGD_UPDATE_KERNEL, { param, grad, momentum }, { ...this.config, lr });
    if (!out) return undefined;
    const next: Record<string, tf.Tensor> = {};
    if (out[1]) next.momentum = out[1];
    return { param: out[0]!, slots: next };
  }
}
