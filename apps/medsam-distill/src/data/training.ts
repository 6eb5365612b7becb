// A SegSample plus its prompts as core-train's Sample, so `collate` stacks a batch:
//   x: { image: [S, S, 3] float32, box: [4] float32, points: [k, 2] float32, pointLabels: [k] float32 }
//   y: [S, S, 1] float32 mask (0/1)
// collate turns a list of these into { x: { image: [B,S,S,3], box: [B,4], points: [B,k,2], pointLabels: [B,k] },
// y: [B,S,S,1], ids }; the caller owns (and disposes) those tensors.
import type { Sample } from '@lossworks/core-train';
import type { Box, Points, SegSample } from './types.js';

/** Prompts attached to a training sample; omit the ones the model does not take. */
export interface SamplePrompts {
  box?: Box;
  points?: Points;
}

/** The sample as a core-train {@link Sample} (see the file comment); arrays are views or copies, never tensors. */
export function toTrainingSample(sample: SegSample, prompts: SamplePrompts = {}): Sample {
  const { size } = sample;
  const x: Record<string, { data: ArrayLike<number>; shape: number[] } | Float32Array> = {
    image: { data: sample.image, shape: [size, size, 3] },
  };
  if (prompts.box) x.box = Float32Array.from(prompts.box);
  if (prompts.points) {
    const k = prompts.points.coords.length;
    x.points = { data: Float32Array.from(prompts.points.coords.flat()), shape: [k, 2] };
    x.pointLabels = Float32Array.from(prompts.points.labels);
  }
  return { x, y: { data: Float32Array.from(sample.mask), shape: [size, size, 1] }, id: sample.id };
}
