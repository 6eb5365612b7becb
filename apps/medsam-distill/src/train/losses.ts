// Loss terms of the decoder trainings (teacher, stage 2, scratch control) as core-train LossTerms, by
// core-losses registry name where one exists.
import * as tf from '@tensorflow/tfjs';
import type { LossTerm, TermContext } from '@lossworks/core-train';

/**
 * The per-image IoU of {@link hardIou} as a constant of the graph: computed inside a custom gradient
 * whose backward pass is zero, so the tape never sees its (non-differentiable) comparisons.
 */
const constantIou = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [logits, target] = args as [tf.Tensor, tf.Tensor];
  return { value: hardIou(logits, target), gradFunc: () => [tf.zerosLike(logits), tf.zerosLike(target)] };
}) as (logits: tf.Tensor, target: tf.Tensor) => tf.Tensor;

/** Per-image IoU of hard masks [B, S, S, 1]: logits ≥ 0 vs target ≥ 0.5; empty vs empty is 1. */
export function hardIou(logits: tf.Tensor, target: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const p = tf.cast(tf.greaterEqual(logits, 0), 'float32');
    const t = tf.cast(tf.greaterEqual(target, 0.5), 'float32');
    const axes = [1, 2, 3];
    const inter = tf.sum(tf.mul(p, t), axes);
    const union = tf.sub(tf.add(tf.sum(p, axes), tf.sum(t, axes)), inter);
    return tf.where(tf.greater(union, 0), tf.div(inter, tf.maximum(union, 1)), tf.onesLike(union)) as tf.Tensor1D;
  });
}

/**
 * SAM's IoU-head term: mean squared error between the predicted IoU (output 1) and the actual IoU of
 * the predicted hard mask (output 0) with the target, the latter treated as a constant.
 */
export function iouHeadLoss(ctx: TermContext): tf.Tensor {
  const logits = ctx.output(0);
  const pred = tf.reshape(ctx.output(1), [-1]);
  const target = constantIou(logits, ctx.batch.y as tf.Tensor);
  return tf.mean(tf.square(tf.sub(pred, target)));
}

/** Weights of the decoder-training terms; a zero weight drops the term. */
export interface MaskLossWeights {
  dice: number;
  bce: number;
  iou: number;
}

/**
 * Soft Dice and BCE on the mask logits (output 0, both `fromLogits`) and the IoU-head term, as
 * fit's loss terms (logged as loss/dice, loss/bce, loss/iou).
 */
export function maskLossTerms(w: MaskLossWeights): LossTerm[] {
  const terms: LossTerm[] = [];
  if (w.dice > 0) terms.push({ name: 'dice', loss: 'dice', output: 0, weight: w.dice, options: { fromLogits: true } });
  if (w.bce > 0) terms.push({ name: 'bce', loss: 'bce', output: 0, weight: w.bce, options: { fromLogits: true } });
  if (w.iou > 0) terms.push({ name: 'iou', fn: iouHeadLoss, weight: w.iou });
  return terms;
}
