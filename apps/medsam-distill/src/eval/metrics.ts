// Per-image segmentation scores through core-losses' metric registry (dice_hard, iou_hard, hd95), on the
// valid (unpadded) region of the S × S frame, and their means per dataset.
import * as tf from '@tensorflow/tfjs';
import { getMetric } from '@lossworks/core-losses';

/** Scores of one image. HD95 is in pixels of the S frame. */
export interface ImageScores {
  dice: number;
  iou: number;
  hd95: number;
}

/** Means of a group of images. */
export interface MeanScores extends ImageScores {
  /** Images averaged. */
  n: number;
}

const METRIC_NAMES = { dice: 'dice_hard', iou: 'iou_hard', hd95: 'hd95' } as const;

/**
 * Dice, IoU and HD95 of predicted mask logits (foreground where logit ≥ 0) against a 0/1 mask, both
 * S × S row-major, cropped to the top-left valid region. HD95: MONAI convention (max of the two
 * directed 95th percentiles); the image diagonal when exactly one mask is empty, 0 when both are.
 */
export function scoreImage(truth: Uint8Array, logits: Float32Array, size: number, validWidth: number, validHeight: number): ImageScores {
  const t = new Float32Array(validWidth * validHeight);
  const p = new Float32Array(validWidth * validHeight);
  for (let y = 0; y < validHeight; y++) {
    for (let x = 0; x < validWidth; x++) {
      t[y * validWidth + x] = truth[y * size + x]!;
      p[y * validWidth + x] = logits[y * size + x]!;
    }
  }
  const scores = tf.tidy(() => {
    const yt = tf.tensor3d(t, [1, validHeight, validWidth]);
    const yp = tf.tensor3d(p, [1, validHeight, validWidth]);
    const opts = { threshold: 0, reduction: 'none' as const };
    return [
      getMetric(METRIC_NAMES.dice).fn(yt, yp, opts),
      getMetric(METRIC_NAMES.iou).fn(yt, yp, opts),
      getMetric(METRIC_NAMES.hd95).fn(yt, yp, { ...opts, emptyValue: 'diagonal' }),
    ].map((s) => tf.reshape(s as tf.Tensor, [1]));
  });
  const packed = tf.concat(scores);
  const values = packed.dataSync();
  tf.dispose([packed, ...scores]);
  return { dice: values[0]!, iou: values[1]!, hd95: values[2]! };
}

/** Means of image scores (NaN for an empty list). */
export function meanScores(list: readonly ImageScores[]): MeanScores {
  const n = list.length;
  const mean = (k: keyof ImageScores) => (n === 0 ? Number.NaN : list.reduce((a, s) => a + s[k], 0) / n);
  return { dice: mean('dice'), iou: mean('iou'), hd95: mean('hd95'), n };
}
