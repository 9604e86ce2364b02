import { describe, expect, it } from 'vitest';
import { TokenBucket } from './rate-limit.js';

describe('TokenBucket', () => {
  it('starts full: one second of budget, then asks for the whole seconds to wait', () => {
    const b = new TokenBucket(2, 1000);
    expect(b.take(1000)).toBe(0);
    expect(b.take(1000)).toBe(0);
    expect(b.take(1000)).toBe(1);
    expect(b.take(1500)).toBe(0); // half a second refills one token at 2/s
  });

  it('a clock read taken before the bucket existed does not spend a token', () => {
    const b = new TokenBucket(1, 1000);
    expect(b.take(999)).toBe(0);
    expect(b.take(999)).toBe(1);
    expect(b.take(2000)).toBe(0);
  });

  it('a batch costs its size and at least one batch fits', () => {
    const b = new TokenBucket(10, 0, 100);
    expect(b.take(0, 100)).toBe(0);
    expect(b.take(0, 20)).toBe(2);
  });

  it('a zero limit means unlimited', () => {
    const b = new TokenBucket(0, 0);
    for (let i = 0; i < 5; i++) expect(b.take(0)).toBe(0);
  });
});
