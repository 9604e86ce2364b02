/**
 * `bill` as a library against an independent plain-JS bill (test/support/bill-oracle.ts): every
 * usage quantity and every exclusion count, over a generated log with duplicates, late lines and
 * damaged lines, and a hand-made log built around the edge cases (period boundaries to the
 * millisecond, LATEST ties, dedup windows to the millisecond, non-numeric values, filters). A few
 * figures of the hand-made log are also written out by hand, so the two sides cannot share a mistake.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, tempDir } from './support/helpers.js';
import { resolveSources } from '../src/ingest/source.js';
import { loadSources } from '../src/ingest/load.js';
import { DEFAULT_MAPPING, type FormatName } from '../src/ingest/formats.js';
import { generate } from '../src/generate/index.js';
import type { Store } from '../src/store/store.js';
import { computeBill, type BillOptions } from '../src/bill/compute.js';
import { computeIdentity } from '../src/profile/identity.js';
import { validateMetrics } from '../src/bill/metrics.js';
import { draftMetrics } from '../src/bill/source.js';
import type { BillModel } from '../src/bill/model.js';
import { parseFile, type ParsedEvent } from './support/parse-events.js';
import { oracleBill, type OracleOptions, type Request } from './support/bill-oracle.js';
import { HAND_METRICS, handLog } from './support/bill-fixture.js';

const dir = tempDir('meterscope-bill-');
let store: Store;

interface Log {
  run: string;
  events: ParsedEvent[];
}
let gen: Log;
let hand: Log;

async function load(run: string, file: string, format: FormatName): Promise<Log> {
  const [l] = await loadSources(store, run, await resolveSources([file]), { mapping: DEFAULT_MAPPING });
  const parsed = parseFile(fs.readFileSync(file, 'utf8'), format);
  expect(l.events).toBe(parsed.events.length);
  return { run, events: parsed.events };
}

beforeAll(async () => {
  store = await openTestStore();
  const g = path.join(dir, 'gen.jsonl');
  await generate(
    store,
    {
      format: 'metronome',
      events: 30_000,
      duration: 40 * 86_400,
      start: Date.UTC(2025, 0, 10),
      eventNames: [
        { name: 'api_request', weight: 6 },
        { name: 'tokens', weight: 3 },
        { name: 'storage_gb', weight: 1 },
      ],
      properties: [
        { key: 'region', cardinality: 6, presence: 1, kind: 'string' },
        { key: 'tier', cardinality: 3, presence: 0.9, kind: 'string' },
        { key: 'model', cardinality: 5, presence: 0.7, kind: 'string' },
        { key: 'size', cardinality: 40, presence: 0.95, kind: 'int' },
        { key: 'user_id', cardinality: 500, presence: 0.9, kind: 'string' },
      ],
      valueDecimals: 2,
      duplicateRate: 0.03,
      lateRate: 0.02,
      lateMax: 2 * 86_400,
      malformedRate: 0.001,
      seed: 9,
    },
    g,
  );
  gen = await load('bill-gen', g, 'metronome');
  const h = path.join(dir, 'hand.jsonl');
  fs.writeFileSync(h, handLog());
  hand = await load('bill-hand', h, 'stripe-v2-stream');
}, 120_000);

const key = (customer: string, period: number, group: Record<string, string> | null) => JSON.stringify([customer, period, group]);

/** Bills `log` and checks every metric against the oracle; returns the model for further checks. */
async function check(log: Log, requests: Request[], o: OracleOptions, extra: Partial<BillOptions> = {}, now?: Date): Promise<BillModel> {
  const metrics = validateMetrics(requests, 'test');
  const model = await computeBill(store, log.run, metrics, { period: o.period, dedup: o.dedup, ...extra }, now);
  expect(model.events).toBe(log.events.length);
  for (const r of requests) {
    const want = oracleBill(log.events, r, o);
    const got = model.usage.filter((u) => u.metric === r.name);
    const wantBy = new Map(want.lines.map((l) => [key(l.customer, l.period, l.group), l]));
    expect(got.length, r.name).toBe(want.lines.length);
    for (const u of got) {
      const w = wantBy.get(key(u.customer, Date.parse(u.periodStart), u.group));
      expect(w, `${r.name}: ${u.customer} ${u.periodStart} ${JSON.stringify(u.group)}`).toBeDefined();
      expect(u.events).toBe(w!.events);
      expect(Math.abs(u.quantity - w!.quantity)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(w!.quantity)));
    }
    const m = model.metrics.find((x) => x.name === r.name)!;
    expect(m.billedEvents, r.name).toBe(want.billed);
    expect(Object.fromEntries(m.excluded.byReason.map((x) => [x.reason, x.events])), r.name).toEqual(Object.fromEntries(want.reasons));
    expect(m.billedEvents + m.excluded.events).toBe(log.events.length);
  }
  return model;
}

