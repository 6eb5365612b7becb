import * as tf from '@tensorflow/tfjs';

/** Relative and absolute tolerance: |a − e| ≤ atol + rtol·|e|. */
export interface Tolerance {
  rtol: number;
  atol: number;
}

/**
 * The one tolerance table (kornia testing/base.py): float32 arithmetic against float64 references.
 * float32 has a 2^-24 ≈ 6e-8 unit roundoff; losses sum up to ~10^3 terms and take logs/exps, so 1e-4
 * relative leaves two orders of magnitude of head room while still catching any formula error.
 */
export const FLOAT32: Tolerance = { rtol: 1e-4, atol: 1e-5 };

/** Per-backend relaxation factors: wasm uses fused SIMD kernels with a different summation order. */
const BACKEND_FACTOR: Record<string, number> = { cpu: 1, wasm: 2, onnx: 4 };

/** Tolerance for the active backend, optionally widened by `factor` (documented at the call site). */
export function tolerance(factor = 1): Tolerance {
  const f = (BACKEND_FACTOR[tf.getBackend()] ?? 4) * factor;
  return { rtol: FLOAT32.rtol * f, atol: FLOAT32.atol * f };
}
