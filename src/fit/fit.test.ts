import { describe, expect, it } from 'vitest';
import { FITS_MAX_UTILIZATION, TIGHT_MAX_UTILIZATION, fitPath, verdictOf, type FitInputs } from './fit.js';
import { PATH_LIMITS, capacityEventsPerSecond, type PathLimits } from './limits.js';
import type { FitPath } from '../profile/model.js';

const limits = (path: FitPath) => PATH_LIMITS.find((l) => l.path === path)!;
const inputs = (peak1s: number, more: Partial<FitInputs> = {}): FitInputs => ({
  avgEps: peak1s / 2,
  peak1s,
  total: peak1s ? 1000 : 0,
  load: { secondsOver: 0, queueDelaySeconds: 0 },
  time: { staleOver35d: 35, staleOver34d: 34, futureOver5m: 5, futureOver24h: 24 },
  identity: { duplicates24h: 1, duplicates34d: 34 },
  ...more,
});

describe('verdict thresholds', () => {
  it.each([
    [0, 'fits'],
    [0.5, 'fits'],
    [0.5000001, 'tight'],
    [1, 'tight'],
    [1.0000001, 'exceeds'],
    [7, 'exceeds'],
  ])('utilization %d -> %s', (u, v) => {
    expect(verdictOf(u)).toBe(v);
  });
  it('are 50 % and 100 %', () => {
    expect([FITS_MAX_UTILIZATION, TIGHT_MAX_UTILIZATION]).toEqual([0.5, 1]);
  });
});

