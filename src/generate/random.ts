/**
 * Deterministic pseudo-randomness. In SQL every draw is a hash of (seed, stream tag, row), so a
 * row's values do not depend on thread scheduling or on any other row; in JS a small seeded PRNG
 * places the bursts.
 */
import { mulberry32 } from '../util/seeded-random.js';

/** One tag per independent stream of draws (changing a tag changes every generated file). */
export const TAG = {
  weight: 1,
  millis: 2,
  late: 3,
  lateDelay: 4,
  duplicate: 5,
  duplicateOf: 6,
  malformed: 7,
  malformedKind: 8,
  cut: 9,
  badTimestamp: 16,
  name: 10,
  customer: 11,
  customerId: 12,
  id1: 13,
  id2: 14,
  value: 15,
  propertyPresence: 100,
  propertyRank: 200,
  propertyId: 300,
} as const;

/** UInt64 hash of (seed, tag, x). */
export const hashSql = (seed: number, tag: number, x: string) => `xxh3(toUInt64(${seed}), toUInt16(${tag}), ${x})`;

/** Uniform Float64 in [0, 1) from (seed, tag, x): the top 53 bits of the hash. */
export const uniformSql = (seed: number, tag: number, x: string) => `(bitShiftRight(${hashSql(seed, tag, x)}, 11) / 9007199254740992.)`;

/**
 * A rank in 1..n drawn with probability roughly proportional to rank^-skew (skew 0 = uniform):
 * the inverse CDF of the continuous density x^-skew on [1, n+1).
 */
export function skewedRankSql(n: number, skew: number, u: string): string {
  let x: string;
  if (skew === 0) x = `(1 + ${u} * ${n})`;
  else if (Math.abs(skew - 1) < 1e-9) x = `pow(${n + 1}, ${u})`;
  else {
    const a = 1 - skew;
    x = `pow(1 + ${u} * (pow(${n + 1}, ${a}) - 1), ${1 / a})`;
  }
  return `least(toUInt64(${n}), greatest(toUInt64(1), toUInt64(floor(${x}))))`;
}

/** Seeded PRNG for decisions made in JS: mulberry32 over the seed folded to 32 bits (seeds beyond 2^32 stay distinct). */
export function prng(seed: number): () => number {
  return mulberry32((Math.floor(seed / 4294967296) ^ seed ^ 0x9e3779b9) >>> 0);
}
