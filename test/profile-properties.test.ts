/**
 * Properties, dimension candidates and --require, checked against brute-force counts in plain JS
 * over a generated file whose payload keys cover every class and JSON type.
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
import type { ProfileReport, PropertyProfile } from '../src/profile/model.js';
import { mulberry32 } from '../src/util/seeded-random.js';

const rng = mulberry32;

interface Ev {
  name: string;
  payload: Record<string, unknown>;
}

const T0 = Date.UTC(2024, 0, 10, 8, 0, 0);

function generate(): Ev[] {
  const r = rng(7);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const out: Ev[] = [];
  for (let i = 0; i < 5000; i++) {
    const region = pick(['eu', 'us', 'ap']);
    const p: Record<string, unknown> = {
      stripe_customer_id: `cus_${Math.floor(r() * 40)}`,
      value: String(1 + Math.floor(r() * 500)),
      region,
      zone: `${region}-${pick(['a', 'b'])}`,
      model: pick(['small', 'medium', 'large', 'xl']),
      flag: r() < 0.3,
      user_id: `u${Math.floor(r() * 300)}`,
      request_id: `req_${i}`,
      latency_ms: Math.round(r() * 100_000) / 100,
      constant: 'v1',
      meta: { shard: i % 3, tags: ['x'] },
    };
    // Rarer keys, so they rank below the main dimensions.
    if (i % 10 < 3) p.mixed = [7, '7', null][i % 3];
    if (i % 5 === 0) p.weird = pick(['he said "hi" é', 'tab\tand\\slash']);
    if (i % 10 !== 0) p.tier = pick(['free', 'pro', 'team', 'business', 'enterprise']);
    if (r() < 0.5) p.comment = `note ${Math.floor(r() * 500)} about the thing`;
    out.push({ name: 'api_call', payload: p });
  }
  for (let i = 0; i < 1000; i++) {
    out.push({
      name: 'job',
      payload: { stripe_customer_id: i % 7 === 0 ? 'cus_job' : `cus_${i % 40}`, value: i % 11, region: pick(['eu', 'us']), queue: pick(['q1', 'q2', 'q3']) },
    });
  }
  return out;
}

const NUMERIC = /^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/;
const typeOf = (v: unknown) => (v === null ? 'null' : typeof v === 'object' ? 'object' : (typeof v as 'number' | 'string' | 'boolean'));
const numericOf = (v: unknown): number | null => (typeof v === 'number' ? v : typeof v === 'string' && NUMERIC.test(v) ? Number(v) : null);
const nearestRank = (sorted: number[], q: number) => sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1];

/** Brute-force statistics of one key of one event name. */
function brute(evs: Ev[], name: string, key: string) {
  const mine = evs.filter((e) => e.name === name);
  const present = mine.filter((e) => key in e.payload);
  const raws = present.map((e) => JSON.stringify(e.payload[key]));
  const counts = new Map<string, number>();
  for (const r of raws) counts.set(r, (counts.get(r) ?? 0) + 1);
  const types = { number: 0, string: 0, boolean: 0, null: 0, object: 0 };
  for (const e of present) types[typeOf(e.payload[key])]++;
  const nums = present
    .map((e) => numericOf(e.payload[key]))
    .filter((x): x is number => x !== null)
    .sort((a, b) => a - b);
  return {
    events: mine.length,
    present: present.length,
    distinct: counts.size,
    types,
    top: [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 10),
    nums,
  };
}

let store: Store;
let dir: string;
let evs: Ev[];
let report: ProfileReport;

async function profileOf(runId: string, opts: { exactDistinctLimit?: number; require?: string[] } = {}): Promise<ProfileReport> {
  const file = path.join(dir, 'props.jsonl');
  const loads = await loadSources(store, runId, await resolveSources([file]), { mapping: DEFAULT_MAPPING });
  return computeProfile(store, runId, 'profile', loads, { customerKey: 'stripe_customer_id', valueKey: 'value', ...opts });
}

