/**
 * Seeded randomness for tests that pick random values (kill delays): the seed comes from
 * FAULTLINE_TEST_SEED or is fresh, and goes into the test names, so a failure can be replayed with
 * `FAULTLINE_TEST_SEED=<seed> node --import tsx --test <file>`.
 */
import { newSeed, seededRandom } from '../../src/util/random.js';

export interface TestRandom {
  seed: number;
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  /** "seed 123 — replay with FAULTLINE_TEST_SEED=123" */
  label: string;
}

export function testRandom(): TestRandom {
  const fromEnv = process.env.FAULTLINE_TEST_SEED;
  const seed = fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) : newSeed();
  if (!Number.isSafeInteger(seed)) throw new Error(`FAULTLINE_TEST_SEED must be an integer, got ${JSON.stringify(fromEnv)}`);
  const next = seededRandom(seed);
  return { seed, next, int: (min, max) => min + Math.floor(next() * (max - min + 1)), label: `seed ${seed}; replay with FAULTLINE_TEST_SEED=${seed}` };
}