const GEN_METRICS: Request[] = [
  {
    name: 'api by region and tier',
    aggregation_type: 'SUM',
    aggregation_key: 'value',
    event_type_filter: { in_values: ['api_request'] },
    property_filters: [
      { name: 'value', exists: true },
      { name: 'region', exists: true },
      { name: 'tier', exists: true },
      { name: 'model', not_in_values: ['atlas-mini'] },
    ],
    group_keys: [['region', 'tier'], ['region']],
  },
  { name: 'events', aggregation_type: 'COUNT' },
  {
    name: 'tokens max size',
    aggregation_type: 'MAX',
    aggregation_key: 'size',
    event_type_filter: { in_values: ['tokens'] },
    property_filters: [
      { name: 'size', exists: true },
      { name: 'model', exists: true, in_values: ['atlas-large', 'boreal-xl'] },
    ],
  },
  {
    name: 'users',
    aggregation_type: 'UNIQUE',
    aggregation_key: 'user_id',
    event_type_filter: { not_in_values: ['storage_gb'] },
    property_filters: [
      { name: 'user_id', exists: true },
      { name: 'tier', exists: true },
    ],
    group_keys: [['tier']],
  },
  {
    name: 'storage',
    aggregation_type: 'LATEST',
    aggregation_key: 'value',
    event_type_filter: { in_values: ['storage_gb'] },
    property_filters: [
      { name: 'value', exists: true },
      { name: 'model', exists: false },
    ],
  },
  // Every region is text: the whole metric is excluded as non-numeric.
  { name: 'region sum', aggregation_type: 'SUM', aggregation_key: 'region', property_filters: [{ name: 'region', exists: true }] },
];

describe('bill of a generated log (duplicates, late and damaged lines) against plain JS', () => {
  it('monthly, Metronome dedup: all five aggregations, group keys, filters', async () => {
    const model = await check(gen, GEN_METRICS, { period: 'month', dedup: 'metronome' });
    const reasons = (n: string) => model.metrics.find((m) => m.name === n)!.excluded.byReason.map((r) => r.reason);
    expect(reasons('api by region and tier')).toEqual(
      expect.arrayContaining(['duplicate (metronome 34d)', 'missing group key tier', 'property model in not_in_values', 'event type not matched']),
    );
    expect(reasons('region sum')).toContain('non-numeric value');
    expect(model.metrics.find((m) => m.name === 'region sum')!.billedEvents).toBe(0);
    // 40 days from 10 January: January and February.
    expect(new Set(model.usage.map((u) => u.periodStart))).toEqual(new Set(['2025-01-01T00:00:00.000Z', '2025-02-01T00:00:00.000Z']));
  });

  it('weekly and daily, Stripe 24 h dedup and none', async () => {
    await check(gen, GEN_METRICS.slice(0, 3), { period: 'week', dedup: 'stripe' });
    await check(gen, GEN_METRICS.slice(1, 2), { period: 'day', dedup: 'none' });
  });

  it('counts the same duplicates as the profile identity check: 34 days inclusive, previous use', async () => {
    const all = { name: 'all', aggregation_type: 'COUNT' } as Request;
    const m34 = await check(gen, [all], { period: 'month', dedup: 'metronome' });
    const m24 = await check(gen, [all], { period: 'month', dedup: 'stripe' });
    const dup = (m: BillModel) => m.metrics[0].excluded.byReason.find((r) => r.reason.startsWith('duplicate'))?.events ?? 0;
    // Every generated event has a customer, so every event is ingested and the counts are the profile's.
    const identity = await computeIdentity(store, gen.run, 0);
    expect(dup(m34)).toBe(identity.duplicates34d);
    expect(dup(m24)).toBe(identity.duplicates24h);
    expect(dup(m34)).toBeGreaterThan(dup(m24));
    expect(dup(m24)).toBeGreaterThan(0);
  });

  it('--backfill as of a time: events older than 34 days or more than 24 h ahead are refused, and never deduplicate', async () => {
    const asOf = Date.UTC(2025, 1, 17);
    const o: OracleOptions = { period: 'month', dedup: 'metronome', accept: { oldest: asOf - 34 * 86_400_000, newest: asOf + 86_400_000 } };
    const model = await check(gen, GEN_METRICS.slice(0, 2), o, { backfill: true, asOf: new Date(asOf).toISOString() });
    const reasons = model.metrics[1].excluded.byReason.map((r) => r.reason);
    expect(reasons).toEqual(expect.arrayContaining(['older than 34 days', 'more than 24 h ahead']));
    expect(model.settings).toMatchObject({ backfill: true, asOf: new Date(asOf).toISOString() });
  });

  it('--from/--to keep whole periods; events outside are excluded and counted', async () => {
    const from = Date.UTC(2025, 1, 1);
    const model = await check(
      gen,
      GEN_METRICS.slice(0, 2),
      { period: 'month', dedup: 'metronome', range: { from, to: Date.UTC(2025, 2, 1) } },
      { from: '2025-02-01T00:00:00Z', to: '2025-03-01T00:00:00Z' },
    );
    expect(model.usage.every((u) => u.periodStart === '2025-02-01T00:00:00.000Z')).toBe(true);
  });
});

