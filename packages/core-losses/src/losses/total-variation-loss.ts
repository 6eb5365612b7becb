import * as tf from '@tensorflow/tfjs-core';
import { checkReduction, reduce, type ReductionOptions } from '../reduction.js';
import { asTensor, assertRank, nonNegative, oneOf, type TensorInput } from '../validate.js';

/** Options of {@link totalVariation} and {@link totalVariationLoss}. */
export interface TotalVariationOptions extends ReductionOptions {
  /** 'anisotropic' (default): Σ |∂x| + |∂y|. 'isotropic': Σ √(∂x² + ∂y² + ε²) − ε. */
  kind?: 'anisotropic' | 'isotropic';
  /** ε of the isotropic form, ≥ 0: keeps its gradient finite where both differences are 0. Default 1e-8. */
  eps?: number;
  /** Divide each image's sum by H·W·C (a mean per pixel, independent of the image size). Default false. */
  average?: boolean;
}

const KINDS = ['anisotropic', 'isotropic'] as const;

/**
 * Total variation of NHWC images [N,H,W,C] (Rudin, Osher & Fatemi, Physica D 1992), per image:
 * anisotropic Σ |x[i+1,j] − x[i,j]| + |x[i,j+1] − x[i,j]| (as tf.image.total_variation), or isotropic
 * Σ √(∂x² + ∂y² + ε²) − ε with forward differences and a zero difference past the last row / column
 * (Neumann boundary), summed over pixels and channels. `reduction: 'none'` gives per-image values [N].
 */
export function totalVariation(image: TensorInput, options: TotalVariationOptions = {}): tf.Tensor {
  return tvImpl(image, options, 'totalVariation');
}

/**
 * Total variation as a regulariser in the loss signature (see {@link totalVariation}): `yTrue` is ignored
 * (it may be anything, e.g. the target a tfjs-layers loss receives), the penalty is TV(yPred).
 */
export function totalVariationLoss(_yTrue: unknown, yPred: TensorInput, options: TotalVariationOptions = {}): tf.Tensor {
  return tvImpl(yPred, options, 'totalVariationLoss');
}

/**
 * |d| as d·sign(d): its gradient is sign(d), 0 where d = 0 (as torch). tf.abs's gradient is −1 at 0,
 * which would push flat regions of an image in one direction.
 */
function abs0(d: tf.Tensor): tf.Tensor {
  return tf.mul(d, tf.sign(d));
}

function tvImpl(image: TensorInput, { kind = 'anisotropic', eps = 1e-8, average = false, reduction }: TotalVariationOptions, fn: string): tf.Tensor {
  const red = checkReduction(reduction, fn);
  oneOf(kind, KINDS, 'kind', fn);
  nonNegative(eps, 'eps', fn);
  return tf.tidy(() => {
    const x = asTensor(image, fn === 'totalVariation' ? 'image' : 'yPred', fn);
    assertRank(x, 4, fn === 'totalVariation' ? 'image' : 'yPred', fn);
    const [n, h, w, c] = x.shape as [number, number, number, number];
    // Forward differences along H and W, each padded with a zero row / column at the end.
    const dy = tf.pad(tf.sub(tf.slice(x, [0, 1, 0, 0], [n, h - 1, w, c]), tf.slice(x, [0, 0, 0, 0], [n, h - 1, w, c])), [[0, 0], [0, 1], [0, 0], [0, 0]]);
    const dx = tf.pad(tf.sub(tf.slice(x, [0, 0, 1, 0], [n, h, w - 1, c]), tf.slice(x, [0, 0, 0, 0], [n, h, w - 1, c])), [[0, 0], [0, 0], [0, 1], [0, 0]]);
    const map = kind === 'anisotropic' ? tf.add(abs0(dx), abs0(dy)) : tf.sub(tf.sqrt(tf.add(tf.add(tf.square(dx), tf.square(dy)), eps * eps)), eps);
    const perImage = tf.sum(tf.reshape(map, [n, -1]), 1);
    return reduce(average ? tf.div(perImage, h * w * c) : perImage, red);
  });
}
