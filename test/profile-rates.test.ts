/**
 * Rates, per-name and per-customer figures checked against brute-force counts in plain JS
 * over a generated file (3 days, bursts at known places, many empty seconds).
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, rows, tempDir } from './support/helpers.js';
import type { Store } from '../src/store/store.js';
import { resolveSources } from '../src/ingest/source.js';
import { loadSources } from '../src/ingest/load.js';
import { DEFAULT_MAPPING } from '../src/ingest/formats.js';
import { computeProfile } from '../src/profile/compute.js';
import { secondsPerCycleSlot } from '../src/profile/rates.js';
import type { ProfileReport } from '../src/profile/model.js';
import { mulberry32 } from '../src/util/seeded-random.js';

/** Deterministic PRNG (mulberry32). */
const rng = mulberry32;

interface Ev {
  ms: number;
  name: string;
  customer: string;
}

const T0 = Date.UTC(2024, 2, 1, 0, 0, 0); // a Friday
const SPAN_MS = 3 * 86_400_000;

function generate(): Ev[] {
  const r = rng(42);
  const out: Ev[] = [];
  const cust = () => `cus_${Math.floor(r() ** 2 * 60)}`; // skewed: low numbers are busier
  for (let i = 0; i < 9000; i++) out.push({ ms: T0 + Math.floor(r() * SPAN_MS), name: r() < 0.7 ? 'api_call' : 'storage', customer: cust() });
  // A 1-second burst, a 10-second plateau and a 60-second plateau, at different places.
  for (let i = 0; i < 250; i++) out.push({ ms: T0 + 5_000_000 + Math.floor(r() * 1000), name: 'api_call', customer: 'cus_burst' });
  for (let i = 0; i < 900; i++) out.push({ ms: T0 + 90_000_000 + Math.floor(r() * 10_000), name: 'storage', customer: cust() });
  for (let i = 0; i < 3000; i++) out.push({ ms: T0 + 150_000_000 + Math.floor(r() * 60_000), name: 'api_call', customer: cust() });
  // Sub-second edges: events at .999 and .000 of neighbouring seconds.
  out.push({ ms: T0 + 7_000_999, name: 'edge', customer: 'cus_edge' }, { ms: T0 + 7_001_000, name: 'edge', customer: 'cus_edge' });
  // Shuffle so file order differs from time order.
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Brute-force per-second counts over the whole span (a dense array). */
function dense(evs: Ev[]): { first: number; counts: number[] } {
  const secs = evs.map((e) => Math.floor(e.ms / 1000));
  const first = Math.min(...secs);
  const last = Math.max(...secs);
  const counts = new Array<number>(last - first + 1).fill(0);
  for (const s of secs) counts[s - first]++;
  return { first, counts };
}

function brutePeak(d: { first: number; counts: number[] }, w: number): { events: number; at: number } {
  let best = -1;
  for (let s = 0; s < d.counts.length; s++) {
    let n = 0;
    for (let k = s; k < Math.min(s + w, d.counts.length); k++) n += d.counts[k];
    if (n > best) best = n;
  }
  // Earliest window with that many events that starts on a second with events.
  for (let s = 0; s < d.counts.length; s++) {
    if (d.counts[s] === 0) continue;
    let n = 0;
    for (let k = s; k < Math.min(s + w, d.counts.length); k++) n += d.counts[k];
    if (n === best) return { events: best, at: d.first + s };
  }
  throw new Error('unreachable');
}

const nearestRank = (sorted: number[], q: number) => sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1];
const iso = (s: number) => new Date(s * 1000).toISOString();

let store: Store;
let evs: Ev[];
let report: ProfileReport;

beforeAll(async () => {
  const dir = tempDir();
  evs = generate();
  const file = path.join(dir, 'rates.jsonl');
  fs.writeFileSync(
    file,
    evs.map((e, i) => JSON.stringify({ identifier: `id${i}`, timestamp: e.ms, event_name: e.name, payload: { stripe_customer_id: e.customer, value: '1' } })).join('\n'),
  );
  store = await openTestStore();
  const loads = await loadSources(store, 'rates', await resolveSources([file]), { mapping: DEFAULT_MAPPING });
  report = await computeProfile(store, 'rates', 'profile', loads, { customerKey: 'stripe_customer_id', valueKey: 'value' });
}, 120_000);

