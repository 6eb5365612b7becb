import * as tf from '@tensorflow/tfjs';
import { StatMetric, UnknownKeyError, ValueError } from '@lossworks/core-losses';
import { expectNoLeak } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { DataError, Dataset, createSchedule, evaluate, fit, withSeed, type Callback, type FunctionModel, type Logs, type TrainContext } from '../src/index.js';
import { linearSamples, mlp, stream, weightValues } from './train-helpers.js';

const samples = linearSamples(32, 1);

function twoOutputModel(seed: number): tf.LayersModel {
  return withSeed(seed, () => {
    const input = tf.input({ shape: [2] });
    const h = tf.layers.dense({ units: 6, activation: 'tanh' }).apply(input) as tf.SymbolicTensor;
    const a = tf.layers.dense({ units: 1, name: 'a_out' }).apply(h) as tf.SymbolicTensor;
    const b = tf.layers.dense({ units: 1, name: 'b_out' }).apply(h) as tf.SymbolicTensor;
    return tf.model({ inputs: input, outputs: [a, b] });
  });
}

/** Collects every step's logs. */
function recorder(out: Logs[]): Callback {
  return { onBatchEnd: (_s, logs) => void out.push({ ...logs }) };
}

describe('fit', () => {
  it('trains a two-output model with named weighted terms, logs each term, and leaks no tensors', async () => {
    const model = twoOutputModel(3);
    const steps: Logs[] = [];
    const history = await expectNoLeak(
      () =>
        fit(model, stream(linearSamples(32, 2, true), 8), {
          loss: [
            { name: 'a', loss: 'mse', output: 'a_out' },
            { name: 'b', loss: 'mse', output: 1, weight: 0.5 },
          ],
          optimizer: { name: 'adam', lr: 0.05 },
          epochs: 6,
          callbacks: [recorder(steps)],
        }),
      'fit',
    );
    expect(steps).toHaveLength(24);
    for (const s of steps) {
      // The total is the weighted sum of the terms (float32 sum of two products: 1e-6 relative).
      expect(s.loss).toBeCloseTo(s['loss/a']! + 0.5 * s['loss/b']!, 5);
    }
    expect(Object.keys(history.history).sort()).toEqual(['loss', 'loss/a', 'loss/b', 'lr']);
    expect(history.epoch).toEqual([0, 1, 2, 3, 4, 5]);
    expect(history.steps.step).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    const loss = history.history.loss!;
    expect(loss[5]!).toBeLessThan(loss[0]! * 0.5);
    expect(history.stopReason).toBe('epochs');
    model.dispose();
  });

  it('gives bit-identical weights for two runs with the same seed (init, shuffle, dropout)', async () => {
    const run = async (seed: number): Promise<Float32Array[]> => {
      const model = mlp(seed, { dropout: 0.3 });
      await fit(model, stream(samples, 8), { loss: [{ name: 'main', loss: 'mse' }], optimizer: { name: 'adam', lr: 0.02 }, epochs: 2, seed });
      const w = weightValues(model);
      model.dispose();
      return w;
    };
    const a = await run(5);
    expect(await run(5)).toEqual(a);
    expect(await run(6)).not.toEqual(a);
  });

  it('dropout masks depend on the run seed (same init, different fit seed)', async () => {
    const run = async (seed: number): Promise<Float32Array[]> => {
      const model = mlp(1, { dropout: 0.5 });
      await fit(model, Dataset.fromArray([samples.slice(0, 8)]), { loss: [{ name: 'main', loss: 'mse' }], optimizer: { name: 'sgd', lr: 0.1 }, seed });
      const w = weightValues(model);
      model.dispose();
      return w;
    };
    expect(await run(1)).not.toEqual(await run(2));
  });

  it('trains a function-style model with a loss function, tapping a named output', async () => {
    const vars = tf.tidy(() => ({ w: tf.variable(tf.zeros([2, 1])), b: tf.variable(tf.zeros([1])) }));
    const model: FunctionModel = {
      variables: vars,
      apply: (x) => {
        const pred = tf.add(tf.matMul(x as tf.Tensor2D, vars.w), vars.b);
        return { pred, doubled: tf.mul(pred, 2) };
      },
    };
    const history = await expectNoLeak(() =>
      fit(model, stream(samples, 8), {
        loss: [{ name: 'main', loss: (t: tf.Tensor, p: tf.Tensor) => tf.mean(tf.square(tf.sub(t, p))), output: 'pred' }],
        optimizer: { name: 'sgd', lr: 0.3, momentum: 0.5 },
        epochs: 15,
      }),
    );
    // The exact solution is w = [2, −1], b = 0.5; 60 momentum-SGD steps get within a few hundredths.
    const [w0, w1] = vars.w.dataSync();
    expect(w0).toBeCloseTo(2, 1);
    expect(w1).toBeCloseTo(-1, 1);
    expect(history.history.loss!.at(-1)!).toBeLessThan(0.01);
    tf.dispose([vars.w, vars.b]);
  });

  it('adds tfjs-layers regularisation penalties as the term loss/regularization', async () => {
    const model = withSeed(3, () =>
      tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2], kernelRegularizer: tf.regularizers.l2({ l2: 0.1 }) })] }),
    );
    const w0 = [...model.getWeights()[0]!.dataSync()];
    const steps: Logs[] = [];
    await fit(model, Dataset.fromArray([samples.slice(0, 8)]), { loss: [{ name: 'main', loss: 'mse' }], optimizer: { name: 'sgd', lr: 0.1 }, callbacks: [recorder(steps)] });
    // The first step's penalty is 0.1·Σw² of the initial kernel, and it is part of the total.
    expect(steps[0]!['loss/regularization']).toBeCloseTo(0.1 * w0.reduce((a, b) => a + b * b, 0), 6);
    expect(steps[0]!.loss).toBeCloseTo(steps[0]!['loss/main']! + steps[0]!['loss/regularization']!, 5);
    model.dispose();
  });

  it('clips gradients to the global norm and logs the norm before clipping', async () => {
    const model = mlp(2);
    const before = weightValues(model);
    const steps: Logs[] = [];
    await fit(model, Dataset.fromArray([samples.slice(0, 8)]), {
      loss: [{ name: 'main', loss: 'mse' }],
      optimizer: { name: 'sgd', lr: 1 },
      clipNorm: 0.01,
      callbacks: [recorder(steps)],
    });
    const after = weightValues(model);
    let sq = 0;
    before.forEach((w, i) => w.forEach((v, j) => (sq += (after[i]![j]! - v) ** 2)));
    // With lr 1 the update is the clipped gradient: its global norm is 0.01·norm/(norm + 1e-6).
    expect(steps[0]!.gradNorm).toBeGreaterThan(0.01);
    expect(Math.sqrt(sq)).toBeCloseTo(0.01, 6);
    model.dispose();
  });

  it('keeps an EMA of the weights, validates with it swapped in, and leaves the raw trajectory unchanged', async () => {
    const decay = 0.6;
    const raw: Float32Array[][] = [];
    const snap: Callback = { onBatchEnd: (_s, _l, ctx: TrainContext) => void raw.push(snapshot(ctx)) };
    const snapshot = (ctx: TrainContext): Float32Array[] => {
      const m = ctx.snapshotWeights();
      const out = [...m.values()].map((t) => Float32Array.from(t.dataSync()));
      tf.dispose([...m.values()]);
      return out;
    };
    const val = Dataset.fromArray([samples.slice(0, 16)]);
    const args = { loss: [{ name: 'main', loss: 'mse' }], optimizer: { name: 'sgd' as const, lr: 0.2 }, epochs: 2, validation: { data: val } };
    const init = mlp(4);
    const expected = weightValues(init);
    const model = mlp(4);
    const history = await expectNoLeak(() => fit(model, stream(samples, 8), { ...args, ema: { decay }, callbacks: [snap] }));
    // Reference EMA in float64 from the recorded raw weights.
    for (const w of raw) expected.forEach((e, i) => e.forEach((v, j) => (e[j] = decay * v + (1 - decay) * w[i]![j]!)));
    const final = weightValues(model);
    // float32 EMA vs float64 over 8 updates of O(1) weights: 1e-6 is ~10 float32 ulps.
    final.forEach((w, i) => w.forEach((v, j) => expect(Math.abs(v - expected[i]![j]!)).toBeLessThan(1e-6)));
    // The last validation ran with the EMA weights, which the model now holds.
    const logs = await evaluate(model, val, { loss: args.loss });
    expect(history.history['val/loss']!.at(-1)).toBeCloseTo(logs.loss!, 6);
    // Swapping the EMA in and out for validation does not disturb training: same raw weights as without EMA.
    const plain = mlp(4);
    await fit(plain, stream(samples, 8), args);
    expect(weightValues(plain)).toEqual(raw.at(-1));
    [init, model, plain].forEach((m) => m.dispose());
  });

  it('validates with metrics each epoch and knows their direction', async () => {
    const mae = new StatMetric({
      name: 'mae',
      higherIsBetter: false,
      stats: (t, p) => [tf.sum(tf.abs(tf.sub(t as tf.Tensor, p as tf.Tensor))), tf.scalar((t as tf.Tensor).size)],
      finalize: ([s, n]) => s! / n!,
    });
    const neg = new StatMetric({ name: 'negMae', higherIsBetter: true, stats: (t, p) => [tf.neg(tf.sum(tf.abs(tf.sub(t as tf.Tensor, p as tf.Tensor)))), tf.scalar((t as tf.Tensor).size)], finalize: ([s, n]) => s! / n! });
    let dirs: (string | undefined)[] = [];
    const model = mlp(7);
    const history = await fit(model, stream(samples, 16), {
      loss: [{ name: 'main', loss: 'mse' }],
      optimizer: { name: 'adam', lr: 0.05 },
      epochs: 3,
      validation: { data: Dataset.fromArray([samples]), metrics: [{ metric: mae }, { metric: neg, name: 'score' }], every: 2 },
      callbacks: [{ onTrainBegin: (ctx) => void (dirs = ['val/loss', 'val/mae', 'val/score', 'loss/main', 'nope'].map((k) => ctx.directionOf(k))) }],
    });
    expect(dirs).toEqual(['min', 'min', 'max', 'min', undefined]);
    // every 2: epochs 1 and the last (2) validate; epoch 0 has NaN placeholders.
    expect(history.history['val/mae']![0]).toBeNaN();
    expect(history.history['val/mae']![1]).toBeGreaterThan(0);
    expect(history.history['val/score']![2]).toBeCloseTo(-history.history['val/mae']![2]!, 6);
    const logs = await evaluate(model, Dataset.fromArray([samples]), { metrics: [{ metric: mae }] });
    expect(logs.mae).toBeCloseTo(history.history['val/mae']![2]!, 6);
    model.dispose();
  });

  it('validates with core-losses registry metrics and takes their direction from higherIsBetter', async () => {
    let dirs: (string | undefined)[] = [];
    const model = mlp(7);
    const val = Dataset.fromArray([samples.slice(0, 16), samples.slice(16)]);
    const history = await fit(model, stream(samples, 8), {
      loss: [{ name: 'main', loss: 'mse' }],
      optimizer: { name: 'adam', lr: 0.05 },
      epochs: 2,
      validation: { data: val, metrics: ['r2'] },
      callbacks: [{ onTrainBegin: (ctx) => void (dirs = ['val/r2', 'val/psnr', 'val/hd95'].map((k) => ctx.directionOf(k))) }],
    });
    // r2 and psnr are higher-is-better, hd95 lower-is-better (METRICS in @lossworks/core-losses).
    expect(dirs).toEqual(['max', 'max', 'min']);
    // The accumulated R² over both validation batches equals R² computed in one go on all samples.
    const all = await evaluate(model, Dataset.fromArray([samples]), { metrics: ['r2'] });
    expect(history.history['val/r2']![1]).toBeCloseTo(all.r2!, 5);
    model.dispose();
  });

  it('reads targets by output name from a record, and leaves the tensors of an array data source valid', async () => {
    const model = twoOutputModel(5);
    const [aName, bName] = model.outputNames as [string, string];
    const batches = [0, 8].map((o) => {
      const part = linearSamples(16, 6, true).slice(o, o + 8);
      return {
        x: tf.tensor(part.map((p) => p.x as number[])),
        y: {
          [aName]: tf.tensor(part.map((p) => [...((p.y as Float32Array[])[0] as Float32Array)])),
          [bName]: tf.tensor(part.map((p) => [...((p.y as Float32Array[])[1] as Float32Array)])),
        },
      };
    });
    const history = await expectNoLeak(() =>
      fit(model, batches, {
        loss: [
          { name: 'a', loss: 'mse', output: aName },
          { name: 'b', loss: 'mse', output: bName },
        ],
        optimizer: { name: 'adam', lr: 0.05 },
        epochs: 3,
      }),
    );
    expect(history.history['loss/b']!.at(-1)!).toBeLessThan(history.history['loss/b']![0]!);
    // fit disposed only the clones it was handed; the caller's batches are intact.
    expect(batches.every((b) => !b.x.isDisposed && !Object.values(b.y).some((t) => t.isDisposed))).toBe(true);
    batches.forEach((b) => tf.dispose([b.x, ...Object.values(b.y)]));
    model.dispose();
  });

  it('mixes an unlabelled stream at the configured ratio and cycles it', async () => {
    const entropyLike = (ctx: { output: (r?: number) => tf.Tensor }) => tf.mean(tf.square(ctx.output()));
    for (const [ratio, expectedPulls, withTerm] of [
      [0.5, 2, [false, true, false, true]],
      [2, 8, [true, true, true, true]],
    ] as const) {
      let pulls = 0;
      const unl = Dataset.fromGenerator(function* () {
        for (let i = 0; i < 3; i++) {
          pulls++;
          yield [{ x: [i / 3, -i / 3] }, { x: [1, 0] }];
        }
      });
      const steps: Logs[] = [];
      const model = mlp(8);
      await expectNoLeak(() =>
        fit(model, stream(samples.slice(0, 16), 4), {
          loss: [{ name: 'main', loss: 'mse' }],
          optimizer: { name: 'sgd', lr: 0.05 },
          unlabelled: { data: unl, loss: [{ name: 'ent', fn: entropyLike }], ratio, weight: 0.1 },
          callbacks: [recorder(steps)],
        }),
      );
      expect(pulls).toBe(expectedPulls);
      expect(steps.map((s) => 'loss/unlabelled/ent' in s)).toEqual(withTerm);
      for (const s of steps) expect(s.loss).toBeCloseTo(s['loss/main']! + 0.1 * (s['loss/unlabelled/ent'] ?? 0), 5);
      model.dispose();
    }
  });

  it('follows the schedule step by step and runs plateau at epoch ends', async () => {
    const steps: Logs[] = [];
    const model = mlp(9);
    const sched = { name: 'warmup-cosine' as const, warmupSteps: 3, totalSteps: 8, minLr: 0.001 };
    await fit(model, stream(samples, 8), { loss: [{ name: 'm', loss: 'mse' }], optimizer: { name: 'adam', lr: 0.05 }, schedule: sched, epochs: 2, callbacks: [recorder(steps)] });
    const ref = createSchedule(sched, 0.05);
    expect(steps.map((s) => s.lr)).toEqual(
      steps.map(() => {
        const v = ref.lr();
        ref.afterStep();
        return v;
      }),
    );
    const h = await fit(model, stream(samples, 8), {
      loss: [{ name: 'm', loss: 'mse' }],
      optimizer: { name: 'sgd', lr: 0.1 },
      schedule: { name: 'plateau', monitor: 'loss', mode: 'max', patience: 0, factor: 0.5 },
      epochs: 4,
    });
    // mode 'max' on a falling loss: epoch 0 sets the best, every later epoch is "worse" and (patience 0)
    // halves the rate for the next epoch, as torch's ReduceLROnPlateau.
    expect(h.history.lr).toEqual([0.1, 0.1, 0.05, 0.025]);
    await expect(
      fit(model, stream(samples, 8), { loss: [{ name: 'm', loss: 'mse' }], optimizer: { name: 'sgd', lr: 0.1 }, schedule: { name: 'plateau', monitor: 'val/psnr' } }),
    ).rejects.toThrow(/monitors 'val\/psnr', which epoch 0 did not log/);
    model.dispose();
  });

  it('stops at maxSteps and honours stepsPerEpoch on endless streams', async () => {
    const model = mlp(10);
    const h = await fit(model, stream(samples, 8), { loss: [{ name: 'm', loss: 'mse' }], optimizer: { name: 'sgd', lr: 0.1 }, epochs: 5, maxSteps: 6 });
    expect(h.stopReason).toBe('maxSteps');
    expect(h.steps.step.at(-1)).toBe(6);
    expect(h.epoch).toEqual([0]); // epoch 1 was cut at step 2 of 4: no epoch end
    const endless = Dataset.fromArray(samples).repeat().batch(8);
    const h2 = await fit(model, endless, { loss: [{ name: 'm', loss: 'mse' }], optimizer: { name: 'sgd', lr: 0.1 }, epochs: 2, stepsPerEpoch: 3 });
    expect(h2.steps.step).toEqual([1, 2, 3, 4, 5, 6]);
    expect(h2.epoch).toEqual([0, 1]);
    model.dispose();
  });

  it('reports configuration and data errors clearly', async () => {
    const model = twoOutputModel(1);
    const data = stream(linearSamples(8, 0, true), 4);
    const base = { optimizer: { name: 'sgd' as const, lr: 0.1 } };
    await expect(fit(model, data, { ...base, loss: [{ name: 'a', loss: 'msee', output: 0 }] })).rejects.toThrow(UnknownKeyError);
    await expect(fit(model, data, { ...base, loss: [{ name: 'a', loss: 'mse' }] })).rejects.toThrow(/has 2 outputs \(a_out_?\d*, b_out_?\d*\); name one with 'output'/);
    await expect(fit(model, data, { ...base, loss: [{ name: 'a', loss: 'mse', output: 0 }, { name: 'a', loss: 'mse', output: 1 }] })).rejects.toThrow(/'a' is used twice/);
    await expect(fit(model, data, { ...base, loss: [{ name: 'a', loss: 'mse', output: 0 }], epochs: 0 })).rejects.toThrow(ValueError);
    await expect(
      fit(model, Dataset.fromArray(linearSamples(8)) as never, { ...base, loss: [{ name: 'a', loss: 'mse', output: 0 }] }),
    ).rejects.toThrow(DataError);
    await expect(fit(model, data, { ...base, loss: [{ name: 'a', loss: 'mse', output: 'zzz' }] })).rejects.toThrow(/Unknown model output 'zzz'/);
    model.dispose();
  });
});
