import * as tf from '@tensorflow/tfjs-core';
import { inRange, oneOf, positive, type TensorInput } from '../validate.js';
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
  /**
   * How the gradient is formed. `'envelope'` (default, as GeomLoss): the updates run on constant copies of the
   * points and autodiff sees only the final extrapolation step, i.e. Σ_ij P_ij ∂C_ij with the plans P held
   * fixed — the exact gradient at convergence (Danskin), and cheap: backward costs one update. `'unrolled'`:
   * autodiff through every update — the exact derivative of the returned number even before convergence, at
   * `iterations` times the backward cost.
   */
  gradient?: 'envelope' | 'unrolled';
}

/** softmin_ε over j of (C_ij − h_j) with uniform weights 1/m: −ε·log((1/m) Σ_j exp((h_j − C_ij)/ε)), per row i. */
function softmin(eps: number, cost: tf.Tensor2D, h: tf.Tensor): tf.Tensor {
  const m = cost.shape[1];
  return tf.mul(tf.sub(tf.logSumExp(tf.div(tf.sub(tf.expandDims(h, 0), cost), eps), 1), Math.log(m)), -eps);
}

/** The four cost matrices of the debiased problem. */
function costs(x: tf.Tensor2D, y: tf.Tensor2D): { cxy: tf.Tensor2D; cyx: tf.Tensor2D; cxx: tf.Tensor2D; cyy: tf.Tensor2D } {
  const cxy = pairwiseSqDist(x, y);
  return { cxy, cyx: tf.transpose(cxy) as tf.Tensor2D, cxx: pairwiseSqDist(x, x), cyy: pairwiseSqDist(y, y) };
}

/** A copy with no link to the gradient tape (tfjs has no stop_gradient op). */
function constantCopy(t: tf.Tensor2D): tf.Tensor2D {
  return tf.tensor2d(t.dataSync(), t.shape);
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
 * Solver: log-domain Sinkhorn, i.e. every update is a softmin by log-sum-exp, so ε = 1e-3 with costs of 1e4 stays
 * finite; alternating updates for OT_ε(α, β) and symmetric averaged updates p ← ½(p + softmin(p)) for the two
 * self-transport terms (as GeomLoss); ε-scaling; a final extrapolation step. S(x, x) and S(x, y) − S(y, x) are 0 up
 * to the convergence error. Convergence is linear with a rate that degrades as ε shrinks next to the costs: raise
 * `iterations` (or keep `scaling` < 1) for small ε. The gradient is the envelope gradient by default
 * or autodiff through the unrolled updates (option `gradient`). The points (envelope) and, with scaling < 1, the
 * largest cost are read on the host once per call. A single number for the pair of samples: no `reduction`.
 */
export function sinkhornDivergence(
  yTrue: TensorInput,
  yPred: TensorInput,
  { epsilon = 0.1, iterations = 100, scaling = 0.5, gradient = 'envelope' }: SinkhornOptions = {},
): tf.Tensor {
  const fn = 'sinkhornDivergence';
  positive(epsilon, 'epsilon', fn);
  integerAtLeast(iterations, 1, 'iterations', fn);
  inRange(scaling, 0, 1, 'scaling', fn, { loOpen: true });
  oneOf(gradient, ['envelope', 'unrolled'], 'gradient', fn);
  return tf.tidy(() => {
    const x = asPointCloud(yTrue, 'yTrue', fn);
    const y = asPointCloud(yPred, 'yPred', fn);
    assertSameDim(x, y, fn);
    // Envelope: the updates run on constant copies of the points, and in the final step only the row point of each
    // cost is live (as GeomLoss' C_xy = (x, y.detach())), so autodiff gives Σ_j P_ij ∂₁C(x_i, y_j) — Danskin's
    // gradient of OT_ε(α, β) and of ½OT_ε(α, α) alike. Unrolled: the points themselves everywhere.
    let u: ReturnType<typeof costs>;
    let c: ReturnType<typeof costs>;
    if (gradient === 'envelope') {
      const xc = constantCopy(x);
      const yc = constantCopy(y);
      u = costs(xc, yc);
      c = { cxy: pairwiseSqDist(x, yc), cyx: pairwiseSqDist(y, xc), cxx: pairwiseSqDist(x, xc), cyy: pairwiseSqDist(y, yc) };
    } else {
      u = costs(x, y);
      c = u;
    }
    const start = scaling < 1 ? tf.tidy(() => tf.max(tf.stack([tf.max(u.cxy), tf.max(u.cxx), tf.max(u.cyy)]))).dataSync()[0]! : epsilon;
    const epsAt = (k: number) => Math.max(epsilon, start * scaling ** k);

    // The x–y problem: standard alternating updates f ← softmin(g), g ← softmin(f). The x–x and y–y problems:
    // symmetric averaged updates p ← ½(p + softmin(p)) (plain alternation converges slowly on a self-transport).
    const zx = tf.zeros([x.shape[0]]);
    const zy = tf.zeros([y.shape[0]]);
    const e0 = epsAt(0);
    let f = zx;
    let g = zy;
    let fAA = softmin(e0, u.cxx, zx);
    let gBB = softmin(e0, u.cyy, zy);
    for (let k = 0; k < iterations; k++) {
      const eps = epsAt(k);
      // A tidy per update frees its temporaries; tensors a recording gradient tape needs are kept by tfjs.
      [f, g, fAA, gBB] = tf.tidy(() => {
        const fNext = softmin(eps, u.cxy, g);
        return [fNext, softmin(eps, u.cyx, fNext), tf.mul(tf.add(fAA, softmin(eps, u.cxx, fAA)), 0.5), tf.mul(tf.add(gBB, softmin(eps, u.cyy, gBB)), 0.5)];
      });
    }
    // Last extrapolation at the target ε (GeomLoss' "last_extrapolation"): ⟨α, softmin(g)⟩ + ⟨β, softmin(f)⟩ is the
    // dual value OT_ε(α, β) and ⟨α, softmin(f_αα)⟩ is ½ OT_ε(α, α).
    const ot = tf.add(tf.mean(softmin(epsilon, c.cxy, g)), tf.mean(softmin(epsilon, c.cyx, f)));
    const selfX = tf.mean(softmin(epsilon, c.cxx, fAA));
    const selfY = tf.mean(softmin(epsilon, c.cyy, gBB));
    return tf.sub(ot, tf.add(selfX, selfY));
  });
}
