import * as tf from '@tensorflow/tfjs';
import { CheckpointError, ValueError } from '../errors.js';

/** A trainable variable and the stable key it is saved under (e.g. `model.0.kernel`). */
export interface ParamRef {
  key: string;
  variable: tf.Variable;
}

/** The optimizer's whole state, as a checkpoint stores it. */
export interface OptimizerState {
  name: string;
  /** Hyperparameters (a resumed optimizer must have the same ones). */
  config: Record<string, number | boolean | string>;
  /** Updates applied to each parameter so far (torch keeps a `step` per parameter). */
  steps: Record<string, number>;
  /** Slot tensors by `<slot>/<paramKey>` (momentum buffers, Adam moments). Owned by the optimizer. */
  slots: Record<string, tf.Tensor>;
}

/**
 * Base of the optimizers: explicit per-parameter state (slot tensors and step counts), so a checkpoint
 * can save it and a resumed run continues bit-exactly. Subclasses give the update rule; the learning
 * rate comes with every step (schedules own it). Slots are created when a parameter first gets a
 * gradient, as in torch.optim; a parameter without a gradient in a step is left untouched.
 */
export abstract class Optimizer {
  /** Registry name: 'sgd' | 'adam' | 'adamw'. */
  abstract readonly name: string;
  /** Hyperparameters, all defaults filled in (`lr` is the base learning rate). */
  abstract readonly config: Readonly<Record<string, number | boolean | string>> & { lr: number };
  private readonly slots = new Map<string, Record<string, tf.Tensor>>();
  private readonly steps = new Map<string, number>();

  /** New slot values and the new parameter value for one parameter (called inside a tidy). */
  protected abstract update(
    param: tf.Tensor,
    grad: tf.Tensor,
    slots: Readonly<Record<string, tf.Tensor>> | undefined,
    step: number,
    lr: number,
  ): { param: tf.Tensor; slots: Record<string, tf.Tensor> };

  /**
   * The same update computed in one pass over Float32Arrays where the backend keeps tensors in
   * JavaScript (see ./fused.ts), or undefined to take {@link Optimizer.update}'s op-by-op path.
   * Called inside a tidy; must give the values update() gives.
   */
  protected fusedUpdate(
    _param: tf.Tensor,
    _grad: tf.Tensor,
    _slots: Readonly<Record<string, tf.Tensor>> | undefined,
    _step: number,
    _lr: number,
  ): { param: tf.Tensor; slots: Record<string, tf.Tensor> } | undefined {
    return undefined;
  }

  /**
   * Applies one update to every parameter that has a gradient. `grads` maps parameter keys to gradients
   * (the caller keeps ownership of them); `lr` is this step's learning rate.
   */
  applyGradients(params: readonly ParamRef[], grads: ReadonlyMap<string, tf.Tensor>, lr: number): void {
    if (!(Number.isFinite(lr) && lr >= 0)) throw new ValueError(`${this.name}.applyGradients: 'lr' must be a finite number ≥ 0. Value: ${lr}.`);
    for (const { key, variable } of params) {
      const grad = grads.get(key);
      if (!grad) continue;
      const step = (this.steps.get(key) ?? 0) + 1;
      const old = this.slots.get(key);
      const next = tf.tidy(() => {
        const r = this.fusedUpdate(variable, grad, old, step, lr) ?? this.update(variable, grad, old, step, lr);
        variable.assign(r.param);
        return r.slots;
      });
      if (old) tf.dispose(Object.values(old));
      this.slots.set(key, next);
      this.steps.set(key, step);
    }
  }

  /** Keys of the parameters this optimizer has state for (those that received a gradient). */
  variableKeys(): string[] {
    return [...this.steps.keys()];
  }

  /** Updates applied so far to `key` (0 if none). */
  stepCount(key: string): number {
    return this.steps.get(key) ?? 0;
  }

  /** The state (slot tensors are the optimizer's own: read them, do not dispose them). */
  getState(): OptimizerState {
    const slots: Record<string, tf.Tensor> = {};
    for (const [key, s] of this.slots) for (const [slot, t] of Object.entries(s)) slots[`${slot}/${key}`] = t;
    return { name: this.name, config: { ...this.config }, steps: Object.fromEntries(this.steps), slots };
  }

  /**
   * Restores a state from {@link Optimizer.getState} or a checkpoint (tensors are copied). A state of
   * another optimizer or with other hyperparameters throws CheckpointError.
   */
  setState(state: OptimizerState): void {
    if (state.name !== this.name) throw new CheckpointError(`${this.name}.setState: the state is of optimizer '${state.name}', not '${this.name}'.`);
    for (const [k, v] of Object.entries(this.config)) {
      if (state.config[k] !== v) {
        throw new CheckpointError(`${this.name}.setState: hyperparameter '${k}' is ${String(state.config[k])} in the state but ${String(v)} here.`);
      }
    }
    const next = new Map<string, Record<string, tf.Tensor>>();
    for (const [name, t] of Object.entries(state.slots)) {
      const cut = name.indexOf('/');
      if (cut < 0) throw new CheckpointError(`${this.name}.setState: slot name '${name}' is not '<slot>/<param>'.`);
      const [slot, key] = [name.slice(0, cut), name.slice(cut + 1)];
      if (!(key in state.steps)) throw new CheckpointError(`${this.name}.setState: slot '${name}' has no step count for '${key}'.`);
      const entry = next.get(key) ?? {};
      entry[slot] = tf.keep(tf.clone(t));
      next.set(key, entry);
    }
    this.disposeSlots();
    for (const [k, v] of next) this.slots.set(k, v);
    this.steps.clear();
    for (const [k, v] of Object.entries(state.steps)) this.steps.set(k, v);
  }

  private disposeSlots(): void {
    for (const s of this.slots.values()) tf.dispose(Object.values(s));
    this.slots.clear();
  }

  /** Frees the slot tensors and forgets every step count. */
  dispose(): void {
    this.disposeSlots();
    this.steps.clear();
  }
}

/** Checks a hyperparameter: finite and within [min, max] (`open` excludes min). */
export function checkHyper(fn: string, name: string, value: number, min: number, max = Number.POSITIVE_INFINITY, open = false): number {
  if (!(Number.isFinite(value) && (open ? value > min : value >= min) && value <= max)) {
    const range = `${open ? '(' : '['}${min}, ${max}]`;
    throw new ValueError(`${fn}: option '${name}' must be in ${range}. Value: ${value}.`);
  }
  return value;
}
