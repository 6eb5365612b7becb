import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../data/random.js';
import { ValueError } from '../errors.js';

/** Kind of projection head: a dense map on the last axis, or a 1×1 convolution on NHWC features. */
export type HeadKind = 'dense' | 'conv1x1';

/**
 * A trainable projection from student width to teacher width (FitNets' regressor, Romero et al. 2015):
 * `dense` is x·W + b on the last axis (any rank); `conv1x1` is a 1×1 convolution of NHWC features.
 * Its variables are trained with the student and saved in checkpoints as `distill.<tap>.kernel|bias`.
 */
export class ProjectionHead {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;

  /** A head with given weights (from a checkpoint), or Glorot-uniform kernel and zero bias drawn from `rng`. */
  constructor(
    readonly kind: HeadKind,
    readonly inWidth: number,
    readonly outWidth: number,
    init: Rng | { kernel: tf.Tensor; bias: tf.Tensor },
  ) {
    const kshape = kind === 'dense' ? [inWidth, outWidth] : [1, 1, inWidth, outWidth];
    if ('kernel' in init) {
      if (init.kernel.shape.join(',') !== kshape.join(',') || init.bias.shape.join(',') !== String(outWidth)) {
        throw new ValueError(`ProjectionHead: saved ${kind} head has kernel [${init.kernel.shape}] / bias [${init.bias.shape}], expected [${kshape}] / [${outWidth}].`);
      }
      this.kernel = tf.variable(init.kernel, true);
      this.bias = tf.variable(init.bias, true);
    } else {
      const limit = Math.sqrt(6 / (inWidth + outWidth));
      const values = Float32Array.from({ length: inWidth * outWidth }, () => (init.next() * 2 - 1) * limit);
      this.kernel = tf.tidy(() => tf.variable(tf.tensor(values, kshape), true));
      this.bias = tf.tidy(() => tf.variable(tf.zeros([outWidth]), true));
    }
  }

  /** Projects student features [..., inWidth] → [..., outWidth]. */
  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const width = x.shape[x.rank - 1];
      if (width !== this.inWidth) throw new ValueError(`ProjectionHead: input width ${width} ≠ head input width ${this.inWidth}.`);
      if (this.kind === 'conv1x1') {
        if (x.rank !== 4) throw new ValueError(`ProjectionHead: a conv1x1 head needs NHWC (rank 4) features; got rank ${x.rank}.`);
        return tf.add(tf.conv2d(x as tf.Tensor4D, this.kernel as tf.Tensor4D, 1, 'valid'), this.bias);
      }
      const flat = tf.reshape(x, [-1, this.inWidth]);
      return tf.reshape(tf.add(tf.matMul(flat, this.kernel as tf.Tensor2D), this.bias), [...x.shape.slice(0, -1), this.outWidth]);
    });
  }

  dispose(): void {
    this.kernel.dispose();
    this.bias.dispose();
  }
}
