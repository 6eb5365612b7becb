import * as tf from '@tensorflow/tfjs';
import { ValueError } from '../errors.js';
import { ADAM_UPDATE_KERNEL, runUpdateKernel } from './fused.js';
import { Optimizer, checkHyper } from './optimizer.js';

/** Options of {@link Adam} and {@link AdamW}. */
export interface AdamOptions {
  /** Base learning rate. */
  lr: number;
  /** Decay of the first moment. Default 0.9. */
  beta1?: number;
  /** Decay of the second moment. Default 0.999. */
  beta2?: number;
  /** Added to √v̂ in the denominator. Default 1e-8. */
  eps?: number;
  /**
   * Adam: L2 penalty added to the gradient (coupled), default 0. AdamW: decoupled decay p ← p(1 − ηλ),
   * default 0.01 (torch.optim.AdamW's default).
   */
  weightDecay?: number;
}

/** Shared Adam step; `decoupled` selects AdamW's weight decay. */
abstract class AdamBase extends Optimizer {
  readonly config: { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number };
  protected abstract readonly decoupled: boolean;

  constructor(fn: string, { lr, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay }: AdamOptions, defaultDecay: number) {
    super();
    checkHyper(fn, 'lr', lr, 0);
    for (const [name, b] of [['beta1', beta1], ['beta2', beta2]] as const) {
      if (!(b >= 0 && b < 1)) throw new ValueError(`${fn}: option '${name}' must be in [0, 1). Value: ${b}.`);
    }
    checkHyper(fn, 'eps', eps, 0);
    checkHyper(fn, 'weightDecay', weightDecay ?? defaultDecay, 0);
    this.config = { lr, beta1, beta2, eps, weightDecay: weightDecay ?? defaultDecay };
  }

  protected update(param: tf.Tensor, grad: tf.Tensor, slots: Readonly<Record<string, tf.Tensor>> | undefined, step: number, lr: number) {
    const { beta1, beta2, eps, weightDecay } = this.config;
    let p = param;
    let g = grad;
    if (weightDecay !== 0) {
      if (this.decoupled) p = tf.mul(p, 1 - lr * weightDecay);
      else g = tf.add(g, tf.mul(p, weightDecay));
    }
    const m0 = slots?.m ?? tf.zerosLike(param);
    const v0 = slots?.v ?? tf.zerosLike(param);
    const m = tf.add(tf.mul(m0, beta1), tf.mul(g, 1 - beta1));
    const v = tf.add(tf.mul(v0, beta2), tf.mul(tf.mul(g, g), 1 - beta2));
    // Bias corrections in float64 on the host, as torch computes them in Python floats.
    const stepSize = lr / (1 - beta1 ** step);
    const bc2Sqrt = Math.sqrt(1 - beta2 ** step);
    const denom = tf.add(tf.div(tf.sqrt(v), bc2Sqrt), eps);
    return { param: tf.sub(p, tf.mul(tf.div(m, denom), stepSize)), slots: { m, v } };
  }

  /** update() as one kernel call where the backend has it (same values; see ./fused.ts). */
  protected override fusedUpdate(param: tf.Tensor, grad: tf.Tensor, slots: Readonly<Record<string, tf.Tensor>> | undefined, step: number, lr: number) {
    const { beta1, beta2, eps, weightDecay } = this.config;
    if ((slots?.m === undefined) !== (slots?.v === undefined)) return undefined;
    const attrs = { beta1, beta2, eps, weightDecay, decoupled: this.decoupled, lr, stepSize: lr / (1 - beta1 ** step), bc2Sqrt: Math.sqrt(1 - beta2 ** step) };
    const out = runUpdateKernel(ADAM_UPDATE_KERNEL, { param, grad, m: slots?.m, v: slots?.v }, attrs);
    return out && { param: out[0]!, slots: { m: out[1]!, v: out[2]! } };
  }
}

/**
 * Adam (Kingma & Ba 2015) as torch.optim.Adam: m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²;
 * p ← p − η/(1 − β₁ᵗ) · m / (√v/√(1 − β₂ᵗ) + ε). `weightDecay` adds λp to g (L2, coupled).
 */
export class Adam extends AdamBase {
  readonly name = 'adam';
  protected readonly decoupled = false;
  constructor(options: AdamOptions) {
    super('Adam', options, 0);
  }
}

/**
 * AdamW (Loshchilov & Hutter, ICLR 2019) as torch.optim.AdamW: decoupled weight decay p ← p(1 − ηλ),
 * then the Adam step on the raw gradient.
 */
export class AdamW extends AdamBase {
  readonly name = 'adamw';
  protected readonly decoupled = true;
  constructor(options: AdamOptions) {
    super('AdamW', options, 0.01);
  }
}
