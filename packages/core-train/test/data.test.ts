import * as tf from '@tensorflow/tfjs';
import { expectNoLeak } from '@lossworks/testing';
import { describe, expect, it } from 'vitest';
import { ValueError } from '@lossworks/core-losses';
import { DataError, Dataset, Rng, collate, hashSeed, kFoldByGroup, splitByGroup, withSeed, type Sample } from '../src/index.js';

describe('Rng', () => {
  it('is deterministic, resumable from its state, and roughly uniform', () => {
    const a = new Rng(42);
    const first = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => new Rng(42)).map((r) => r.next())).toEqual(Array(5).fill(first[0]));
    const state = a.getState();
    const cont = Array.from({ length: 5 }, () => a.next());
    const b = Rng.fromState(state);
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(cont);
    expect(new Rng(43).next()).not.toBe(first[0]);
    const r = new Rng(1);
    const n = 20000;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += r.next();
    // Mean of n uniforms has sd 1/√(12n) ≈ 0.002: 0.01 is five sd.
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.01);
    expect(() => r.setState([1, 2, 3])).toThrow(ValueError);
  });

  it('hashSeed separates parts and withSeed seeds TF.js initialisers', () => {
    expect(hashSeed('ab', 'c')).not.toBe(hashSeed('a', 'bc'));
    expect(hashSeed(1, 2)).toBe(hashSeed(1, 2));
    const w = (seed: number): number[] =>
      withSeed(seed, () => {
        const m = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [2] })] });
        const v = [...m.getWeights()[0]!.dataSync()];
        m.dispose();
        return v;
      });
    expect(w(3)).toEqual(w(3));
    expect(w(3)).not.toEqual(w(4));
    expect(() => withSeed(1, () => Promise.resolve(1))).toThrow(/must be synchronous/);
  });
});