const prop = (r: ProfileReport, name: string, key: string): PropertyProfile => {
  const p = r.properties.find((x) => x.eventName === name && x.key === key);
  if (!p) throw new Error(`no property ${name}.${key}`);
  return p;
};

beforeAll(async () => {
  dir = tempDir();
  evs = generate();
  fs.writeFileSync(
    path.join(dir, 'props.jsonl'),
    evs.map((e, i) => JSON.stringify({ identifier: `id${i}`, timestamp: T0 + i * 250, event_name: e.name, payload: e.payload })).join('\n'),
  );
  store = await openTestStore();
  report = await profileOf('props', { require: ['tier', 'region'] });
}, 120_000);

describe('profile properties', () => {
  it('lists every event name × key with presence, exact distinct counts and JSON types', () => {
    const pairs = new Set(evs.flatMap((e) => Object.keys(e.payload).map((k) => `${e.name}.${k}`)));
    expect(report.properties.map((p) => `${p.eventName}.${p.key}`).sort()).toEqual([...pairs].sort());
    for (const p of report.properties) {
      const b = brute(evs, p.eventName, p.key);
      const where = `${p.eventName}.${p.key}`;
      expect(p.events, where).toBe(b.events);
      expect(p.present, where).toBe(b.present);
      expect(p.presence, where).toBeCloseTo(b.present / b.events, 12);
      expect(p.distinct, where).toBe(b.distinct);
      expect(p.distinctExact, where).toBe(true);
      expect(p.distinctError, where).toBeNull();
      expect(p.types, where).toEqual(b.types);
    }
  });

  it('top 10 values with counts, as raw JSON text (ties by value)', () => {
    for (const p of report.properties) {
      const b = brute(evs, p.eventName, p.key);
      expect(
        p.topValues.map((t) => [t.value, t.count]),
        `${p.eventName}.${p.key}`,
      ).toEqual(b.top);
      expect(p.topValuesExact).toBe(true);
      for (const t of p.topValues) expect(t.share).toBeCloseTo(t.count / b.present, 12);
    }
    // Strings keep their quotes and escapes exactly as written.
    expect(
      prop(report, 'api_call', 'weird')
        .topValues.map((t) => t.value)
        .sort(),
    ).toEqual([JSON.stringify('he said "hi" é'), JSON.stringify('tab\tand\\slash')].sort());
  });

  it('numeric stats: min, max, mean and nearest-rank p50/p99 over numbers and numeric strings', () => {
    for (const p of report.properties) {
      const b = brute(evs, p.eventName, p.key);
      const where = `${p.eventName}.${p.key}`;
      if (b.nums.length === 0) {
        expect(p.numeric, where).toBeNull();
        continue;
      }
      expect(p.numeric, where).not.toBeNull();
      const n = p.numeric!;
      expect(n.count, where).toBe(b.nums.length);
      expect(n.min, where).toBe(b.nums[0]);
      expect(n.max, where).toBe(b.nums[b.nums.length - 1]);
      expect(n.mean, where).toBeCloseTo(b.nums.reduce((a, x) => a + x, 0) / b.nums.length, 6);
      expect(n.p50, where).toBe(nearestRank(b.nums, 0.5));
      expect(n.p99, where).toBe(nearestRank(b.nums, 0.99));
      expect(n.quantilesExact).toBe(true);
      expect(p.numericShare).toBeCloseTo(b.nums.length / b.present, 12);
    }
    // 7 and "7" are numeric, null is not. Event i has `mixed` when i % 10 < 3, null when also i % 3 = 2:
    // 1,500 of the 5,000 have it, 500 of them null.
    const mixed = evs.filter((e) => e.payload.mixed === 7 || e.payload.mixed === '7').length;
    expect(mixed).toBe(1000);
    expect(prop(report, 'api_call', 'mixed').numeric!.count).toBe(mixed);
    expect(prop(report, 'api_call', 'mixed').types.null).toBe(500);
  });

  it('classes each key', () => {
    const cls = (k: string) => prop(report, 'api_call', k).class;
    expect(cls('region')).toBe('dimension');
    expect(cls('tier')).toBe('dimension');
    expect(cls('flag')).toBe('dimension');
    expect(cls('constant')).toBe('constant');
    expect(cls('request_id')).toBe('identifier-like');
    expect(cls('user_id')).toBe('identifier-like');
    expect(cls('latency_ms')).toBe('measure');
    expect(cls('value')).toBe('measure');
    expect(cls('comment')).toBe('free text');
    expect(cls('meta')).toBe('free text');
    expect(prop(report, 'api_call', 'value').role).toBe('value');
    expect(prop(report, 'api_call', 'stripe_customer_id').role).toBe('customer');
    for (const p of report.properties) expect(p.classReason.length).toBeGreaterThan(0);
  });

  it('dimension candidates: exact combination counts and presence for singles, pairs and triples', () => {
    for (const d of report.dimensionCandidates) {
      const mine = evs.filter((e) => e.name === d.eventName);
      expect(d.events).toBe(mine.length);
      for (const c of d.candidates) {
        const having = mine.filter((e) => c.keys.every((k) => k in e.payload));
        const combos = new Set(having.map((e) => JSON.stringify(c.keys.map((k) => JSON.stringify(e.payload[k])))));
        expect(c.present, c.keys.join('+')).toBe(having.length);
        expect(c.combinations, c.keys.join('+')).toBe(combos.size);
        expect(c.presence).toBeCloseTo(having.length / mine.length, 12);
        expect(c.kind).toBe(c.keys.length === 1 ? 'single' : c.keys.length === 2 ? 'pair' : 'triple');
        expect(c.reason.length).toBeGreaterThan(0);
      }
      for (let i = 1; i < d.candidates.length; i++) expect(d.candidates[i - 1].score).toBeGreaterThanOrEqual(d.candidates[i].score);
    }
    const api = report.dimensionCandidates.find((d) => d.eventName === 'api_call')!;
    const singles = api.candidates.filter((c) => c.kind === 'single').map((c) => c.keys[0]);
    expect(singles).toEqual(expect.arrayContaining(['region', 'zone', 'model', 'flag', 'tier']));
    expect(singles).not.toContain('stripe_customer_id');
    expect(singles).not.toContain('request_id');
    // Best 5 singles -> 10 pairs and 10 triples.
    expect(api.candidates.filter((c) => c.kind === 'pair')).toHaveLength(10);
    expect(api.candidates.filter((c) => c.kind === 'triple')).toHaveLength(10);
    // zone determines region.
    const rz = api.candidates.find((c) => c.keys.join() === 'region,zone')!;
    expect(rz.redundant).toBe(true);
    expect(rz.crossProduct).toBe(18);
    // The plan: tier is in 90 % of api_call events, so never a group key by default, and what it would drop is exact.
    const plan = report.advice.plans.find((p) => p.eventName === 'api_call')!;
    const mine = evs.filter((e) => e.name === 'api_call');
    const valueOf = (e: Ev) => Number(e.payload.value);
    const lacking = mine.filter((e) => !('tier' in e.payload));
    const tier = plan.rows.find((x) => x.dimension.join() === 'tier')!;
    expect(tier.inGroupKeys).toBe(false);
    expect(tier.dropped).toMatchObject({ events: lacking.length, value: lacking.reduce((t, e) => t + valueOf(e), 0) });
    expect(tier.dropped!.valueShare).toBeCloseTo(lacking.reduce((t, e) => t + valueOf(e), 0) / mine.reduce((t, e) => t + valueOf(e), 0), 12);
    expect(plan.groupKeys.every((g) => g.length === 1)).toBe(true);
    expect(plan.groupKeys.flat().every((k) => ['region', 'zone', 'model', 'flag'].includes(k))).toBe(true);
    expect(plan.groupKeys.flat()).not.toContain('user_id');
  });

  it('key usage: observed combinations in total and per customer (p50 / p99 / max) equal a brute force', () => {
    for (const u of report.keyUsage.filter((x) => x.keys.length > 0)) {
      const mine = evs.filter((e) => e.name === u.eventName && u.keys.every((k) => k in e.payload));
      const combo = (e: Ev) => JSON.stringify(u.keys.map((k) => JSON.stringify(e.payload[k])));
      const per = new Map<string, Set<string>>();
      for (const e of mine) {
        const c = String(e.payload.stripe_customer_id);
        per.set(c, (per.get(c) ?? new Set()).add(combo(e)));
      }
      const sizes = [...per.values()].map((x) => x.size).sort((a, b) => a - b);
      const label = `${u.eventName} ${u.keys.join('+')}`;
      expect(u.present, label).toBe(mine.length);
      expect(u.distinct, label).toBe(new Set(mine.map(combo)).size);
      expect(u.customers, label).toBe(per.size);
      expect(u.perCustomer, label).toEqual({ p50: nearestRank(sizes, 0.5), p99: nearestRank(sizes, 0.99), max: sizes[sizes.length - 1] });
    }
    expect(report.keyUsage.some((x) => x.keys.join() === 'user_id')).toBe(true);
  });

  it('--require: coverage per event name and the customers missing keys', () => {
    const req = report.requirements!;
    expect(req.keys).toEqual(['tier', 'region']);
    for (const n of req.byEventName) {
      const mine = evs.filter((e) => e.name === n.eventName);
      const missing = mine.filter((e) => !req.keys.every((k) => k in e.payload));
      expect(n.events).toBe(mine.length);
      expect(n.complete).toBe(mine.length - missing.length);
      expect(n.coverage).toBeCloseTo((mine.length - missing.length) / mine.length, 12);
      for (const k of n.perKey) expect(k.present).toBe(mine.filter((e) => k.key in e.payload).length);
      const byCustomer = new Map<string, number>();
      for (const e of missing) byCustomer.set(String(e.payload.stripe_customer_id), (byCustomer.get(String(e.payload.stripe_customer_id)) ?? 0) + 1);
      expect(n.customersMissing).toBe(byCustomer.size);
      const top = [...byCustomer].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 10);
      expect(n.topCustomersMissing.map((c) => [c.customer, c.events])).toEqual(top);
    }
    expect(req.byEventName.find((n) => n.eventName === 'job')!.complete).toBe(0);
  });

  it('stores property stats and candidates keyed by run', async () => {
    const [p] = await rows<{ n: string }>(store, `SELECT count() AS n FROM profile_properties WHERE run_id = 'props'`);
    expect(Number(p.n)).toBe(report.properties.length);
    const [region] = await rows<{ d: string; top: [string, string][] }>(
      store,
      `SELECT distinct_values AS d, top_values AS top FROM profile_properties WHERE run_id = 'props' AND event_name = 'api_call' AND key = 'region'`,
    );
    expect(Number(region.d)).toBe(3);
    const [c] = await rows<{ n: string }>(store, `SELECT count() AS n FROM profile_candidates WHERE run_id = 'props'`);
    expect(Number(c.n)).toBe(report.dimensionCandidates.reduce((a, d) => a + d.candidates.length, 0));
  });

  it('beyond the exact limit, distinct counts are estimates with a stated error', async () => {
    const r = await profileOf('props-approx', { exactDistinctLimit: 100 });
    for (const p of r.properties) {
      const b = brute(evs, p.eventName, p.key);
      const where = `${p.eventName}.${p.key}`;
      if (b.distinct <= 100) {
        expect(p.distinctExact, where).toBe(true);
        expect(p.distinct, where).toBe(b.distinct);
        continue;
      }
      expect(p.distinctExact, where).toBe(false);
      expect(p.distinctError).toBeGreaterThan(0);
      expect(p.distinctError).toBeLessThan(0.01);
      // Ten standard errors is a generous bound for a HyperLogLog estimate.
      expect(Math.abs(p.distinct - b.distinct) / b.distinct, where).toBeLessThan(10 * p.distinctError!);
      expect(p.topValuesExact).toBe(false);
      expect(p.topValues.length).toBe(10); // more than 100 distinct values: a full top 10
    }
    const lat = prop(r, 'api_call', 'latency_ms');
    expect(lat.numeric!.quantilesExact).toBe(false);
    const nums = brute(evs, 'api_call', 'latency_ms').nums;
    // t-digest: within 2 % of the value range of the exact percentile.
    expect(Math.abs(lat.numeric!.p50 - nearestRank(nums, 0.5))).toBeLessThan(0.02 * (nums[nums.length - 1] - nums[0]));
    expect(prop(r, 'api_call', 'request_id').class).toBe('identifier-like');
  }, 120_000);
});

