import * as tf from '@tensorflow/tfjs';
import { CheckpointError, ValueError } from '../errors.js';
import type { ParamRef } from '../optimizers/optimizer.js';
import { checkParamShape } from './model.js';

/** Options of the weight EMA (`fit({ ema })`). */
export interface EmaOptions {
  /** Decay d in [0, 1): shadow ← d·shadow + (1 − d)·w after every optimizer step. */
  decay: number;
  /** Use d_t = min(d, (1 + t)/(10 + t)) so early averages are not dominated by the initial weights (TF's num_updates). Default false. */
  warmup?: boolean;
  /** Validate with the EMA weights swapped in. Default true. */
  validate?: boolean;
  /** Leave the EMA weights in the model when training ends (for export). Default true. */
  applyAtEnd?: boolean;
}

/**
 * Exponential moving average of weights (Polyak averaging; torch.optim.swa_utils / timm ModelEmaV2),
 * with swap-in: {@link Ema.swapIn} puts the averages into the model (for validation or export) and
 * {@link Ema.swapOut} restores the raw weights bit for bit.
 */
export class Ema {
  private readonly shadows = new Map<string, tf.Variable>();
  private backup: Map<string, tf.Tensor> | null = null;
  /** Updates applied so far. */
  updates = 0;
  readonly decay: number;
  readonly warmup: boolean;

  constructor(
    private readonly params: readonly ParamRef[],
    { decay, warmup = false }: EmaOptions,
  ) {
    if (!(decay >= 0 && decay < 1)) throw new ValueError(`Ema: option 'decay' must be in [0, 1). Value: ${decay}.`);
    this.decay = decay;
    this.warmup = warmup;
    for (const p of params) this.shadows.set(p.key, tf.variable(p.variable, false));
  }

  /** The decay used by the next update. */
  currentDecay(): number {
    return this.warmup ? Math.min(this.decay, (1 + this.updates) / (10 + this.updates)) : this.decay;
  }

  /** shadow ← shadow + (1 − d)(w − shadow) for every parameter (torch's lerp form). */
  update(): void {
    const d = this.currentDecay();
    tf.tidy(() => {
      for (const p of this.params) {
        const s = this.shadows.get(p.key)!;
        s.assign(tf.add(s, tf.mul(tf.sub(p.variable, s), 1 - d)));
      }
    });
    this.updates++;
  }

  /** Puts the averages into the model, keeping the raw weights for {@link Ema.swapOut}. */
  swapIn(): void {
    if (this.backup) return;
    this.backup = new Map();
    for (const p of this.params) {
      this.backup.set(p.key, tf.clone(p.variable));
      p.variable.assign(this.shadows.get(p.key)!);
    }
  }

  /** Restores the raw weights saved by {@link Ema.swapIn}. */
  swapOut(): void {
    if (!this.backup) return;
    for (const p of this.params) {
      const raw = this.backup.get(p.key)!;
      p.variable.assign(raw);
      raw.dispose();
    }
    this.backup = null;
  }

  /** Copies the averages into the model for good (the raw weights are dropped). */
  apply(): void {
    this.swapOut();
    for (const p of this.params) p.variable.assign(this.shadows.get(p.key)!);
  }

  /** The shadow tensors by parameter key (owned by the EMA: read, do not dispose). */
  tensors(): Record<string, tf.Tensor> {
    return Object.fromEntries(this.shadows);
  }

  /** Restores shadows from a checkpoint (copied; shapes checked). */
  load(tensors: Record<string, tf.Tensor>, updates: number, file: string): void {
    for (const p of this.params) {
      const t = tensors[p.key];
      if (!t) throw new CheckpointError(`Ema.load: '${file}' has no EMA weights for '${p.key}'.`);
      checkParamShape(p.key, p.variable.shape, t.shape, `Ema.load('${file}')`);
      this.shadows.get(p.key)!.assign(t);
    }
    this.updates = updates;
  }

  /** Frees the shadows (and any swapped-out raw weights, restoring them first). */
  dispose(): void {
    this.swapOut();
    for (const s of this.shadows.values()) s.dispose();
    this.shadows.clear();
  }
}
