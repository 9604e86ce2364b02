import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../util/seeded-random.js';
import { countInterval, expansionInterval, normalQuantile, peakInterval, proportionInterval, ratioInterval, sumInterval, t975, type Interval } from './estimators.js';

const TRIALS = 400;
const contains = (i: Interval, truth: number) => i.low <= truth && truth <= i.high;

/** Units kept independently with probability p (a Bernoulli sample), from a seeded generator. */
function bernoulli<T>(units: T[], p: number, rand: () => number): T[] {
  return units.filter(() => rand() < p);
}

/** Share of TRIALS samples whose interval holds the truth. */
function coverage<T>(units: T[], p: number, seed: number, interval: (s: T[]) => Interval, truth: number): number {
  const rand = mulberry32(seed);
  let hits = 0;
  for (let t = 0; t < TRIALS; t++) if (contains(interval(bernoulli(units, p, rand)), truth)) hits++;
  return hits / TRIALS;
}

describe('sampling estimators: 95 % intervals hold the truth about 95 % of the time (seeded)', () => {
  it('counts of units with several events each (identifiers with copies, or objects)', () => {
    const rand = mulberry32(1);
    const sizes = Array.from({ length: 5000 }, () => (rand() < 0.8 ? 1 : rand() < 0.75 ? 2 : 5));
    const truth = sizes.reduce((a, b) => a + b, 0);
    for (const [p, seed] of [
      [0.1, 11],
      [0.01, 12],
      [0.2, 13],
    ]) {
      const c = coverage(sizes, p, seed, (s) => countInterval(sum(s), sum(s.map((y) => y * y)), p), truth);
      expectNear95(c, `p=${p}`);
    }
  });

  it('counts of whole objects of very different sizes, given how many were read (object sampling)', () => {
    const rand = mulberry32(2);
    for (const [M, p, seed] of [
      [40, 0.25, 21],
      [400, 0.05, 22],
    ]) {
      const objects = Array.from({ length: M }, () => Math.round(200 + 1800 * rand() ** 2));
      const truth = sum(objects);
      const draws = mulberry32(seed);
      let hits = 0;
      let trials = 0;
      while (trials < TRIALS) {
        const s = bernoulli(objects, p, draws);
        if (s.length < 2) continue; // refused: too few objects to estimate from
        trials++;
        if (contains(expansionInterval(sum(s), sum(s.map((y) => y * y)), s.length, M), truth)) hits++;
      }
      expectNear95(hits / trials, `M=${M}`);
    }
  });

  it('sums of values from the second moment', () => {
    const rand = mulberry32(3);
    const values = Array.from({ length: 8000 }, () => 1 + 20 * rand() ** 2);
    const truth = sum(values);
    const c = coverage(values, 0.1, 31, (s) => sumInterval(sum(s), sum(s.map((v) => v * v)), 0.1), truth);
    expectNear95(c);
  });

  it('shares of events (Wilson) and shares over sampled objects (ratio)', () => {
    const rand = mulberry32(4);
    const events = Array.from({ length: 20000 }, () => rand() < 0.03);
    const truth = events.filter(Boolean).length / events.length;
    const c = coverage(events, 0.05, 41, (s) => proportionInterval(s.filter(Boolean).length, s.length), truth);
    expectNear95(c);

    const objects = Array.from({ length: 300 }, () => {
      const b = Math.round(100 + 900 * rand());
      return { a: Math.round(b * (0.2 + 0.4 * rand())), b };
    });
    const share = sum(objects.map((o) => o.a)) / sum(objects.map((o) => o.b));
    const r = coverage(objects, 0.3, 42, (s) => ratioInterval(s, objects.length), share);
    expectNear95(r);
  });

  it('the busiest second: the simultaneous interval holds the true peak at least 95 % of the time', () => {
    const rand = mulberry32(5);
    const seconds = Array.from({ length: 3600 }, (_, i) => (i === 1234 ? 400 : Math.round(20 + 40 * rand())));
    const truth = Math.max(...seconds);
    let hits = 0;
    for (let t = 0; t < TRIALS; t++) {
      let xMax = 0;
      for (const n of seconds) {
        let x = 0;
        for (let k = 0; k < n; k++) if (rand() < 0.1) x++;
        xMax = Math.max(xMax, x);
      }
      if (contains(peakInterval(xMax, seconds.length, 0.1), truth)) hits++;
    }
    expect(hits / TRIALS).toBeGreaterThanOrEqual(0.95);
  });

  it('the busiest second of a long, flat series at 1 %: a few sampled events must not lift the lower bound past the truth', () => {
    // 20,000 seconds of 39 events: some second gets 3-5 sampled events by luck alone.
    const rand = mulberry32(6);
    const seconds = 20_000;
    let hits = 0;
    for (let t = 0; t < 200; t++) {
      let xMax = 0;
      for (let i = 0; i < seconds; i++) xMax = Math.max(xMax, binomial(39, 0.01, rand));
      if (contains(peakInterval(xMax, seconds, 0.01), 39)) hits++;
    }
    expect(hits / 200).toBeGreaterThanOrEqual(0.95);
  });
});

/** A Binomial(n, p) draw by inversion (small n·p: a few steps). */
function binomial(n: number, p: number, rand: () => number): number {
  const u = rand();
  let pmf = (1 - p) ** n;
  let cdf = pmf;
  let k = 0;
  while (u > cdf && k < n) {
    pmf *= ((n - k) / (k + 1)) * (p / (1 - p));
    k++;
    cdf += pmf;
  }
  return k;
}

describe('sampling estimators: edge cases', () => {
  it('nothing sampled gives 0 with an upper bound near 3.8/p; the lower bound never drops below the sample', () => {
    const none = countInterval(0, 0, 0.1);
    expect(none.estimate).toBe(0);
    expect(none.low).toBe(0);
    expect(none.high).toBeCloseTo((1.959963984540054 ** 2 * 0.9) / 0.1, 6);
    expect(countInterval(3, 3, 0.01).low).toBeGreaterThanOrEqual(3);
  });

  it('a full sample (p = 1) is exact', () => {
    expect(countInterval(7, 9, 1)).toEqual({ estimate: 7, low: 7, high: 7 });
    expect(sumInterval(7.5, 30, 1)).toEqual({ estimate: 7.5, low: 7.5, high: 7.5 });
  });

  it("Student's t at 97.5 %", () => {
    expect(t975(1)).toBeCloseTo(12.7062, 4);
    expect(t975(10)).toBeCloseTo(2.2281, 4);
    expect(t975(11)).toBeCloseTo(2.201, 3);
    expect(t975(20)).toBeCloseTo(2.086, 3);
    expect(t975(1000)).toBeCloseTo(1.9623, 3);
  });

  it('every object read: exact', () => {
    expect(expansionInterval(100, 5000, 3, 3)).toEqual({ estimate: 100, low: 100, high: 100 });
  });

  it('the normal quantile', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(1 - 1e-7)).toBeCloseTo(5.199338, 5);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
  });
});

/** 400 trials of a 95 % interval: between 90 % and 99 % hold the truth. */
function expectNear95(coverage: number, what = ''): void {
  expect(coverage, what).toBeGreaterThanOrEqual(0.9);
  expect(coverage, what).toBeLessThanOrEqual(0.99);
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
