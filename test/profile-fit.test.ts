/**
 * Fit verdicts flip at 50 % / 100 % of the limit: a peak second of 999 events is tight for Stripe v1
 * (1,000 calls/s), 1,001 exceeds; 500 fits, 501 is tight. Queueing delay and seconds over the limit
 * are checked against a brute-force Lindley recursion over every second of the span.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, tempDir } from './support/helpers.js';
import type { Store } from '../src/store/store.js';
import { resolveSources } from '../src/ingest/source.js';
import { loadSources } from '../src/ingest/load.js';
import { DEFAULT_MAPPING } from '../src/ingest/formats.js';
import { computeProfile } from '../src/profile/compute.js';
import { computeCutover } from '../src/profile/cutover.js';
import { busiestCustomerSeconds } from '../src/profile/customer-meter.js';
import type { FitResult, ProfileReport } from '../src/profile/model.js';
import { mulberry32 } from '../src/util/seeded-random.js';

const T0 = Date.UTC(2024, 5, 3, 12, 0, 0);
let store: Store;
let dir: string;

/**
 * A file with `peak` events inside one second, after 30 s of 3 events/s background; every event from
 * its own customer, so Stripe v1's one call per customer and meter never binds here (it has its own test).
 */
function peakLines(peak: number): string[] {
  const lines: string[] = [];
  let i = 0;
  const ev = (ms: number) => JSON.stringify({ identifier: `e${i++}`, timestamp: ms, event_name: 'call', payload: { stripe_customer_id: `cus_${i}`, value: 1 } });
  for (let s = 0; s < 30; s++) for (let k = 0; k < 3; k++) lines.push(ev(T0 + s * 1000 + k * 100));
  for (let k = 0; k < peak; k++) lines.push(ev(T0 + 40_000 + Math.floor((k * 1000) / peak)));
  return lines;
}

async function profileOf(runId: string, lines: string[]): Promise<ProfileReport> {
  const file = path.join(dir, `${runId}.jsonl`);
  fs.writeFileSync(file, lines.join('\n'));
  const loads = await loadSources(store, runId, await resolveSources([file]), { mapping: DEFAULT_MAPPING });
  return computeProfile(store, runId, 'profile', loads, { customerKey: 'stripe_customer_id', valueKey: 'value' });
}

const byPath = (r: ProfileReport, p: FitResult['path']) => r.fit.find((f) => f.path === p)!;

beforeAll(async () => {
  dir = tempDir();
  store = await openTestStore();
}, 60_000);

