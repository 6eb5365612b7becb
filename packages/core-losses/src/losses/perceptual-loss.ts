import * as tf from '@tensorflow/tfjs-core';
import { ValueError } from '../errors.js';
import { checkReduction, reduce, type ReductionOptions } from '../reduction.js';
import { asTensor, assertRankAtLeast, assertSameShape, oneOf, type TensorInput } from '../validate.js';

/** A feature extractor as a function: one batch in, one or more feature tensors out (batch axis first). */
export type FeatureFn = (x: tf.Tensor) => tf.Tensor | tf.Tensor[];

/** A feature extractor as a model with `apply` (a tfjs-layers LayersModel, single- or multi-output). */
export interface FeatureModel {
  apply(inputs: tf.Tensor, kwargs?: { training?: boolean }): unknown;
}

/** Options of {@link perceptualLoss}. */
export interface PerceptualOptions extends ReductionOptions {
  /** The frozen extractor φ: a function or a tfjs-layers model (applied with `training: false`). Required. */
  extractor?: FeatureFn | FeatureModel;
  /** One weight w_k ≥ 0 per feature tensor φ_k. Default: 1 for every one. */
  layerWeights?: readonly number[];
  /** 'l2' (default): mean squared difference per layer; 'l1': mean absolute difference. */
  distance?: 'l1' | 'l2';
}

const DISTANCES = ['l1', 'l2'] as const;

function toExtract(extractor: unknown): (x: tf.Tensor) => tf.Tensor[] {
  const run: ((x: tf.Tensor) => unknown) | null =
    typeof extractor === 'function'
      ? (x) => (extractor as FeatureFn)(x)
      : extractor !== null && typeof extractor === 'object' && typeof (extractor as FeatureModel).apply === 'function'
        ? (x) => (extractor as FeatureModel).apply(x, { training: false })
        : null;
  if (!run) {
    throw new ValueError(`perceptualLoss: option 'extractor' must be a function or a model with apply() (a tfjs-layers LayersModel). Value: ${String(extractor)}.`);
  }
  return (x) => {
    const out = run(x);
    const feats = Array.isArray(out) ? out : [out];
    if (feats.length === 0 || !feats.every((f) => f instanceof tf.Tensor && f.rank >= 1 && f.shape[0] === x.shape[0])) {
      throw new ValueError(`perceptualLoss: option 'extractor' must return one or more tensors with the batch (${x.shape[0]}) as axis 0.`);
    }
    return feats as tf.Tensor[];
  };
}

/**
 * tf.grad(f)(x) from inside a custom gradient's backward pass. TF.js supports a tf.grad nested in a
 * forward pass, not in a backward one: there, a top-level tf.grad would replace the engine's active tape
 * and leave it null, while the outer backward pass still walks and then frees it. Raising gradientDepth
 * for the call makes the nested pass behave as in a forward pass: it appends its nodes to the outer
 * tape (whose cleanup frees their saved tensors) and leaves the tape in place.
 */
function nestedGrad(f: (v: tf.Tensor) => tf.Tensor, x: tf.Tensor): tf.Tensor {
  const state = tf.engine().state;
  state.gradientDepth++;
  try {
    return tf.grad(f)(x);
  } finally {
    state.gradientDepth--;
  }
}

/**
 * Features of x through a custom gradient: the forward pass runs the extractor off the tape, and the
 * backward pass differentiates it with respect to its input only. So no gradient reaches the extractor's
 * own weights even when they are trainable variables (tf.variableGrads without a list skips them).
 * Returns the features flattened and concatenated, [N, Σ D_k].
 */
function frozenFeatures(extract: (x: tf.Tensor) => tf.Tensor[], x: tf.Tensor): { flat: tf.Tensor2D; sizes: number[] } {
  const n = x.shape[0] as number;
  const flatten = (feats: tf.Tensor[]) => tf.concat(feats.map((f) => tf.reshape(f, [n, -1])), 1) as tf.Tensor2D;
  let sizes: number[] = [];
  const run = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const input = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    const feats = extract(input);
    sizes = feats.map((f) => f.size / n);
    save([input]);
    return {
      value: flatten(feats),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => nestedGrad((v: tf.Tensor) => tf.sum(tf.mul(flatten(extract(v)), dy)), saved[0]!),
    };
  });
  const flat = run(x) as tf.Tensor2D;
  return { flat, sizes };
}

/**
 * Perceptual (feature reconstruction) loss, Johnson, Alahi & Fei-Fei, ECCV 2016:
 * L = Σ_k w_k · mean_{c,h,w} |φ_k(ŷ) − φ_k(y)|^p per sample, p = 2 ('l2', their (1/C_jH_jW_j)‖·‖²₂) or
 * p = 1 ('l1'), where φ_k are the feature tensors the caller's `extractor` returns (e.g. VGG
 * activations). The extractor is frozen: gradients flow through it to yPred (and yTrue), never into its
 * weights. Inputs: any same-shaped batches the extractor accepts (axis 0 is the batch). `reduction:
 * 'none'` gives per-sample values [N]. `yTrue`'s features are recomputed on every call; for a fixed
 * target set, cache them outside if speed matters.
 */
export function perceptualLoss(yTrue: TensorInput, yPred: TensorInput, options: PerceptualOptions = {}): tf.Tensor {
  const reduction = checkReduction(options.reduction, 'perceptualLoss');
  const distance = oneOf(options.distance ?? 'l2', DISTANCES, 'distance', 'perceptualLoss');
  const extract = toExtract(options.extractor);
  const weights = options.layerWeights;
  if (weights !== undefined && !(Array.isArray(weights) && weights.every((w) => typeof w === 'number' && Number.isFinite(w) && w >= 0))) {
    throw new ValueError(`perceptualLoss: option 'layerWeights' must be an array of finite numbers >= 0. Value: ${JSON.stringify(weights)}.`);
  }
  return tf.tidy(() => {
    const t = asTensor(yTrue, 'yTrue', 'perceptualLoss');
    const p = asTensor(yPred, 'yPred', 'perceptualLoss');
    assertSameShape(t, p, 'perceptualLoss');
    assertRankAtLeast(p, 1, 'yPred', 'perceptualLoss');
    const ft = frozenFeatures(extract, t);
    const fp = frozenFeatures(extract, p);
    const w = weights ?? fp.sizes.map(() => 1);
    if (w.length !== fp.sizes.length) {
      throw new ValueError(`perceptualLoss: option 'layerWeights' has ${w.length} weights but the extractor returned ${fp.sizes.length} feature tensors.`);
    }
    const diff = tf.sub(fp.flat, ft.flat);
    // |d| as d·sign(d): gradient 0 at d = 0 (tf.abs's is −1 there, which would move a perfect prediction).
    const per = distance === 'l2' ? tf.square(diff) : tf.mul(diff, tf.sign(diff));
    const layers = tf.split(per, fp.sizes, 1);
    const perSample = layers.map((l, k) => tf.mul(tf.mean(l, 1), w[k]!)).reduce((a, b) => tf.add(a, b));
    return reduce(perSample, reduction);
  });
}