describe('profile rates', () => {
  it('volume: total, first, last', () => {
    const ms = evs.map((e) => e.ms);
    expect(report.events.total).toBe(evs.length);
    expect(report.events.first).toBe(new Date(Math.min(...ms)).toISOString());
    expect(report.events.last).toBe(new Date(Math.max(...ms)).toISOString());
  });

  it('average over every second of the span, and the span itself', () => {
    const d = dense(evs);
    expect(report.rate.spanSeconds).toBe(d.counts.length);
    expect(report.rate.activeSeconds).toBe(d.counts.filter((c) => c > 0).length);
    expect(report.rate.avgEps).toBeCloseTo(evs.length / d.counts.length, 10);
  });

  it('sliding peaks at 1 s, 10 s and 60 s with their window start', () => {
    const d = dense(evs);
    for (const w of [1, 10, 60] as const) {
      const b = brutePeak(d, w);
      const got = report.rate.peak[`${w}s`];
      expect(got.events, `${w}s events`).toBe(b.events);
      expect(got.eps).toBeCloseTo(b.events / w, 10);
      expect(got.at, `${w}s at`).toBe(iso(b.at));
    }
    // The generated bursts are where the peaks must be.
    expect(report.rate.peak['1s'].at!.slice(0, 16)).toBe(new Date(T0 + 5_000_000).toISOString().slice(0, 16));
    expect(report.rate.burstFactor).toBeCloseTo(report.rate.peak['1s'].eps / report.rate.avgEps, 10);
  });

  it('percentiles of per-second counts include the empty seconds', () => {
    const sorted = [...dense(evs).counts].sort((a, b) => a - b);
    const p = report.rate.percentiles;
    expect(p.p50).toBe(nearestRank(sorted, 0.5));
    expect(p.p90).toBe(nearestRank(sorted, 0.9));
    expect(p.p99).toBe(nearestRank(sorted, 0.99));
    expect(p.p999).toBe(nearestRank(sorted, 0.999));
    expect(p.max).toBe(sorted[sorted.length - 1]);
    expect(p.p50).toBe(0); // most seconds of the span are empty
    const histSeconds = report.rate.histogram.reduce((s, b) => s + b.seconds, 0);
    expect(histSeconds).toBe(sorted.length);
    for (const b of report.rate.histogram) {
      expect(b.seconds).toBe(sorted.filter((c) => c >= b.from && c <= b.to).length);
    }
  });

  it('hour-of-day and day-of-week profiles', () => {
    const d = dense(evs);
    const hourEvents = new Array(24).fill(0);
    const hourSeconds = new Array(24).fill(0);
    const dayEvents = new Array(8).fill(0);
    const daySeconds = new Array(8).fill(0);
    for (const e of evs) {
      const dt = new Date(e.ms);
      hourEvents[dt.getUTCHours()]++;
      dayEvents[((dt.getUTCDay() + 6) % 7) + 1]++;
    }
    for (let i = 0; i < d.counts.length; i++) {
      const dt = new Date((d.first + i) * 1000);
      hourSeconds[dt.getUTCHours()]++;
      daySeconds[((dt.getUTCDay() + 6) % 7) + 1]++;
    }
    expect(report.rate.hourOfDay).toHaveLength(24);
    for (const h of report.rate.hourOfDay) {
      expect(h.events).toBe(hourEvents[h.hour]);
      expect(h.avgEps).toBeCloseTo(hourSeconds[h.hour] ? hourEvents[h.hour] / hourSeconds[h.hour] : 0, 10);
    }
    expect(report.rate.dayOfWeek.map((x) => x.name)).toEqual(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']);
    for (const x of report.rate.dayOfWeek) {
      expect(x.events, x.name).toBe(dayEvents[x.day]);
      expect(x.avgEps).toBeCloseTo(daySeconds[x.day] ? dayEvents[x.day] / daySeconds[x.day] : 0, 10);
    }
  });

  it('per event name: count, own span, average and busiest second', () => {
    const names = [...new Set(evs.map((e) => e.name))];
    expect(report.eventNames.map((n) => n.name).sort()).toEqual(names.sort());
    for (const n of report.eventNames) {
      const mine = evs.filter((e) => e.name === n.name);
      const d = dense(mine);
      const peak = brutePeak(d, 1);
      expect(n.count).toBe(mine.length);
      expect(n.spanSeconds).toBe(d.counts.length);
      expect(n.avgEps).toBeCloseTo(mine.length / d.counts.length, 10);
      expect(n.peak1s).toBe(peak.events);
      expect(n.peak1sAt).toBe(iso(peak.at));
    }
    // Two events 1 ms apart across a second boundary are two seconds: span 2, peak 1.
    const edge = report.eventNames.find((n) => n.name === 'edge')!;
    expect([edge.spanSeconds, edge.peak1s]).toEqual([2, 1]);
  });

  it('customers: exact distinct, top 10 with share and busiest second', () => {
    const counts = new Map<string, number>();
    for (const e of evs) counts.set(e.customer, (counts.get(e.customer) ?? 0) + 1);
    const top = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 10);
    expect(report.customers.distinct).toBe(counts.size);
    expect(report.customers.top.map((t) => [t.customer, t.count])).toEqual(top);
    for (const t of report.customers.top) {
      const peak = brutePeak(dense(evs.filter((e) => e.customer === t.customer)), 1);
      expect(t.peak1s, t.customer).toBe(peak.events);
      expect(t.peak1sAt).toBe(iso(peak.at));
      expect(t.share).toBeCloseTo(t.count / evs.length, 10);
    }
  });

  it('stores the per-second series (non-empty seconds, per name and total) keyed by run', async () => {
    const d = dense(evs);
    const total = await rows<{ n: string; s: string }>(
      store,
      `SELECT count() AS n, sum(events) AS s FROM profile_rate_seconds WHERE run_id = 'rates' AND event_name = ''`,
    );
    expect(Number(total[0].n)).toBe(d.counts.filter((c) => c > 0).length);
    expect(Number(total[0].s)).toBe(evs.length);
    const perName = await rows<{ s: string }>(store, `SELECT sum(events) AS s FROM profile_rate_seconds WHERE run_id = 'rates' AND event_name = 'storage'`);
    expect(Number(perName[0].s)).toBe(evs.filter((e) => e.name === 'storage').length);
    const fit = await rows<{ path: string }>(store, `SELECT path FROM profile_fit WHERE run_id = 'rates' ORDER BY path`);
    expect(fit.map((f) => f.path)).toEqual(['metronome-ingest', 'stripe-v1', 'stripe-v1-test', 'stripe-v2-meter-events', 'stripe-v2-stream', 'stripe-v2-stream-test']);
  });

  it('the chart series covers every event in at most 500 buckets', () => {
    const s = report.rate.series;
    expect(s.points.length).toBeLessThanOrEqual(500);
    expect(s.points.reduce((a, p) => a + p.events, 0)).toBe(evs.length);
    const maxPeak = Math.max(...s.points.map((p) => p.peak1s));
    expect(maxPeak).toBe(report.rate.peak['1s'].events);
  });
});

describe('seconds of a span per hour of day / day of week', () => {
  it('matches counting every second, for spans shorter and longer than a cycle', () => {
    const r = rng(3);
    for (let t = 0; t < 12; t++) {
      const first = 1_700_000_000 + Math.floor(r() * 1_000_000);
      const seconds = 1 + Math.floor(r() * (t < 6 ? 90_000 : 1_500_000));
      const span = { firstSecond: first, lastSecond: first + seconds - 1, seconds };
      const hours = new Array(24).fill(0);
      const days = new Array(7).fill(0);
      for (let s = span.firstSecond; s <= span.lastSecond; s++) {
        const d = new Date(s * 1000);
        hours[d.getUTCHours()]++;
        days[(d.getUTCDay() + 6) % 7]++;
      }
      expect(secondsPerCycleSlot(span, 3600, 24, 0)).toEqual(hours);
      expect(secondsPerCycleSlot(span, 86_400, 7, 3)).toEqual(days);
    }
  });
});