describe('a key repeated in one payload', () => {
  it('counts once per event, with its first value, in the exact pass, the estimate pass and key usage', async () => {
    // JSON.stringify cannot repeat a key, so the lines are written by hand.
    const lines = [
      '{"identifier":"d1","timestamp":1704873600,"event_name":"dup","payload":{"stripe_customer_id":"c1","value":"2","region":"eu","region":"us"}}',
      '{"identifier":"d2","timestamp":1704873601,"event_name":"dup","payload":{"stripe_customer_id":"c1","value":"3","region":"eu"}}',
      '{"identifier":"d3","timestamp":1704873602,"event_name":"dup","payload":{"stripe_customer_id":"c2","value":"4","region":"ap","region":"ap"}}',
    ];
    const file = path.join(dir, 'dup.jsonl');
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    for (const [runId, limit] of [
      ['dup-exact', undefined],
      ['dup-estimate', 1],
    ] as const) {
      const loads = await loadSources(store, runId, await resolveSources([file]), { mapping: DEFAULT_MAPPING });
      const r = await computeProfile(store, runId, 'profile', loads, { customerKey: 'stripe_customer_id', valueKey: 'value', exactDistinctLimit: limit });
      const region = prop(r, 'dup', 'region');
      expect([region.events, region.present], runId).toEqual([3, 3]);
      if (limit === undefined)
        expect(region.topValues.map((t) => [t.value, t.count])).toEqual([
          ['"eu"', 2],
          ['"ap"', 1],
        ]);
      const usage = r.keyUsage.find((u) => u.eventName === 'dup' && u.keys.join() === 'region')!;
      expect([usage.present, usage.value, usage.distinct, usage.customers, usage.perCustomer.max], runId).toEqual([3, 9, 2, 2, 1]);
    }
  }, 60_000);
});