describe('Dataset', () => {
  it('map, filter, batch, take, skip, repeat compose lazily with known sizes', async () => {
    const ds = Dataset.range(10)
      .map((x) => x * 2)
      .skip(1)
      .take(7)
      .batch(3);
    expect(ds.size).toBe(3);
    expect(await ds.toArray()).toEqual([[2, 4, 6], [8, 10, 12], [14]]);
    expect(await Dataset.range(5).batch(2, { dropRemainder: true }).toArray()).toEqual([[0, 1], [2, 3]]);
    expect(await Dataset.range(3).repeat(2).toArray()).toEqual([0, 1, 2, 0, 1, 2]);
    expect(Dataset.range(3).repeat().size).toBe(Number.POSITIVE_INFINITY);
    expect(await Dataset.range(3).repeat().take(7).toArray()).toEqual([0, 1, 2, 0, 1, 2, 0]);
    expect(await Dataset.range(6).filter((x) => x % 2 === 1).toArray()).toEqual([1, 3, 5]);
    let calls = 0;
    const lazy = Dataset.range(100).map((x) => {
      calls++;
      return x;
    });
    expect(calls).toBe(0);
    await lazy.take(3).toArray();
    expect(calls).toBe(3);
  });

  it('shuffle is a permutation, seeded, and reshuffles by epoch and run seed', async () => {
    const ds = Dataset.range(50).shuffle(50, { seed: 7 });
    const e0 = await ds.toArray({ epoch: 0 });
    expect([...e0].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(e0).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(await ds.toArray({ epoch: 0 })).toEqual(e0);
    expect(await ds.toArray({ epoch: 1 })).not.toEqual(e0);
    expect(await ds.toArray({ epoch: 0, seed: 1 })).not.toEqual(e0);
    expect(await Dataset.range(50).shuffle(50, { seed: 8 }).toArray({ epoch: 0 })).not.toEqual(e0);
    const fixed = Dataset.range(20).shuffle(20, { seed: 1, reshuffleEachIteration: false });
    expect(await fixed.toArray({ epoch: 3 })).toEqual(await fixed.toArray({ epoch: 0 }));
    // A small buffer only moves elements a little: element i appears no earlier than position i − buffer.
    const local = await Dataset.range(30).shuffle(4).toArray();
    local.forEach((v, pos) => expect(pos).toBeGreaterThanOrEqual(v - 4));
    // Plain `for await` advances the epoch each pass.
    const passes: number[][] = [];
    for (let p = 0; p < 2; p++) {
      const seen: number[] = [];
      for await (const v of ds) seen.push(v);
      passes.push(seen);
    }
    expect(passes[0]).toEqual(e0);
    expect(passes[1]).toEqual(await ds.toArray({ epoch: 1 }));
  });

  it('repeat reshuffles each repetition', async () => {
    const v = await Dataset.range(10).shuffle(10).repeat(2).toArray();
    expect(v.slice(0, 10)).not.toEqual(v.slice(10));
  });

  it('prefetch keeps order, runs ahead, and disposes what it fetched but never handed out', async () => {
    const started: number[] = [];
    const ds = Dataset.fromGenerator(async function* () {
      for (let i = 0; i < 10; i++) {
        started.push(i);
        yield tf.scalar(i);
      }
    }).prefetch(3);
    await expectNoLeak(async () => {
      const it = ds.iterate();
      const first = await it.next();
      // While the consumer holds element 0, up to three more have been requested.
      await new Promise((r) => setTimeout(r, 5));
      expect(started.length).toBeGreaterThanOrEqual(3);
      (first.value as tf.Tensor).dispose();
      await it.return?.();
    }, 'prefetch closed early');
    const all = await Dataset.range(20).map(async (x) => x).prefetch(4).toArray();
    expect(all).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('fromArray yields clones of tensors so consumers may dispose them', async () => {
    const t = tf.tensor([1, 2]);
    const ds = Dataset.fromArray([{ x: t }]);
    for (let pass = 0; pass < 2; pass++) {
      const [item] = await ds.toArray();
      expect([...item!.x.dataSync()]).toEqual([1, 2]);
      item!.x.dispose();
    }
    expect(t.isDisposed).toBe(false);
    t.dispose();
  });

  it('skip and batch(dropRemainder) dispose the tensors they drop', async () => {
    const ds = Dataset.fromGenerator(function* () {
      for (let i = 0; i < 5; i++) yield tf.scalar(i);
    });
    await expectNoLeak(async () => {
      const kept = await ds.skip(2).batch(2, { dropRemainder: true }).toArray();
      expect(kept.map((b) => b.map((t) => t.dataSync()[0]))).toEqual([[2, 3]]);
      tf.dispose(kept.flat());
    });
  });

  it('rejects bad arguments', () => {
    expect(() => Dataset.range(3).batch(0)).toThrow(/Dataset.batch: argument must be a positive integer/);
    expect(() => Dataset.range(3).take(-1)).toThrow(ValueError);
    expect(() => Dataset.range(3).shuffle(1.5)).toThrow(ValueError);
  });
});

describe('collate', () => {
  it('stacks plain values, typed arrays, {data, shape}, tensors, multi-input arrays and named fields', async () => {
    await expectNoLeak(() => {
      const samples: Sample[] = [
        { x: [[1, 2], [3, 4]], y: 0, id: 'a' },
        { x: [[5, 6], [7, 8]], y: 1, id: 7 },
      ];
      const b = collate(samples);
      expect((b.x as tf.Tensor).shape).toEqual([2, 2, 2]);
      expect([...(b.y as tf.Tensor).dataSync()]).toEqual([0, 1]);
      expect(b.ids).toEqual(['a', '7']);
      tf.dispose([b.x as tf.Tensor, b.y as tf.Tensor]);

      const t0 = tf.tensor([1, 2, 3]);
      const multi = collate([
        { x: [Float32Array.of(1, 2), { data: [1, 2, 3, 4], shape: [2, 2] }], y: { a: t0, b: Int32Array.of(3) } },
        { x: [Float32Array.of(3, 4), { data: [5, 6, 7, 8], shape: [2, 2] }], y: { a: t0, b: Int32Array.of(4) } },
      ]);
      const [x0, x1] = multi.x as tf.Tensor[];
      const { a, b: yb } = multi.y as Record<string, tf.Tensor>;
      expect(x0!.shape).toEqual([2, 2]);
      expect(x1!.shape).toEqual([2, 2, 2]);
      expect(a!.shape).toEqual([2, 3]);
      expect(yb!.dtype).toBe('int32');
      expect(multi.ids).toBeUndefined();
      expect(t0.isDisposed).toBe(false);
      tf.dispose([x0!, x1!, a!, yb!, t0]);
    });
  });

  it('ragged or mismatched samples throw DataError without leaking', async () => {
    await expectNoLeak(() => {
      expect(() => collate([{ x: [1, 2] }, { x: [1, 2, 3] }])).toThrow(/x of sample 1 has shape \[3\] but sample 0 has \[2\]/);
      expect(() => collate([{ x: [[1, 2], [3]] }])).toThrow(DataError);
      expect(() => collate([{ x: 1, y: 1 }, { x: 2 }])).toThrow(/1 of 2 samples have 'y'/);
      expect(() => collate([])).toThrow(DataError);
    });
  });
});

describe('splitByGroup', () => {
  // 40 patients with 1–9 samples each.
  const rng = new Rng(5);
  const items = Array.from({ length: 40 }, (_, p) => Array.from({ length: 1 + rng.int(9) }, (_, k) => ({ patient: `p${p}`, k }))).flat();
  const largest = 9;

  it('no group is in two splits, proportions hold within a group size, and every item is used once', () => {
    const { splits, groups } = splitByGroup(items, { group: (s) => s.patient, fractions: { train: 0.7, val: 0.15, test: 0.15 }, seed: 3 });
    const seen = new Map<string, string>();
    for (const [name, list] of Object.entries(splits)) {
      for (const s of list) {
        const prev = seen.get(s.patient);
        expect(prev === undefined || prev === name, `${s.patient} in ${prev} and ${name}`).toBe(true);
        seen.set(s.patient, name);
      }
    }
    expect(splits.train.length + splits.val.length + splits.test.length).toBe(items.length);
    for (const [name, f] of [['train', 0.7], ['val', 0.15], ['test', 0.15]] as const) {
      // Greedy assignment by deficit: each split within (splits − 1) × largest group of its target.
      expect(Math.abs(splits[name].length - f * items.length), name).toBeLessThanOrEqual(2 * largest);
      expect(groups[name].length).toBeGreaterThan(0);
    }
    expect(new Set([...groups.train, ...groups.val, ...groups.test]).size).toBe(40);
  });

  it('is deterministic by seed and independent of item order', () => {
    const opts = { group: (s: { patient: string }) => s.patient, fractions: { train: 0.8, test: 0.2 } };
    const a = splitByGroup(items, { ...opts, seed: 1 });
    expect(splitByGroup(items, { ...opts, seed: 1 }).groups).toEqual(a.groups);
    expect(splitByGroup([...items].reverse(), { ...opts, seed: 1 }).groups).toEqual(a.groups);
    expect(splitByGroup(items, { ...opts, seed: 2 }).groups).not.toEqual(a.groups);
  });

  it('kFoldByGroup puts every group in exactly one test fold', () => {
    const folds = kFoldByGroup(items, { group: (s) => s.patient, k: 4, seed: 0 });
    expect(folds).toHaveLength(4);
    const all = folds.flatMap((f) => f.testGroups);
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(40);
    for (const f of folds) {
      expect(f.train.length + f.test.length).toBe(items.length);
      const test = new Set(f.testGroups);
      expect(f.train.some((s) => test.has(s.patient))).toBe(false);
      expect(Math.abs(f.test.length - items.length / 4)).toBeLessThanOrEqual(3 * largest);
    }
  });

  it('rejects bad fractions and too few groups', () => {
    expect(() => splitByGroup(items, { group: (s) => s.patient, fractions: { a: 0.5, b: 0.6 } })).toThrow(/must sum to 1/);
    expect(() => splitByGroup(items, { group: (s) => s.patient, fractions: { a: 1, b: 0 } })).toThrow(/every fraction must be > 0/);
    expect(() => splitByGroup(items.slice(0, 1), { group: (s) => s.patient, fractions: { a: 0.5, b: 0.5 } })).toThrow(/1 group\(s\) cannot fill 2 splits/);
    expect(() => kFoldByGroup(items, { group: (s) => s.patient, k: 1 })).toThrow(ValueError);
  });
});
