// One-call optimizer updates. An op-by-op Adam step is about a dozen elementwise kernels per
// parameter, each a kernel call, a pass over the parameter and a temporary tensor (profiled: ~15 ms
// of a 150 ms Transformer-block train step on the onnx backend). Backends that register the kernels
// named here (core-train's 'onnx' backend, and TF.js's cpu backend once installKernelsAndGradients()
// ran; see src/kernels/kernels-optim.ts) update a parameter and its slots in one kernel call, with
// bit-for-bit the values of the op-by-op form. Elsewhere the optimizers run their ops.
import * as tf from '@tensorflow/tfjs';

/** Kernel: Adam/AdamW update of one parameter. Inputs param, grad[, m, v]; outputs [param, m, v]. */
export const ADAM_UPDATE_KERNEL = 'LossworksAdamUpdate';
/** Kernel: SGD update of one parameter. Inputs param, grad[, momentum]; outputs [param[, momentum]]. */
export const SGD_UPDATE_KERNEL = 'LossworksSgdUpdate';

/** Attributes of {@link ADAM_UPDATE_KERNEL}: the numbers AdamBase.update uses in this step. */
export interface AdamUpdateAttrs {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  decoupled: boolean;
  lr: number;
  /** η / (1 − β₁ᵗ). */
  stepSize: number;
  /** √(1 − β₂ᵗ). */
  bc2Sqrt: number;
}

/** Attributes of {@link SGD_UPDATE_KERNEL}. */
export interface SgdUpdateAttrs {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
}

/**
 * Runs `kernel` on the active backend when it has it and every input is a float32 tensor of the
 * parameter's shape; undefined otherwise (the caller takes the op-by-op path).
 */
export function runUpdateKernel(kernel: string, inputs: Record<string, tf.Tensor | undefined>, attrs: AdamUpdateAttrs | SgdUpdateAttrs): tf.Tensor[] | undefined {
  if (!tf.getKernel(kernel, tf.getBackend())) return undefined;
  const shape = inputs.param!.shape;
  const given: Record<string, tf.Tensor> = {};
  for (const [name, t] of Object.entries(inputs)) {
    if (t === undefined) continue;
    if (t.dtype !== 'float32' || !tf.util.arraysEqual(t.shape, shape)) return undefined;
    given[name] = t;
  }
  return tf.engine().runKernel(kernel, given, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
}
