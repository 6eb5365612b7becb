import * as tf from '@tensorflow/tfjs-core';
import { inRange, positive, type TensorInput } from '../validate.js';
import { asPointCloud, assertSameDim, integerAtLeast, pairwiseSqDist } from './distillation-utils.js';

/** Options of {@link sinkhornDivergence}. */
export interface SinkhornOptions {
  /** Entropic regularisation ε > 0, in units of the cost ‖x − y‖². Default 0.1. */
  epsilon?: number;
  /** Number of Sinkhorn updates (each updates all four dual potentials). Default 100. */
  iterations?: number;
  /**
   * ε-scaling (annealing) factor in (0, 1]: update k runs at max(ε, C_max·scaling^k), starting from the largest
   * cost, which converges in far fewer updates when ε is small next to the costs (Feydy et al. 2019, §3).
   * 1 turns it off (every update at ε). Default 0.5.
   */
  scaling?: number;
}

/** softmin_ε over j of (C_ij − h_j) with uniform weights 1/m: −ε·log((1/m) Σ_j exp((h_j − C_ij)/ε)), per row i. */
function softmin(eps: number, cost: tf.Tensor2D, h: tf.Tensor): tf.Tensor {
  const m = cost.shape[1];
  return tf.mul(tf.sub(tf.logSumExp(tf.div(tf.sub(tf.expandDims(h, 0), cost), eps), 1), Math.log(m)), -eps);
}

/**
 * Debiased Sinkhorn divergence (Genevay, Peyré & Cuturi 2018, "Learning Generative Models with Sinkhorn
 * Divergences"; Feydy et al. 2019, "Interpolating between Optimal Transport and MMDs using Sinkhorn Divergences"):
 *
 *   S_ε(α, β) = OT_ε(α, β) − ½ OT_ε(α, α) − ½ OT_ε(β, β),
 *   OT_ε(α, β) = min_{P ∈ Π(α, β)} ⟨P, C⟩ + ε KL(P ‖ α ⊗ β),  C_ij = ‖x_i − y_j‖²,
 *
 * between the uniform empirical measures of x = yTrue [N, D] and y = yPred [M, D]. S_ε ≥ 0, S_ε(α, α) = 0, and it
 * interpolates between W₂² (ε → 0) and an energy-distance MMD (ε → ∞).
 *
 * Solver (as GeomLoss): log-domain Sinkhorn, i.e. every update is a softmin by log-sum-exp, so ε = 1e-3 with costs
 * of 1e4 stays finite; symmetric averaged updates f ← ½(f + softmin(g)) for the three problems at once, so that
 * S(x, x) is exactly 0 and S(x, y) = S(y, x); optional ε-scaling; a final extrapolation step, and
 * S = ⟨α, f_αβ − f_αα⟩ + ⟨β, g_αβ − g_ββ⟩. Convergence is linear with a rate that degrades as ε shrinks next to the
 * costs: raise `iterations` (or keep `scaling` < 1) for small ε. The gradient is plain autodiff through the unrolled
 * updates (memory grows with `iterations`); at convergence it equals the envelope gradient Σ_j P*_ij ∂C_ij.
 * With scaling < 1 the largest cost is read on the host once to start the schedule. A single number for the pair
 * of samples: no `reduction`.
 */
export function sinkhornDivergence(
  yTrue: TensorInput,
  yPred: TensorInput,
  { epsilon = 0.1, iterations = 100, scaling = 0.5 }: SinkhornOptions = {},
): tf.Tensor {
  const fn = 'sinkhornDivergence';
  positive(epsilon, 'epsilon', fn);
  integerAtLeast(iterations, 1, 'iterations', fn);
  inRange(scaling, 0, 1, 'scaling', fn, { loOpen: true });
  return tf.tidy(() => {
    const x = asPointCloud(yTrue, 'yTrue', fn);
    const y = asPointCloud(yPred, 'yPred', fn);
    assertSameDim(x, y, fn);
    const cxy = pairwiseSqDist(x, y);
    const cyx = tf.transpose(cxy) as tf.Tensor2D;
    const cxx = pairwiseSqDist(x, x);
    const cyy = pairwiseSqDist(y, y);
    const start = scaling < 1 ? tf.tidy(() => tf.max(tf.stack([tf.max(cxy), tf.max(cxx), tf.max(cyy)]))).dataSync()[0]! : epsilon;
    const epsAt = (k: number) => Math.max(epsilon, start * scaling ** k);

    // f_ba lives on x (from the x–y problem), g_ab on y; f_aa on x (x–x problem), g_bb on y (y–y problem).
    const zx = tf.zeros([x.shape[0]]);
    const zy = tf.zeros([y.shape[0]]);
    const e0 = epsAt(0);
    let [fBA, gAB, fAA, gBB] = [softmin(e0, cxy, zy), softmin(e0, cyx, zx), softmin(e0, cxx, zx), softmin(e0, cyy, zy)];
    for (let k = 0; k < iterations; k++) {
      const eps = epsAt(k);
      // A tidy per update frees its temporaries; tensors a recording gradient tape needs are kept by tfjs.
      [fBA, gAB, fAA, gBB] = tf.tidy(() => [
        tf.mul(tf.add(fBA, softmin(eps, cxy, gAB)), 0.5),
        tf.mul(tf.add(gAB, softmin(eps, cyx, fBA)), 0.5),
        tf.mul(tf.add(fAA, softmin(eps, cxx, fAA)), 0.5),
        tf.mul(tf.add(gBB, softmin(eps, cyy, gBB)), 0.5),
      ]);
    }
    // Last extrapolation at the target ε (GeomLoss' "last_extrapolation").
    const f = softmin(epsilon, cxy, gAB);
    const g = softmin(epsilon, cyx, fBA);
    const fa = softmin(epsilon, cxx, fAA);
    const gb = softmin(epsilon, cyy, gBB);
    return tf.add(tf.mean(tf.sub(f, fa)), tf.mean(tf.sub(g, gb)));
  });
}
