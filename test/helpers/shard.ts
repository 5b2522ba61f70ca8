/**
 * Splits a long list of independent real-process cases (the catalog, the resilience suite) over
 * several test files, so the runner can run them in parallel: shard `index` of `count` takes every
 * count-th case, which spreads the long ones evenly.
 */
export interface Shard {
  /** 1-based, as in the file names (runs-fragile-2.test.ts). */
  index: number;
  count: number;
}

export function inShard<T>(items: readonly T[], shard: Shard | undefined): T[] {
  if (!shard) return [...items];
  if (!Number.isInteger(shard.index) || shard.index < 1 || shard.index > shard.count) throw new Error(`shard ${shard.index} of ${shard.count}: expected 1 to ${shard.count}`);
  return items.filter((_, i) => i % shard.count === shard.index - 1);
}

/** "shard 2/3" for test and suite names, or nothing. */
export const shardLabel = (shard: Shard | undefined): string => (shard ? ` (shard ${shard.index}/${shard.count})` : '');
