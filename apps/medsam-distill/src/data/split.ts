// Train/val/test splits that keep a group (HC18 subject, patient) on one side, through core-train's
// splitByGroup (seeded order of groups, each to the split with the largest remaining deficit).
import { splitByGroup, type GroupSplit } from '@lossworks/core-train';

/** Options of {@link splitSamples}. */
export interface SplitSamplesOptions<K extends string> {
  /** Target share per split, e.g. `{ train: 0.7, test: 0.3 }` (each > 0, summing to 1). */
  fractions: Record<K, number>;
  /** Seed of the group order. Default 0. */
  seed?: number;
}

/**
 * Splits samples (or pair refs: anything with a `group`) by group: no group in two splits, sizes within
 * about one group of the fractions. Deterministic for a seed and a set of groups.
 */
export function splitSamples<T extends { group: string }, K extends string>(items: readonly T[], options: SplitSamplesOptions<K>): GroupSplit<T, K> {
  return splitByGroup(items, { group: (item) => item.group, fractions: options.fractions, seed: options.seed ?? 0 });
}