describe('fit verdicts', () => {
  it.each([
    [500, 'fits'],
    [501, 'tight'],
    [999, 'tight'],
    [1000, 'tight'],
    [1001, 'exceeds'],
  ] as const)(
    'a peak second of %i events is %s for stripe-v1',
    async (peak, verdict) => {
      const r = await profileOf(`peak${peak}`, peakLines(peak));
      expect(r.rate.peak['1s'].events).toBe(peak);
      const v1 = byPath(r, 'stripe-v1');
      expect(v1.verdict).toBe(verdict);
      expect(v1.need.peakRequestsPerSecond).toBe(peak);
      expect(v1.utilization).toBeCloseTo(peak / 1000, 12);
      expect(v1.headroom).toBeCloseTo(1000 / peak, 12);
      expect(v1.secondsOverLimit).toBe(peak > 1000 ? 1 : 0);
      expect(v1.growthFactor === null).toBe(verdict === 'exceeds');
      if (verdict === 'fits') expect(v1.growthFactor).toBeCloseTo(500 / peak, 12);
      if (verdict === 'tight') expect(v1.growthFactor).toBeCloseTo(1000 / peak, 12);
      // The batching paths take 100 events per request: far from their limits.
      for (const p of ['stripe-v2-stream', 'metronome-ingest'] as const) {
        const f = byPath(r, p);
        expect(f.verdict).toBe('fits');
        expect(f.need.peakRequestsPerSecond).toBe(Math.ceil(peak / 100));
        expect(f.utilization).toBeCloseTo(peak / f.limits.capacityEventsPerSecond, 12);
        expect(f.advice.batchSize).toBe(100);
        expect(f.advice.flushIntervalMs).toBeLessThanOrEqual(1000);
      }
      expect(v1.advice.batchSize).toBe(1);
      expect(v1.advice.queueDelaySeconds).toBeCloseTo(Math.max(0, peak - 1000) / 1000, 9);
    },
    60_000,
  );

  it('queueing delay and seconds over the limit match a brute-force Lindley recursion', async () => {
    // Bursts over 1,000/s separated by quiet and empty seconds: the backlog carries over between them.
    const perSecond = new Map<number, number>([
      [0, 10],
      [5, 1500],
      [6, 900],
      [7, 1300],
      [9, 200],
      [12, 2500],
      [13, 0],
      [20, 1200],
      [21, 999],
      [22, 1001],
    ]);
    const lines: string[] = [];
    let i = 0;
    for (const [s, n] of perSecond) {
      for (let k = 0; k < n; k++) {
        lines.push(JSON.stringify({ identifier: `q${i++}`, timestamp: T0 + s * 1000 + (k % 1000), event_name: 'call', payload: { stripe_customer_id: 'c', value: 1 } }));
      }
    }
    const r = await profileOf('queue', lines);
    // Brute force over every second of the span, empty seconds included.
    const first = Math.min(...[...perSecond].filter(([, n]) => n > 0).map(([s]) => s));
    const last = Math.max(...[...perSecond].filter(([, n]) => n > 0).map(([s]) => s));
    let q = 0;
    let maxQ = 0;
    let over = 0;
    for (let s = first; s <= last; s++) {
      const c = perSecond.get(s) ?? 0;
      if (c > 1000) over++;
      q = Math.max(0, q + c - 1000);
      maxQ = Math.max(maxQ, q);
    }
    const v1 = byPath(r, 'stripe-v1');
    expect(v1.secondsOverLimit).toBe(over);
    expect(v1.advice.queueDelaySeconds).toBeCloseTo(maxQ / 1000, 9);
    expect(v1.verdict).toBe('exceeds');
    expect(v1.advice.keepsUnderLimit).toBe(maxQ / 1000 <= 1);
    expect(byPath(r, 'stripe-v2-stream').advice.queueDelaySeconds).toBe(0);
  }, 60_000);

  it('carries the limits table with source URLs and the timestamp/dedup windows', async () => {
    const r = await profileOf('limits', peakLines(10));
    expect(r.fit.map((f) => [f.path, f.mode])).toEqual([
      ['stripe-v1', 'live'],
      ['stripe-v2-stream', 'live'],
      ['metronome-ingest', 'live'],
      ['stripe-v2-meter-events', 'live'],
      ['stripe-v1-test', 'test'],
      ['stripe-v2-stream-test', 'test'],
    ]);
    for (const f of r.fit) {
      expect(f.sources.length).toBeGreaterThan(0);
      for (const u of f.sources) expect(u).toMatch(/^https:\/\//);
    }
    expect(byPath(r, 'stripe-v1').limits).toMatchObject({ maxEventsPerRequest: 1, requestsPerSecond: 1000, capacityEventsPerSecond: 1000 });
    // Stripe publishes 10,000 and 100,000 events/s for the stream: judged against the conservative one.
    expect(byPath(r, 'stripe-v2-stream').limits).toMatchObject({ maxEventsPerRequest: 100, requestsPerSecond: 10_000, eventsPerSecond: 10_000 });
    expect(byPath(r, 'stripe-v2-stream').limits.alsoPublished.map((a) => a.eventsPerSecond)).toEqual([100_000]);
    expect(byPath(r, 'stripe-v2-meter-events').limits).toMatchObject({ maxEventsPerRequest: 1, requestsPerSecond: 1000, eventsPerSecond: 1000 });
    expect(byPath(r, 'stripe-v1-test').limits).toMatchObject({ requestsPerSecond: 25, capacityEventsPerSecond: 25, concurrentCallsPerCustomerMeter: 1 });
    expect(byPath(r, 'stripe-v2-stream-test').limits).toMatchObject({ requestsPerSecond: 25, capacityEventsPerSecond: 2500 });
    expect(byPath(r, 'metronome-ingest').limits).toMatchObject({ maxEventsPerRequest: 100, requestsPerSecond: null, eventsPerSecond: 100_000 });
    expect(byPath(r, 'stripe-v1').timestamps).toMatchObject({ maxAgeDays: 35, maxFutureSeconds: 300 });
    expect(byPath(r, 'metronome-ingest').dedup).toMatchObject({ field: 'transaction_id', windowSeconds: 34 * 86_400 });
  }, 60_000);

  it('per customer and meter: the busiest second, and the seconds one call at a time cannot carry, equal a brute force', async () => {
    const rnd = mulberry32(5);
    const lines: string[] = [];
    const perTriple = new Map<string, number>();
    let i = 0;
    for (let s = 0; s < 120; s++) {
      for (const customer of ['cus_a', 'cus_b', 'cus_c', '']) {
        for (const name of ['call', 'tokens']) {
          const n = Math.floor(rnd() * rnd() * 9);
          for (let k = 0; k < n; k++) {
            const payload: Record<string, unknown> = { value: 1 };
            if (customer) payload.stripe_customer_id = customer;
            lines.push(JSON.stringify({ identifier: `c${i++}`, timestamp: T0 + s * 1000 + k, event_name: name, payload }));
            if (customer) perTriple.set(`${customer}|${name}|${s}`, (perTriple.get(`${customer}|${name}|${s}`) ?? 0) + 1);
          }
        }
      }
    }
    const r = await profileOf('concurrency', lines);
    const counts = [...perTriple.values()];
    const peak = Math.max(...counts);
    const sequential = 1000 / 250; // one call at a time at the assumed 250 ms
    const over = [...perTriple].filter(([, n]) => n > sequential);
    const pairs = new Set(over.map(([k]) => k.split('|').slice(0, 2).join('|')));
    expect(r.cutover.customerMeter).toMatchObject({
      peakEvents: peak,
      secondsOverSequential: over.length,
      pairsOverSequential: pairs.size,
      sequentialEventsPerSecond: 4,
    });
    const top = [...perTriple].filter(([, n]) => n === peak).map(([k]) => k.split('|'));
    const earliest = Math.min(...top.map((t) => Number(t[2])));
    expect(r.cutover.customerMeter.at).toBe(new Date(T0 + earliest * 1000).toISOString());
    const v1 = byPath(r, 'stripe-v1');
    expect(v1.customerMeter).toMatchObject({ peakEvents: peak, impliedConcurrency: Math.ceil((peak * 250) / 1000), secondsOverSequential: over.length });
    expect(v1.utilization).toBeCloseTo(Math.max(r.rate.peak['1s'].events / 1000, (peak * 250) / 1000), 12);
    expect(byPath(r, 'stripe-v2-stream').customerMeter).toBeNull();
    // Sliced by customer × name pairs (as on large runs), some slices empty: the same figures.
    for (const slices of [3, 7]) {
      const sliced = (await busiestCustomerSeconds(store, 'concurrency', sequential, slices))!;
      expect([Number(sliced.peak), Number(sliced.over), Number(sliced.pairs), Number(sliced.top[2])], `${slices} slices`).toEqual([
        peak,
        over.length,
        pairs.size,
        Math.floor(T0 / 1000) + earliest,
      ]);
    }
    // At 2 s per call under one event a second fits: every triple is over, single events included.
    const slow = (await computeCutover(store, 'concurrency', 2000)).customerMeter;
    const allPairs = new Set([...perTriple.keys()].map((k) => k.split('|').slice(0, 2).join('|')));
    expect(slow).toMatchObject({ peakEvents: peak, secondsOverSequential: perTriple.size, pairsOverSequential: allPairs.size, sequentialEventsPerSecond: 0.5 });
  }, 60_000);

  it('per customer and meter, no second with two events: the peak is 1, at the earliest event with a customer', async () => {
    const lines = [
      { identifier: 'n0', timestamp: T0 + 5000, event_name: 'call', payload: { value: 1 } },
      { identifier: 'n1', timestamp: T0 + 7000, event_name: 'call', payload: { value: 1, stripe_customer_id: 'cus_b' } },
      { identifier: 'n2', timestamp: T0 + 7500, event_name: 'tokens', payload: { value: 1, stripe_customer_id: 'cus_a' } },
      { identifier: 'n3', timestamp: T0 + 9000, event_name: 'call', payload: { value: 1, stripe_customer_id: 'cus_b' } },
    ].map((e) => JSON.stringify(e));
    const r = await profileOf('singles', lines);
    expect(r.cutover.customerMeter).toMatchObject({
      peakEvents: 1,
      customer: 'cus_b',
      eventName: 'call',
      at: new Date(T0 + 7000).toISOString(),
      secondsOverSequential: 0,
      pairsOverSequential: 0,
    });
    const none = await profileOf('no-customer', [lines[0]]);
    expect(none.cutover.customerMeter).toMatchObject({ peakEvents: 0, customer: null, secondsOverSequential: 0 });
  }, 60_000);
});
