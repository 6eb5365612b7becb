import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { checkGradient } from './gradient.js';
import { expectNoLeak } from './leak.js';
import { mulberry32, normals, sizeOf } from './random.js';
import { expectTensorClose } from './tensor-close.js';
import { tolerance } from './tolerances.js';

/** A loss or metric in the `(yTrue, yPred, options)` form of tfjs-layers losses. */
export type LossFn = (yTrue: tf.Tensor | tf.TensorLike, yPred: tf.Tensor | tf.TensorLike, options?: never) => tf.Tensor;

/** One float64 reference case, as written by a fixture script (flat arrays, row-major). */
export interface LossFixtureCase {
  shape?: number[];
  yTrueShape?: number[];
  yPredShape?: number[];
  options?: Record<string, unknown>;
  yTrue: number[];
  yPred: number[];
  /** Element-wise (`reduction: 'none'`) values and their shape (default: the input shape). */
  none?: number[];
  noneShape?: number[];
  mean?: number;
  sum?: number;
  /** The value with default options, for entries without reductions. */
  value?: number | number[];
  /** ∂ sum(loss) / ∂ yPred (reduction 'sum' when the entry has reductions). */
  gradOfSum?: number[];
  /** ∂ sum(loss) / ∂ yTrue, for entries differentiable in both arguments. */
  gradYTrueOfSum?: number[];
}

/** A fixture file: the generator that wrote it and its cases. */
export interface LossFixtures {
  meta: Record<string, unknown>;
  cases: LossFixtureCase[];
}

/** Inputs drawn for the shape, reduction, leak and layers checks. */
export interface Sample {
  yTrue: number[];
  yPred: number[];
}

/** What {@link describeLoss} needs to know about an entry; everything but `fixtures` has a default. */
export interface LossContract {
  fixtures: LossFixtures;
  /** Supports `reduction: 'none' | 'mean' | 'sum'`. Default true. */
  reductions?: boolean;
  /** Value of `loss(x, x)` with mean reduction, or false when no perfect prediction exists. Default 0. */
  perfect?: number | false;
  /** Inputs for a shape (default: standard normal yTrue and yPred). */
  sample?: (shape: number[], rng: () => number) => Sample;
  /** Shapes tried for reductions (default [3], [2,3], [2,3,4]). */
  shapes?: number[][];
  /** Shape of `reduction: 'none'` output for an input shape (default: the same shape). */
  noneShape?: (shape: number[]) => number[];
  /** Mismatched (yTrue, yPred) shapes that must throw ShapeError, or false. Default [[2,3],[3,2]]. */
  mismatch?: [number[], number[]] | false;
  /** Options that must throw ValueError with a message matching the pattern. */
  invalid?: Array<[Record<string, unknown>, RegExp]>;
  /** Differentiable in yPred: checks autodiff against fixtures and central differences. Default true. */
  differentiable?: boolean;
  /** Points for the central-difference check (default: the first fixture case). Keep them away from kinks. */
  gradPoints?: Array<{ yTrue: number[]; yPred: number[]; shape?: number[]; yTrueShape?: number[]; options?: Record<string, unknown> }>;
  /** Finite-difference step (default 1e-2) and relative tolerance (default 1e-2). */
  gradStep?: number;
  gradRtol?: number;
  /** Widening factor on the float32 value tolerance, with the reason in a comment where it is set. */
  toleranceFactor?: number;
  /** Turns fixture options (JSON) into call options (e.g. building an extractor). */
  prepareOptions?: (options: Record<string, unknown>) => Record<string, unknown>;
  /** Input shape of the perfect-prediction check (default [2, 3]); e.g. an image shape for image losses. */
  perfectShape?: number[];
  /**
   * Shape of yTrue for a yPred shape in the reductions and mismatch checks, for entries whose target
   * carries extra axes (default: the yPred shape). `sample` must then return a yTrue of that size.
   * (The perfect-prediction check passes one tensor as both, so such entries set `perfect: false`.)
   */
  yTrueShape?: (shape: number[]) => number[];
  /**
   * Options (passed through `prepareOptions`) for the checks that draw inputs (perfect prediction,
   * reductions), for entries that need one (e.g. a feature extractor). Default: none, as before.
   */
  callOptions?: Record<string, unknown>;
  /** Train one step of a tiny tfjs-layers model with this loss. Default true when `sample` is the default. */
  layers?: boolean | { activation?: 'linear' | 'sigmoid' | 'softmax' | 'relu'; shape?: [number, number] };
}

