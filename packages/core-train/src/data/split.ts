import { ValueError } from '../errors.js';
import { Rng, hashSeed } from './random.js';

/** Options of {@link splitByGroup}. */
export interface GroupSplitOptions<T, K extends string> {
  /** The group of an item (station, genotype, patient, sky patch): all items of a group go to one split. */
  group: (item: T, index: number) => string | number;
  /** Target share of items per split, e.g. `{ train: 0.8, val: 0.1, test: 0.1 }`; each > 0, summing to 1. */
  fractions: Record<K, number>;
  /** Seed of the group order. Default 0. */
  seed?: number;
}

/** The result of {@link splitByGroup}: items and group keys per split. */
export interface GroupSplit<T, K extends string> {
  /** Items of each split, in their original order. */
  splits: Record<K, T[]>;
  /** Group keys (as strings) of each split, sorted. */
  groups: Record<K, string[]>;
}

interface GroupInfo {
  key: string;
  indices: number[];
}

function collectGroups<T>(items: readonly T[], group: (item: T, index: number) => string | number): GroupInfo[] {
  const byKey = new Map<string, number[]>();
  items.forEach((item, i) => {
    const key = String(group(item, i));
    const list = byKey.get(key);
    if (list) list.push(i);
    else byKey.set(key, [i]);
  });
  // Sorted first so the result does not depend on item order, only on the seed.
  return [...byKey.keys()].sort().map((key) => ({ key, indices: byKey.get(key)! }));
}

/**
 * Assigns whole groups to bins with target sizes: groups in a seeded random order, each to the bin with
 * the largest remaining deficit (target − assigned; ties to the earlier bin). Each bin ends within about
 * one largest group of its target.
 */
function assign(groups: GroupInfo[], targets: number[], seed: number): number[][] {
  const order = new Rng(hashSeed('splitByGroup', seed)).shuffle([...groups.keys()]);
  const filled = targets.map(() => 0);
  const bins: number[][] = targets.map(() => []);
  // Every bin first gets one group so none is left empty, then the deficit rule.
  for (const g of order) {
    let best = 0;
    let bestDeficit = Number.NEGATIVE_INFINITY;
    for (let b = 0; b < targets.length; b++) {
      const deficit = bins[b]!.length === 0 ? Number.POSITIVE_INFINITY : targets[b]! - filled[b]!;
      if (deficit > bestDeficit) [best, bestDeficit] = [b, deficit];
    }
    bins[best]!.push(g);
    filled[best]! += groups[g]!.indices.length;
  }
  return bins;
}

function checkFractions(fractions: Record<string, number>, fn: string): [string[], number[]] {
  const names = Object.keys(fractions);
  const values = names.map((n) => fractions[n]!);
  if (names.length < 2) throw new ValueError(`${fn}: option 'fractions' needs at least two splits. Value: ${JSON.stringify(fractions)}.`);
  if (!values.every((f) => Number.isFinite(f) && f > 0)) {
    throw new ValueError(`${fn}: every fraction must be > 0. Value: ${JSON.stringify(fractions)}.`);
  }
  const sum = values.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) > 1e-9) throw new ValueError(`${fn}: fractions must sum to 1. Value: ${JSON.stringify(fractions)} (sum ${sum}).`);
  return [names, values];
}

/**
 * Splits items so that no group is in two splits (no leakage of a station, patient, genotype or sky patch
 * between train and test). Split sizes follow `fractions` within about the size of the largest group;
 * the assignment depends only on the set of groups and the seed.
 */
export function splitByGroup<T, K extends string>(items: readonly T[], options: GroupSplitOptions<T, K>): GroupSplit<T, K> {
  const [names, fractions] = checkFractions(options.fractions, 'splitByGroup');
  const groups = collectGroups(items, options.group);
  if (groups.length < names.length) {
    throw new ValueError(`splitByGroup: ${groups.length} group(s) cannot fill ${names.length} splits (${names.join(', ')}).`);
  }
  const bins = assign(
    groups,
    fractions.map((f) => f * items.length),
    options.seed ?? 0,
  );
  const splits = {} as Record<K, T[]>;
  const groupKeys = {} as Record<K, string[]>;
  names.forEach((name, b) => {
    const idx = bins[b]!.flatMap((g) => groups[g]!.indices).sort((x, y) => x - y);
    splits[name as K] = idx.map((i) => items[i] as T);
    groupKeys[name as K] = bins[b]!.map((g) => groups[g]!.key).sort();
  });
  return { splits, groups: groupKeys };
}

/** Options of {@link kFoldByGroup}. */
export interface GroupKFoldOptions<T> {
  /** The group of an item; a group is in exactly one test fold. */
  group: (item: T, index: number) => string | number;
  /** Number of folds (≥ 2). */
  k: number;
  /** Seed of the group order. Default 0. */
  seed?: number;
}

/** One fold of {@link kFoldByGroup}. */
export interface GroupFold<T> {
  train: T[];
  test: T[];
  /** Group keys of the test part. */
  testGroups: string[];
}

/** Group k-fold: k folds of about equal size, every group in exactly one test fold (sklearn GroupKFold). */
export function kFoldByGroup<T>(items: readonly T[], options: GroupKFoldOptions<T>): GroupFold<T>[] {
  const { k } = options;
  if (!(Number.isInteger(k) && k >= 2)) throw new ValueError(`kFoldByGroup: option 'k' must be an integer ≥ 2. Value: ${k}.`);
  const groups = collectGroups(items, options.group);
  if (groups.length < k) throw new ValueError(`kFoldByGroup: ${groups.length} group(s) cannot fill ${k} folds.`);
  const bins = assign(groups, Array.from({ length: k }, () => items.length / k), options.seed ?? 0);
  return bins.map((bin) => {
    const inTest = new Set(bin.flatMap((g) => groups[g]!.indices));
    return {
      train: items.filter((_, i) => !inTest.has(i)),
      test: items.filter((_, i) => inTest.has(i)),
      testGroups: bin.map((g) => groups[g]!.key).sort(),
    };
  });
}