describe('published limits', () => {
  it('capacity at full batching: the lower of request rate × batch and event rate', () => {
    expect(PATH_LIMITS.map((l) => [l.path, l.mode, capacityEventsPerSecond(l)])).toEqual([
      ['stripe-v1', 'live', 1000],
      ['stripe-v2-stream', 'live', 10_000],
      ['metronome-ingest', 'live', 100_000],
      ['stripe-v2-meter-events', 'live', 1000],
      // Test mode: meter event calls count toward the basic limit of 25 operations/s.
      ['stripe-v1-test', 'test', 25],
      ['stripe-v2-stream-test', 'test', 2500],
    ]);
  });

  it('the v2 stream is judged against the conservative 10,000 events/s; the 100,000 is kept as also published', () => {
    const v2 = limits('stripe-v2-stream');
    expect([v2.eventsPerSecond, v2.alsoPublished.map((a) => a.eventsPerSecond)]).toEqual([10_000, [100_000]]);
    expect(v2.alsoPublished[0].source).toBe(v2.sources[1]);
  });

  it('every path names https pages for its limits', () => {
    for (const l of PATH_LIMITS) {
      expect(l.sources.length, l.path).toBeGreaterThan(0);
      for (const u of [...l.sources, ...l.alsoPublished.map((a) => a.source)]) expect(u).toMatch(/^https:\/\/[\w.-]+\//);
    }
  });
});

describe('fitPath', () => {
  // Utilization by hand: max(⌈peak / batch⌉ / request limit, peak / event limit).
  it.each<[FitPath, number, number, string]>([
    ['stripe-v1', 500, 0.5, 'fits'],
    ['stripe-v1', 501, 0.501, 'tight'],
    ['stripe-v1', 1000, 1, 'tight'],
    ['stripe-v1', 1001, 1.001, 'exceeds'],
    ['stripe-v2-stream', 5_000, 0.5, 'fits'],
    ['stripe-v2-stream', 5_001, 0.5001, 'tight'],
    ['stripe-v2-stream', 10_001, 1.0001, 'exceeds'],
    ['stripe-v1-test', 25, 1, 'tight'],
    ['stripe-v1-test', 26, 1.04, 'exceeds'],
    ['stripe-v2-stream-test', 1_250, 0.52, 'tight'],
    ['metronome-ingest', 100_000, 1, 'tight'],
    ['metronome-ingest', 100_001, 1.00001, 'exceeds'],
  ])('%s at %d events/s peak: utilization %d, %s', (path, peak, utilization, verdict) => {
    const f = fitPath(limits(path), inputs(peak));
    expect(f.utilization).toBeCloseTo(utilization, 12);
    expect(f.verdict).toBe(verdict);
  });

  it("headroom is limit ÷ need; growth up to the verdict's threshold; none without events or when it exceeds", () => {
    const fits = fitPath(limits('stripe-v1'), inputs(250));
    expect([fits.headroom, fits.growthFactor]).toEqual([4, 2]);
    const tight = fitPath(limits('stripe-v1'), inputs(800));
    expect([tight.headroom, tight.growthFactor]).toEqual([1.25, 1.25]);
    expect(fitPath(limits('stripe-v1'), inputs(2000)).growthFactor).toBeNull();
    const none = fitPath(limits('stripe-v1'), inputs(0));
    expect(none).toMatchObject({ utilization: 0, verdict: 'fits', headroom: null, growthFactor: null });
    expect(none.advice.text).toBe('no events');
    // Metronome publishes no request rate: only the event rate counts.
    expect(fitPath(limits('metronome-ingest'), inputs(25_000)).headroom).toBe(4);
  });

  it('which limit binds: requests for v1 (1 × 1,000 = 1,000 events/s), events for the batching paths', () => {
    expect(PATH_LIMITS.map((l) => fitPath(l, inputs(10)).limits.binding)).toEqual(['requests', 'events', 'events', 'requests', 'requests', 'requests']);
  });

  it('advice: flush interval from the average rate (capped at 1 s), connections from peak requests × 250 ms', () => {
    const v2 = limits('stripe-v2-stream');
    const a = fitPath(v2, inputs(5_000, { avgEps: 1000 })).advice;
    expect(a).toMatchObject({ batchSize: 100, flushIntervalMs: 100, requestsPerSecondAtPeak: 50, connections: 13, addedDelaySeconds: 0.1, keepsUnderLimit: true });
    expect(a.text).toBe('batches of 100, flushed every 100 ms: 50 requests/s at peak over 13 connections (at 250 ms per request)');
    expect(fitPath(v2, inputs(10, { avgEps: 50 })).advice.flushIntervalMs).toBe(1000);
    expect(fitPath(v2, inputs(10, { avgEps: 0 })).advice.flushIntervalMs).toBe(0);
    const v1 = fitPath(limits('stripe-v1'), inputs(1)).advice;
    expect(v1).toMatchObject({ flushIntervalMs: 0, connections: 1 });
    expect(v1.text).toBe('one event per call: 1 call/s at peak over 1 connection (at 250 ms per request)');
    // Beyond capacity the connections stop growing: at most capacity ÷ batch requests are useful.
    expect(fitPath(limits('stripe-v1'), inputs(4000)).advice.connections).toBe(250);
  });

  it('queueing: kept when batching + queueing add at most 1 s, otherwise the advice says it exceeds', () => {
    const v2 = limits('stripe-v2-stream');
    const load = (q: number) => ({ secondsOver: 3, queueDelaySeconds: q });
    const ok = fitPath(v2, inputs(200_000, { avgEps: 1000, load: load(0.9) }));
    expect(ok.advice).toMatchObject({ addedDelaySeconds: 1, keepsUnderLimit: true });
    expect(ok.advice.text).toMatch(/, queueing bursts at 10,000 events\/s adds up to 0\.90 s$/);
    expect(ok.secondsOverLimit).toBe(3);
    const late = fitPath(v2, inputs(200_000, { avgEps: 1000, load: load(0.91) }));
    expect(late.advice.keepsUnderLimit).toBe(false);
    expect(late.advice.text).toBe('exceeds: draining at 10,000 events/s would delay events by up to 0.9 s; ask for a higher limit or spread the load');
  });

  it('Stripe v1 takes one call at a time per customer and meter: the busiest customer-second is judged at the assumed latency', () => {
    const cm = (peakEvents: number) => ({ peakEvents, customer: 'cus_1', eventName: 'api', at: '2024-01-01T00:00:00.000Z', secondsOverSequential: 7 });
    // 2 events in one second × 250 ms = 0.5 s of calls in flight: one connection is half busy.
    const two = fitPath(limits('stripe-v1'), inputs(10, { customerMeter: cm(2) }));
    expect(two.customerMeter).toMatchObject({ peakEvents: 2, impliedConcurrency: 1, utilization: 0.5, secondsOverSequential: 7 });
    expect([two.utilization, two.verdict]).toEqual([0.5, 'fits']);
    const thirteen = fitPath(limits('stripe-v1'), inputs(60, { customerMeter: cm(13) }));
    expect(thirteen.customerMeter).toMatchObject({ impliedConcurrency: 4, utilization: 3.25 });
    expect([thirteen.utilization, thirteen.verdict, thirteen.growthFactor]).toEqual([3.25, 'exceeds', null]);
    expect(thirteen.advice.text).toContain("one customer's busiest second holds 13 api events, 4 calls in flight at 250 ms");
    // Paths without such a limit ignore it.
    const v2 = fitPath(limits('stripe-v2-stream'), inputs(60, { customerMeter: cm(13) }));
    expect([v2.customerMeter, v2.verdict]).toEqual([null, 'fits']);
  });

  it("timestamps and dedup read the measurement for the path's own windows", () => {
    const v1 = fitPath(limits('stripe-v1'), inputs(10));
    expect([v1.timestamps.tooOld, v1.timestamps.tooFarInFuture, v1.dedup.duplicates]).toEqual([35, 5, 1]);
    const m = fitPath(limits('metronome-ingest'), inputs(10));
    expect([m.timestamps.tooOld, m.timestamps.tooFarInFuture, m.dedup.duplicates]).toEqual([34, 24, 34]);
  });

  it('a window the profile does not measure is an error, not a zero', () => {
    const odd: PathLimits = { ...limits('stripe-v1'), maxAgeDays: 30 };
    expect(() => fitPath(odd, inputs(10))).toThrow('no measurement for maxAgeDays = 30');
    expect(() => fitPath({ ...limits('stripe-v1'), dedupWindowSeconds: 3600 }, inputs(10))).toThrow(/dedupWindowSeconds = 3600/);
  });
});