describe('the median time behind "first half" counts', () => {
  it('is the lower median in milliseconds, even when many events share its second', async () => {
    const lines: string[] = [];
    const times = new Map<string, number[]>();
    const rnd = mulberry32(11);
    for (const [name, n] of [
      ['odd', 41],
      ['even', 60],
    ] as const) {
      for (let i = 0; i < n; i++) {
        // Most events in two busy seconds, each at its own millisecond.
        const t = T0 + (rnd() < 0.8 ? 2000 + Math.floor(rnd() * 2000) : Math.floor(rnd() * 60_000));
        times.set(name, [...(times.get(name) ?? []), t]);
        lines.push(JSON.stringify({ identifier: `${name}${i}`, timestamp: t, event_name: name, payload: { stripe_customer_id: 'c', value: '1', u: `${name}${i}` } }));
      }
    }
    const file = path.join(dir, 'median.jsonl');
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    const loads = await loadSources(store, 'median', await resolveSources([file]), { mapping: DEFAULT_MAPPING });
    const r = await computeProfile(store, 'median', 'profile', loads, { customerKey: 'stripe_customer_id', valueKey: 'value' });
    for (const [name, ts] of times) {
      const sorted = [...ts].sort((a, b) => a - b);
      const mid = sorted[Math.floor((sorted.length - 1) / 2)];
      const u = r.keyUsage.find((x) => x.eventName === name && x.keys.join() === 'u')!;
      expect(u.firstHalfDistinct, name).toBe(ts.filter((t) => t < mid).length);
    }
  }, 60_000);
});