function shapesOf(c: LossFixtureCase): { t: number[]; p: number[] } {
  const shape = c.shape ?? [c.yPred.length];
  return { t: c.yTrueShape ?? shape, p: c.yPredShape ?? shape };
}

const defaultSample = (shape: number[], rng: () => number): Sample => ({
  yTrue: normals(sizeOf(shape), rng),
  yPred: normals(sizeOf(shape), rng),
});

type AnyLoss = (t: tf.Tensor | tf.TensorLike, p: tf.Tensor | tf.TensorLike, o?: Record<string, unknown>) => tf.Tensor;

/**
 * The contract every loss and metric passes (STYLE §6): fixture values and gradients, perfect prediction,
 * reductions over shapes, shape and option errors, central differences, no leaks, plain arrays,
 * and use as a tfjs-layers loss.
 */
export function describeLoss(name: string, lossFn: LossFn | AnyLoss, spec: LossContract): void {
  const fn = lossFn as AnyLoss;
  const prep = (o: Record<string, unknown> | undefined): Record<string, unknown> => (spec.prepareOptions ?? ((x) => x))({ ...(o ?? {}) });
  const reductions = spec.reductions ?? true;
  const differentiable = spec.differentiable ?? true;
  const sample = spec.sample ?? defaultSample;
  const tol = () => tolerance(spec.toleranceFactor ?? 1);
  const trueShape = spec.yTrueShape ?? ((shape: number[]) => shape);
  const callOpts = (): Record<string, unknown> => (spec.callOptions ? prep(spec.callOptions) : {});

  describe(`${name} (loss contract)`, () => {
    it('has fixture cases from a float64 generator', () => {
      expect(spec.fixtures.cases.length).toBeGreaterThan(0);
      expect(String(spec.fixtures.meta.dtype ?? '')).toBe('float64');
    });

    it('matches the float64 fixtures', () => {
      spec.fixtures.cases.forEach((c, k) => {
        const { t, p } = shapesOf(c);
        const yTrue = tf.tensor(c.yTrue, t);
        const yPred = tf.tensor(c.yPred, p);
        const opts = prep(c.options);
        const check = (reduction: string | undefined, expected: number | number[], shape?: number[]) => {
          const out = fn(yTrue, yPred, reduction ? { ...opts, reduction } : opts);
          if (shape) expect(out.shape, `${name} case ${k} ${reduction ?? 'value'} shape`).toEqual(shape);
          expectTensorClose(out, Array.isArray(expected) ? expected : [expected], tol(), `${name} case ${k} ${reduction ?? 'value'} (options ${JSON.stringify(c.options ?? {})})`);
          out.dispose();
        };
        if (c.none) check('none', c.none, c.noneShape ?? t);
        if (c.mean !== undefined) check('mean', c.mean);
        if (c.sum !== undefined) check('sum', c.sum);
        if (c.value !== undefined) check(undefined, c.value);
        tf.dispose([yTrue, yPred]);
      });
    });

    if (differentiable) {
      it('has the float64 autodiff gradient of the fixtures', () => {
        const withGrad = spec.fixtures.cases.filter((c) => c.gradOfSum);
        expect(withGrad.length, 'fixtures carry gradOfSum').toBeGreaterThan(0);
        withGrad.forEach((c, k) => {
          const { t, p } = shapesOf(c);
          const opts = prep(c.options);
          const red = reductions ? { reduction: 'sum' } : {};
          const yTrue = tf.tensor(c.yTrue, t);
          const yPred = tf.tensor(c.yPred, p);
          const g = tf.grad((x: tf.Tensor) => tf.sum(fn(yTrue, x, { ...opts, ...red })))(yPred);
          expectTensorClose(g, c.gradOfSum!, tolerance((spec.toleranceFactor ?? 1) * 10), `${name} case ${k} ∂/∂yPred`);
          if (c.gradYTrueOfSum) {
            const gt = tf.grad((x: tf.Tensor) => tf.sum(fn(x, yPred, { ...opts, ...red })))(yTrue);
            expectTensorClose(gt, c.gradYTrueOfSum, tolerance((spec.toleranceFactor ?? 1) * 10), `${name} case ${k} ∂/∂yTrue`);
            gt.dispose();
          }
          tf.dispose([g, yTrue, yPred]);
        });
      });

      it('agrees with float32 central differences', () => {
        const points = spec.gradPoints ?? spec.fixtures.cases.slice(0, 1).map((c) => ({ ...c, yTrueShape: shapesOf(c).t, shape: shapesOf(c).p }));
        for (const pt of points) {
          const shape = pt.shape ?? [pt.yPred.length];
          const yTrue = tf.tensor(pt.yTrue, pt.yTrueShape ?? shape);
          const opts = { ...prep(pt.options), ...(reductions ? { reduction: 'sum' } : {}) };
          checkGradient((x) => fn(yTrue, x, opts), [tf.tensor(pt.yPred, shape)], {
            step: spec.gradStep ?? 1e-2,
            rtol: spec.gradRtol ?? 1e-2,
            label: `${name} ∂/∂yPred`,
          });
          yTrue.dispose();
        }
      });
    }

    const perfect = spec.perfect;
    if (perfect !== false) {
      it('is minimal at a perfect prediction', () => {
        const shape = spec.perfectShape ?? [2, 3];
        const s = sample(shape, mulberry32(11));
        const y = tf.tensor(s.yTrue, shape);
        const out = fn(y, y, { ...callOpts(), ...(reductions ? { reduction: 'mean' } : {}) });
        expectTensorClose(out, [perfect ?? 0], { rtol: 1e-4, atol: 1e-4 }, `${name}(x, x)`);
        tf.dispose([y, out]);
      });
    }

    if (reductions) {
      it('reduces consistently over shapes', () => {
        const rng = mulberry32(3);
        for (const shape of spec.shapes ?? [[3], [2, 3], [2, 3, 4]]) {
          const s = sample(shape, rng);
          const yTrue = tf.tensor(s.yTrue, trueShape(shape));
          const yPred = tf.tensor(s.yPred, shape);
          const none = fn(yTrue, yPred, { ...callOpts(), reduction: 'none' });
          expect(none.shape, `${name} none shape for [${shape}]`).toEqual((spec.noneShape ?? ((x) => x))(shape));
          const mean = fn(yTrue, yPred, { ...callOpts(), reduction: 'mean' });
          const sum = fn(yTrue, yPred, { ...callOpts(), reduction: 'sum' });
          const dflt = spec.callOptions ? fn(yTrue, yPred, callOpts()) : fn(yTrue, yPred);
          expect(mean.shape).toEqual([]);
          expect(sum.shape).toEqual([]);
          const mNone = tf.mean(none);
          const sNone = tf.sum(none);
          expectTensorClose(mean, mNone, tol(), `${name} mean vs mean(none) [${shape}]`);
          expectTensorClose(sum, sNone, tol(), `${name} sum vs sum(none) [${shape}]`);
          expectTensorClose(dflt, mean, tol(), `${name} default reduction is mean [${shape}]`);
          tf.dispose([yTrue, yPred, none, mean, sum, dflt, mNone, sNone]);
        }
      });

      it('rejects an unknown reduction', () => {
        const c = spec.fixtures.cases[0]!;
        const { t, p } = shapesOf(c);
        const call = () => fn(tf.tensor(c.yTrue, t), tf.tensor(c.yPred, p), { ...prep(c.options), reduction: 'avg' });
        expect(call).toThrow(/reduction/);
        expect(errorName(call)).toBe('ValueError');
      });
    }

    const mismatch = spec.mismatch;
    if (mismatch !== false) {
      it('throws ShapeError on mismatched shapes', () => {
        const [a, b] = mismatch ?? [[2, 3], [3, 2]];
        const s1 = sample(a, mulberry32(5));
        const s2 = sample(b, mulberry32(6));
        const yTrue = tf.tensor(s1.yTrue, trueShape(a));
        const yPred = tf.tensor(s2.yPred, b);
        const call = () => fn(yTrue, yPred, prep(spec.fixtures.cases[0]?.options));
        expect(errorName(call)).toBe('ShapeError');
        expect(errorMessage(call)).toContain(name);
        tf.dispose([yTrue, yPred]);
      });
    }

    for (const [options, pattern] of spec.invalid ?? []) {
      it(`throws ValueError for options ${JSON.stringify(options)}`, () => {
        const c = spec.fixtures.cases[0]!;
        const { t, p } = shapesOf(c);
        const call = () => fn(tf.tensor(c.yTrue, t), tf.tensor(c.yPred, p), { ...prep(c.options), ...options });
        expect(errorName(call)).toBe('ValueError');
        expect(errorMessage(call)).toMatch(pattern);
      });
    }

    it('leaks no tensors (value and gradient)', async () => {
      const c = spec.fixtures.cases[0]!;
      const { t, p } = shapesOf(c);
      const yTrue = tf.tensor(c.yTrue, t);
      const yPred = tf.tensor(c.yPred, p);
      const opts = prep(c.options);
      await expectNoLeak(() => fn(yTrue, yPred, opts).dispose(), `${name} value`);
      if (differentiable) {
        await expectNoLeak(() => tf.grad((x: tf.Tensor) => tf.sum(fn(yTrue, x, opts)))(yPred).dispose(), `${name} gradient`);
      }
      tf.dispose([yTrue, yPred]);
    });

    it('accepts plain arrays wherever it accepts tensors', () => {
      const c = spec.fixtures.cases[0]!;
      const { t, p } = shapesOf(c);
      const opts = prep(c.options);
      const yTrue = tf.tensor(c.yTrue, t);
      const yPred = tf.tensor(c.yPred, p);
      const fromTensors = fn(yTrue, yPred, opts);
      const fromArrays = fn(yTrue.arraySync() as tf.TensorLike, yPred.arraySync() as tf.TensorLike, opts);
      expectTensorClose(fromArrays, fromTensors, { rtol: 0, atol: 0 }, `${name} arrays vs tensors`);
      tf.dispose([yTrue, yPred, fromTensors, fromArrays]);
    });

    const layers = spec.layers ?? spec.sample === undefined;
    if (layers && differentiable) {
      it('trains a tfjs-layers model as its loss', async () => {
        const cfg = typeof layers === 'object' ? layers : {};
        const [batch, units] = cfg.shape ?? [4, 3];
        const rng = mulberry32(9);
        const s = sample([batch, units], rng);
        // Seeded initial weights: with TF.js's unseeded default a scale-invariant loss (e.g. z-loss) could
        // draw near-constant outputs whose large gradient makes the SGD step overshoot (a flaky test).
        const model = tf.sequential({
          layers: [tf.layers.dense({ inputShape: [5], units, activation: cfg.activation ?? 'linear', kernelInitializer: tf.initializers.glorotUniform({ seed: 7 }) })],
        });
        const opts = prep(spec.fixtures.cases[0]?.options);
        model.compile({ optimizer: tf.train.sgd(0.01), loss: (yt: tf.Tensor, yp: tf.Tensor) => fn(yt, yp, opts) });
        const x = tf.tensor(normals(batch * 5, rng), [batch, 5]);
        const y = tf.tensor(s.yTrue, [batch, units]);
        const before = tf.memory().numTensors;
        const l1 = (await model.trainOnBatch(x, y)) as number;
        const l2 = (await model.trainOnBatch(x, y)) as number;
        expect(Number.isFinite(l1) && Number.isFinite(l2)).toBe(true);
        expect(l2).toBeLessThanOrEqual(l1 + 1e-6);
        expect(tf.memory().numTensors).toBe(before);
        tf.dispose([x, y]);
        model.dispose();
      });
    }
  });
}

function errorName(call: () => unknown): string | undefined {
  try {
    call();
  } catch (err) {
    return (err as Error).name;
  }
  return undefined;
}

function errorMessage(call: () => unknown): string {
  try {
    call();
  } catch (err) {
    return (err as Error).message;
  }
  return '(no error thrown)';
}
