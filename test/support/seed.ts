/** Seeds for randomised tests: a failure names its seed, and METERSCOPE_TEST_SEED=<n> replays it. */
import { randomInt } from 'node:crypto';

/** METERSCOPE_TEST_SEED when set (replaying a failure), else a fresh seed. */
export function testSeed(): number {
  const given = process.env.METERSCOPE_TEST_SEED;
  if (given === undefined || given === '') return randomInt(0, 2 ** 32);
  const n = Number(given);
  if (!Number.isInteger(n) || n < 0 || n >= 2 ** 32) throw new Error(`METERSCOPE_TEST_SEED must be an integer from 0 to 4294967295, got "${given}"`);
  return n;
}
