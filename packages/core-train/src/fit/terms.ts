import * as tf from '@tensorflow/tfjs';
import { getLoss } from '@lossworks/core-losses';
import type { Batch } from '../data/collate.js';
import { ValueError } from '../errors.js';
import { pickOutput, pickTarget, type OutputRef } from './model.js';

/** A loss as a function: `(yTrue, yPred, options)` like every core-losses entry; non-scalar results are averaged. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- options are each loss's own type
export type LossFunction = (yTrue: tf.Tensor, yPred: tf.Tensor, options?: any) => tf.Tensor;

/** What a term computed from the whole forward pass sees (for losses that are not `(yTrue, yPred)`). */
export interface TermContext {
  batch: Batch;
  /** Model outputs in order. */
  outputs: readonly tf.Tensor[];
  outputNames: readonly string[];
  /** One output by index or name. */
  output(ref?: OutputRef): tf.Tensor;
}

/**
 * One named, weighted term of the training loss; each is logged on its own as `loss/<name>`.
 * Give `loss` (a core-losses registry name such as 'mse', or a `(yTrue, yPred, options)` function)
 * or `fn` (anything computed from the forward pass, e.g. an entropy or consistency term on unlabelled data).
 */
export interface LossTerm {
  /** Log name; unique within a run. */
  name: string;
  /** Registry name (see `LOSSES` in @lossworks/core-losses) or a loss function. */
  loss?: string | LossFunction;
  /** A term computed from the whole forward pass (needs no targets). */
  fn?: (ctx: TermContext) => tf.Tensor;
  /** Weight in the total loss. Default 1. */
  weight?: number;
  /** Options passed to the loss (e.g. `{ temperature: 4 }`). */
  options?: Record<string, unknown>;
  /** Which model output the term reads (index or name); required when the model has several. */
  output?: OutputRef;
  /** Which target of `y` (index or name). Default: the same as `output`. */
  target?: OutputRef;
}

/** A term checked and resolved once, ready to evaluate. */
export interface ResolvedTerm {
  name: string;
  weight: number;
  needsTarget: boolean;
  compute(ctx: TermContext): tf.Tensor;
  /** What the config hash records of it. */
  describe: Record<string, unknown>;
}

/** Mean of a loss value to a scalar (a 'none' reduction or per-sample result is averaged). */
export function toScalar(v: tf.Tensor): tf.Scalar {
  return (v.rank === 0 ? v : tf.mean(v)) as tf.Scalar;
}

/** Checks term names (non-empty, unique across `taken`) and resolves registry names. */
export function resolveTerms(terms: readonly LossTerm[], where: string, taken = new Set<string>()): ResolvedTerm[] {
  return terms.map((term, i) => {
    const { name, loss, fn, weight = 1, options = {}, output, target } = term;
    if (typeof name !== 'string' || name === '') throw new ValueError(`${where}: term ${i} needs a non-empty 'name'.`);
    if (taken.has(name)) throw new ValueError(`${where}: term name '${name}' is used twice; names must be unique (each is logged as loss/<name>).`);
    taken.add(name);
    if (!Number.isFinite(weight)) throw new ValueError(`${where}: term '${name}' has a non-finite weight. Value: ${weight}.`);
    if ((loss === undefined) === (fn === undefined)) throw new ValueError(`${where}: term '${name}' needs exactly one of 'loss' or 'fn'.`);
    if (fn) {
      return { name, weight, needsTarget: false, compute: (ctx: TermContext) => toScalar(fn(ctx)), describe: { name, fn: fn.name || 'anonymous', weight, options } };
    }
    const lossFn: LossFunction = typeof loss === 'string' ? (getLoss(loss).fn as LossFunction) : (loss as LossFunction);
    const who = `${where}: term '${name}'`;
    return {
      name,
      weight,
      needsTarget: true,
      compute: (ctx: TermContext) => {
        const yPred = pickOutput(ctx.outputs, ctx.outputNames, output, who);
        const yTrue = pickTarget(ctx.batch.y, target, output, ctx.outputNames, who);
        return toScalar(lossFn(yTrue, yPred, options));
      },
      describe: { name, loss: typeof loss === 'string' ? loss : `fn:${loss!.name || 'anonymous'}`, weight, options, output, target },
    };
  });
}