describe('bill of the hand-made log against plain JS and by hand', () => {
  const byKey = (model: BillModel, metric: string) =>
    Object.fromEntries(
      model.usage.filter((u) => u.metric === metric).map((u) => [[u.customer, u.periodStart.slice(0, 10), ...Object.values(u.group ?? {})].join('|'), u.quantity]),
    );

  it('monthly, Metronome dedup', async () => {
    const model = await check(hand, HAND_METRICS, { period: 'month', dedup: 'metronome' });
    // 23:59:59.999 on 31 May and 00:00:00.000 on 1 June fall in two months; " 7 " and "1e3" are numbers;
    // a1 reused exactly 24 h later and a2 24 h + 1 ms later are both dropped; d34 reused exactly
    // 34 days later is dropped, d35 34 days + 1 ms later is billed again.
    expect(byKey(model, 'api sum')).toEqual({
      'c1|2024-05-01|eu': 5,
      'c1|2024-06-01|eu': 7,
      'c1|2024-06-01|us': 1007,
      'c3|2024-05-01|ap': 18,
      'c3|2024-06-01|ap': 9,
    });
    const api = model.metrics.find((m) => m.name === 'api sum')!;
    expect(Object.fromEntries(api.excluded.byReason.map((r) => [r.reason, r.events]))).toMatchObject({
      'non-numeric value': 3,
      'missing aggregation key value': 1,
      'missing group key region': 2,
      'missing customer': 2,
      'duplicate (metronome 34d)': 3,
    });
    // LATEST: same millisecond, the later line wins over the later position in an earlier line.
    expect(byKey(model, 'storage latest')).toEqual({ 'c1|2024-06-01': 11, 'c2|2024-06-01': 5, 'c2|2024-07-01': 6 });
    expect(byKey(model, 'storage max')).toEqual({ 'c1|2024-06-01': 50, 'c2|2024-06-01': 5, 'c2|2024-07-01': 6 });
    // u1, u2, and the number 1 and the string "1" (one value).
    expect(byKey(model, 'login users')).toEqual({ 'c1|2024-06-01': 3 });
  });

  it('Stripe dedup keeps a reuse after 24 h + 1 ms and after 34 days', async () => {
    const model = await check(hand, HAND_METRICS, { period: 'month', dedup: 'stripe' });
    expect(byKey(model, 'api sum')).toMatchObject({ 'c3|2024-06-01|eu': 2, 'c3|2024-06-01|ap': 18 });
  });

  it('weekly periods start on Monday 00:00 UTC', async () => {
    const model = await check(hand, HAND_METRICS, { period: 'week', dedup: 'metronome' });
    expect(byKey(model, 'api sum')).toMatchObject({ 'c1|2024-05-27|eu': 12, 'c1|2024-05-27|us': 7, 'c1|2024-06-03|us': 1000 });
  });

  it('daily and hourly periods, no dedup', async () => {
    await check(hand, HAND_METRICS, { period: 'day', dedup: 'none' });
    await check(hand, HAND_METRICS, { period: 'hour', dedup: 'none' });
  });

  it('--backfill: stale and future events are refused before dedup', async () => {
    const asOf = Date.UTC(2024, 5, 10);
    const model = await check(
      hand,
      HAND_METRICS,
      { period: 'month', dedup: 'metronome', accept: { oldest: asOf - 34 * 86_400_000, newest: asOf + 86_400_000 } },
      { backfill: true, asOf: '2024-06-10T00:00:00Z' },
    );
    // The 1 May uses of d34 and d35 are refused, so their June reuses are no longer duplicates.
    expect(byKey(model, 'api sum')).toMatchObject({ 'c3|2024-06-01|ap': 18 });
  });

  it('without --metrics, a run with no stored profile report has no drafts: one sentence', async () => {
    await expect(draftMetrics(store, hand.run)).rejects.toThrow(
      `run ${hand.run} has no stored profile report to draft metrics from; pass --metrics FILE (a JSON array of create-billable-metric bodies)`,
    );
  });

  it('an empty run bills nothing', async () => {
    const model = await computeBill(store, 'bill-no-such-events', validateMetrics(HAND_METRICS, 'test'), { period: 'month', dedup: 'metronome' });
    expect(model.events).toBe(0);
    expect(model.usage).toEqual([]);
    expect(model.metrics.every((m) => m.billedEvents === 0 && m.excluded.events === 0)).toBe(true);
  });
});
