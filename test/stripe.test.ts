/**
 * The Stripe integration as a library: the real `stripe` package against a local Stripe-shaped
 * server (test/support/fake-stripe.ts), the run's events loaded from a small JSONL log with
 * loadSources. Expected numbers are worked out by hand from test/support/stripe-fixture.ts (and
 * cross-checked by brute force over the same events in plain JS).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, rows, tempDir } from './support/helpers.js';
import { resolveSources } from '../src/ingest/source.js';
import { loadSources } from '../src/ingest/load.js';
import { DEFAULT_MAPPING } from '../src/ingest/formats.js';
import type { Store } from '../src/store/store.js';
import { StripeReader } from '../src/stripe/client.js';
import { RateLimiter } from '../src/stripe/rate-limit.js';
import { listMeters, normalizeMeter, type StripeMeter } from '../src/stripe/meters.js';
import { checkRun } from '../src/stripe/check.js';
import { reconcileRun, type ReconcileRow } from '../src/stripe/reconcile.js';
import { meterWindows } from '../src/stripe/windows.js';
import { metronomeAggregationFor } from '../src/stripe/metronome.js';
import { saveCheck, saveMeters, saveReconcile } from '../src/stripe/store.js';
import { StripeCallError } from '../src/stripe/errors.js';
import { startFakeStripe, type FakeStripe } from './support/fake-stripe.js';
import { CUSTOMERS, LOG, METERS, RECEIVED, T0, logLines } from './support/stripe-fixture.js';

const KEY = 'rk_test_51ReadOnlyKeyForMeterscopeTests0001';
const RUN = 'stripe-lib-run';
const iso = (s: number) => new Date(s * 1000).toISOString();

let fake: FakeStripe;
let store: Store;
let meters: StripeMeter[];

const reader = (extra: Partial<ConstructorParameters<typeof StripeReader>[0]> = {}, server = fake) =>
  new StripeReader({ apiKey: KEY, baseUrl: server.url, maxRps: 1000, retryBaseMs: 5, ...extra });

beforeAll(async () => {
  fake = await startFakeStripe({ meters: METERS, events: RECEIVED, keys: [KEY], forbiddenKeys: ['rk_test_noMeterAccess0000000000'], customers: CUSTOMERS, maxPage: 2 });
  store = await openTestStore();
  const file = path.join(tempDir(), 'meter-events.jsonl');
  fs.writeFileSync(file, logLines());
  const [load] = await loadSources(store, RUN, await resolveSources([file]), { mapping: DEFAULT_MAPPING });
  expect(load.events).toBe(LOG.length);
  expect(load.format).toBe('stripe-json');
});
afterAll(() => fake?.close());

describe('stripe meters', () => {
  it('reads every page through the stripe package and normalizes each meter', async () => {
    const before = fake.requests.length;
    meters = await listMeters(reader());
    const listCalls = fake.requests.slice(before).filter((r) => r.path === '/v1/billing/meters');
    // 5 meters, at most 2 per page: 3 pages, each after the last id of the previous one.
    expect(listCalls.map((r) => r.query.starting_after ?? null)).toEqual([null, 'mtr_storage', 'mtr_idle']);
    expect(listCalls.every((r) => r.authorization === `Bearer ${KEY}`)).toBe(true);
    expect(meters.map((m) => m.id)).toEqual(['mtr_api', 'mtr_storage', 'mtr_login', 'mtr_idle', 'mtr_old']);
    const storage = meters[1];
    expect(storage).toMatchObject({ eventName: 'storage_gb', status: 'active', formula: 'last', customerKey: 'account', valueKey: 'gb', dimensionKeys: [] });
    expect(meters[0]).toMatchObject({ customerKey: 'stripe_customer_id', valueKey: 'value', dimensionKeys: ['region'], metronomeAggregation: 'SUM' });
    expect(meters[4].status).toBe('inactive');
  });

  it('maps each formula to the Metronome aggregation it needs', () => {
    const m = (formula: string) => metronomeAggregationFor({ formula, valueKey: 'gb', dimensionKeys: ['region'] });
    expect(m('sum')).toMatchObject({ aggregationType: 'SUM', aggregationKey: 'gb', alternative: null, groupKeys: ['region'] });
    expect(m('count')).toMatchObject({ aggregationType: 'COUNT', aggregationKey: null });
    expect(m('last')).toMatchObject({ aggregationType: 'LATEST', aggregationKey: 'gb', alternative: 'MAX' });
    expect(m('median')).toBeNull();
    expect(meters.map((x) => x.metronomeAggregation)).toEqual(['SUM', 'LATEST', 'COUNT', 'SUM', 'COUNT']);
  });

  it('reads its own JSON back (camelCase) as well as the API shape', () => {
    expect(normalizeMeter(JSON.parse(JSON.stringify(meters[1])))).toEqual(meters[1]);
  });
});

/** Brute force over the fixture in plain JS: what the check should count for one meter. */
function bruteCheck(eventName: string, customerKey: string, valueKey: string) {
  const evs = LOG.filter((e) => e.event_name === eventName);
  const num = (v: unknown) => (typeof v === 'number' || (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) ? Number(v) : null);
  const withCustomer = evs.filter((e) => typeof e.payload[customerKey] === 'string' && e.payload[customerKey] !== '');
  return {
    events: evs.length,
    missingCustomerKey: evs.length - withCustomer.length,
    missingValueKey: evs.filter((e) => !(valueKey in e.payload)).length,
    nonNumericValues: evs.filter((e) => valueKey in e.payload && num(e.payload[valueKey]) === null).length,
    negativeValues: evs.filter((e) => (num(e.payload[valueKey]) ?? 0) < 0).length,
    billableEvents: withCustomer.filter((e) => num(e.payload[valueKey]) !== null).length,
    customers: new Set(withCustomer.map((e) => e.payload[customerKey])).size,
  };
}

describe('stripe check', () => {
  it('counts, per meter and with each meter own keys, what Stripe would bill and reject', async () => {
    const r = await checkRun(store, RUN, meters);
    expect(r.events).toBe(25);
    expect(r.span).toEqual({ first: iso(T0 + 10), last: iso(T0 + 5000) });
    expect(r.meterCount).toBe(5);
    expect(r.activeMeterCount).toBe(4);
    expect(r.meters.map((c) => [c.meterId, c.finding])).toEqual([
      ['mtr_api', 'problems'],
      ['mtr_storage', 'problems'],
      ['mtr_login', 'ok'],
      ['mtr_idle', 'idle'],
    ]);
    const api = r.meters[0];
    // By hand: e6 lacks the customer, e8 the value, e7 is "lots", e9 is -1; 10 events, 7 billable, cus_A and cus_B.
    expect(api).toMatchObject({ events: 10, billableEvents: 7, customers: 2, missingCustomerKey: 1, missingValueKey: 1, nonNumericValues: 1, negativeValues: 1 });
    expect(api.examples.missingCustomerKey?.line).toBe(6);
    expect(api.examples.nonNumericValue?.line).toBe(7);
    expect(api.examples.missingValueKey?.line).toBe(8);
    expect(api.examples.negativeValue?.line).toBe(9);
    expect(path.basename(api.examples.negativeValue!.source)).toBe('meter-events.jsonl');
    // storage_gb reads `account` and `gb`: s4 (only stripe_customer_id) and s6 (only value) are rejected.
    const storage = r.meters[1];
    expect(storage).toMatchObject({ events: 6, billableEvents: 4, customers: 2, missingCustomerKey: 1, missingValueKey: 1, nonNumericValues: 0, negativeValues: 0 });
    expect([storage.examples.missingCustomerKey?.line, storage.examples.missingValueKey?.line]).toEqual([14, 16]);
    expect(r.meters[2]).toMatchObject({ events: 4, billableEvents: 4, customers: 3, missingCustomerKey: 0 });
    for (const c of r.meters) {
      const { events, missingCustomerKey, missingValueKey, nonNumericValues, negativeValues, billableEvents, customers } = c;
      expect({ events, missingCustomerKey, missingValueKey, nonNumericValues, negativeValues, billableEvents, customers }).toEqual(
        bruteCheck(c.eventName, c.customerKey, c.valueKey),
      );
    }
    expect(r.idleMeters).toEqual(['mtr_idle']);
    expect(r.unmetered).toEqual([
      { eventName: 'debug_trace', events: 3, inactiveMeterId: null, firstEvent: iso(T0 + 17), lastEvent: iso(T0 + 19) },
      { eventName: 'legacy_ping', events: 2, inactiveMeterId: 'mtr_old', firstEvent: iso(T0 + 15), lastEvent: iso(T0 + 16) },
    ]);
    expect(r.totals).toEqual({ unmeteredEvents: 5, rejectedEvents: 5, negativeValues: 1 });
    expect(r.meters[1].metronome).toMatchObject({ aggregationType: 'LATEST', aggregationKey: 'gb' });

    await saveMeters(store, RUN, 'check', meters, r.checkedAt);
    await saveCheck(store, r);
    const stored = await rows<{ finding: string; event_name: string; events: string; billable_events: string; metronome_aggregation: string }>(
      store,
      `SELECT finding, event_name, events, billable_events, metronome_aggregation FROM stripe_checks WHERE run_id = {run:String} ORDER BY event_name`,
      { run: RUN },
    );
    expect(stored.map((s) => [s.event_name, s.finding, Number(s.events), Number(s.billable_events), s.metronome_aggregation])).toEqual([
      ['api_call', 'problems', 10, 7, 'SUM'],
      ['debug_trace', 'unmetered', 3, 0, ''],
      ['export_run', 'idle', 0, 0, 'SUM'],
      ['legacy_ping', 'inactive-meter', 2, 0, ''],
      ['login', 'ok', 4, 4, 'COUNT'],
      ['storage_gb', 'problems', 6, 4, 'LATEST'],
    ]);
    const snap = await rows<{ meter_id: string; customer_key: string; value_key: string; metronome_aggregation: string; metronome_alternative: string }>(
      store,
      `SELECT meter_id, customer_key, value_key, metronome_aggregation, metronome_alternative FROM stripe_meters WHERE run_id = {run:String} AND meter_id = 'mtr_storage'`,
      { run: RUN },
    );
    expect(snap).toEqual([{ meter_id: 'mtr_storage', customer_key: 'account', value_key: 'gb', metronome_aggregation: 'LATEST', metronome_alternative: 'MAX' }]);
  });
});

const key = (r: ReconcileRow) => `${r.meterId} ${r.customer} ${r.windowStart.slice(11, 16)}`;
const brief = (rs: ReconcileRow[]) => Object.fromEntries(rs.map((r) => [key(r), [r.logValue, r.stripeValue, r.status]]));

describe('stripe reconcile', () => {
  const span = { first: iso(T0 + 10), last: iso(T0 + 5000) };

  it('compares each meter and customer over the aligned span and finds the customer whose totals differ', async () => {
    const before = fake.requests.length;
    const progress: number[] = [];
    const r = await reconcileRun(store, RUN, meters, reader(), span, { granularity: 'span', dedup: true, onProgress: (d) => progress.push(d) });
    // By hand: api_call cus_A 5+7+2 = 14 (the repeated e1 dropped), cus_B 3+4-1 = 6 in the log but Stripe never got e4: 2.
    // storage_gb (last): cus_A 12 (s2), cus_C 25 (s5, later than s3). login (count): cus_A 2, cus_D 1, cus_Z unknown to Stripe.
    expect(brief(r.rows)).toEqual({
      'mtr_api cus_A 10:00': [14, 14, 'match'],
      'mtr_api cus_B 10:00': [6, 2, 'differs'],
      'mtr_storage cus_A 10:00': [12, 12, 'match'],
      'mtr_storage cus_C 10:00': [25, 25, 'match'],
      'mtr_login cus_A 10:00': [2, 2, 'match'],
      'mtr_login cus_D 10:00': [1, 1, 'match'],
      'mtr_login cus_Z 10:00': [1, null, 'stripe-error'],
    });
    const b = r.rows.find((x) => x.customer === 'cus_B')!;
    expect(b.difference).toBe(-4);
    expect(b.logEvents).toBe(3);
    expect(r.rows.find((x) => x.customer === 'cus_Z')!.error).toMatch(/No such customer: 'cus_Z'/);
    expect(r.differences).toBe(2);
    expect(r.skippedMeters).toEqual([{ meterId: 'mtr_idle', eventName: 'export_run', reason: 'no events in the run' }]);
    const api = r.meters.find((m) => m.meterId === 'mtr_api')!;
    expect(api).toMatchObject({ customers: 2, customersCompared: 2, customersDiffering: 1, logTotal: 20, stripeTotal: 16, rejectedEvents: 3, duplicateEvents: 1 });
    // Aligned to whole minutes: [10:00, 11:24) since the last event is at 11:23:20.
    expect(api.start).toBe(iso(T0));
    expect(api.end).toBe(iso(T0 + 5040));
    const summaryCalls = fake.requests.slice(before).filter((x) => x.path.endsWith('/event_summaries'));
    expect(summaryCalls).toHaveLength(7);
    expect(new Set(summaryCalls.map((x) => `${x.query.start_time}-${x.query.end_time}-${x.query.value_grouping_window ?? ''}`))).toEqual(
      new Set([`${T0}-${T0 + 5040}-`]),
    );
    expect(r.requests).toBe(7);
    expect(progress[progress.length - 1]).toBe(7);

    await saveReconcile(store, r);
    const stored = await rows<{ customer: string; log_value: number; stripe_value: number | null; difference: number; status: string }>(
      store,
      `SELECT customer, log_value, stripe_value, difference, status FROM stripe_reconcile WHERE run_id = {run:String} AND status != 'match' ORDER BY customer`,
      { run: RUN },
    );
    expect(stored).toEqual([
      { customer: 'cus_B', log_value: 6, stripe_value: 2, difference: -4, status: 'differs' },
      { customer: 'cus_Z', log_value: 1, stripe_value: null, difference: -1, status: 'stripe-error' },
    ]);
  });

  it('by hour: aligned hour windows, paginated summaries, the difference located in its hour', async () => {
    // One summary per page, so each customer's two hour windows take two pages.
    const paged = await startFakeStripe({ meters: METERS, events: RECEIVED, keys: [KEY], customers: CUSTOMERS, maxPage: 1 });
    const r = await reconcileRun(store, RUN, meters, reader({}, paged), span, { granularity: 'hour', dedup: true }).finally(() => paged.close());
    expect(brief(r.rows)).toEqual({
      'mtr_api cus_A 10:00': [12, 12, 'match'],
      'mtr_api cus_A 11:00': [2, 2, 'match'],
      'mtr_api cus_B 11:00': [6, 2, 'differs'],
      'mtr_storage cus_A 10:00': [10, 10, 'match'],
      'mtr_storage cus_A 11:00': [12, 12, 'match'],
      'mtr_storage cus_C 10:00': [25, 25, 'match'],
      'mtr_login cus_A 10:00': [2, 2, 'match'],
      'mtr_login cus_D 11:00': [1, 1, 'match'],
      'mtr_login cus_Z 10:00': [1, null, 'stripe-error'],
    });
    const calls = paged.requests.filter((x) => x.path.endsWith('/event_summaries'));
    expect(calls.every((c) => c.query.value_grouping_window === 'hour' && c.query.start_time === String(T0) && c.query.end_time === String(T0 + 7200))).toBe(true);
    // 6 known customers × 2 pages, and 1 refused request for cus_Z; page 2 starts after page 1's summary (the newer hour).
    expect(calls).toHaveLength(13);
    const second = calls.filter((c) => c.query.starting_after);
    expect(second).toHaveLength(6);
    expect(second.find((c) => c.query.customer === 'cus_B')!.query.starting_after).toBe(`mtrusg_mtr_api_cus_B_${T0 + 3600}`);
    expect(r.requests).toBe(13);
  });

  it('without dedup, the repeated identifier counts again', async () => {
    const r = await reconcileRun(
      store,
      RUN,
      meters.filter((m) => m.id === 'mtr_api'),
      reader(),
      span,
      { granularity: 'span', dedup: false },
    );
    expect(brief(r.rows)['mtr_api cus_A 10:00']).toEqual([19, 14, 'differs']);
    expect(r.meters[0].duplicateEvents).toBe(0);
  });

  it('--max-customers keeps the customers with the most events', async () => {
    const r = await reconcileRun(
      store,
      RUN,
      meters.filter((m) => m.id === 'mtr_login'),
      reader(),
      span,
      { granularity: 'span', dedup: true, maxCustomers: 1 },
    );
    expect(r.rows.map((x) => x.customer)).toEqual(['cus_A']);
    expect(r.meters[0]).toMatchObject({ customers: 3, customersCompared: 1 });
  });

  it('--max-customers counts the rejected and duplicate events of the customers compared, not of the whole run', async () => {
    const api = meters.filter((m) => m.id === 'mtr_api');
    // cus_A and cus_B tie at 3 events; cus_A (first by name) is compared. Its rejects: e7 (not a
    // number) and e8 (no value); e6 has no customer and is not cus_A's. The repeated e1 is cus_A's.
    const one = await reconcileRun(store, RUN, api, reader(), span, { granularity: 'span', dedup: true, maxCustomers: 1 });
    expect(one.meters[0]).toMatchObject({ customers: 2, customersCompared: 1, rejectedEvents: 2, duplicateEvents: 1 });
    const all = await reconcileRun(store, RUN, api, reader(), span, { granularity: 'span', dedup: true, maxCustomers: 5 });
    expect(all.meters[0]).toMatchObject({ customers: 2, customersCompared: 2, rejectedEvents: 3, duplicateEvents: 1 });

    // A run where the duplicates belong to the customer left out.
    const run = 'stripe-lib-run-max';
    const file = path.join(tempDir(), 'max.jsonl');
    const ev = (id: string, customer: string, at: number) =>
      JSON.stringify({
        object: 'billing.meter_event',
        identifier: id,
        timestamp: T0 + at,
        event_name: 'api_call',
        payload: { stripe_customer_id: customer, value: '1' },
      });
    fs.writeFileSync(
      file,
      `${[ev('m1', 'cus_A', 10), ev('m2', 'cus_A', 20), ev('m3', 'cus_A', 30), ev('m4', 'cus_B', 40), ev('m4', 'cus_B', 50), ev('m4', 'cus_B', 60)].join('\n')}\n`,
    );
    await loadSources(store, run, await resolveSources([file]), { mapping: DEFAULT_MAPPING });
    const top = await reconcileRun(store, run, api, reader(), span, { granularity: 'span', dedup: true, maxCustomers: 1 });
    expect(top.rows.map((x) => x.customer)).toEqual(['cus_A']);
    expect(top.meters[0]).toMatchObject({ customersCompared: 1, duplicateEvents: 0 });
    const both = await reconcileRun(store, run, api, reader(), span, { granularity: 'span', dedup: true });
    expect(both.meters[0]).toMatchObject({ customersCompared: 2, duplicateEvents: 2 });
  });
});

describe('meter windows', () => {
  it('aligns start down and end up to the minute, hour or day the API requires', () => {
    const t = Date.UTC(2024, 5, 3, 10, 0, 30, 500);
    const last = Date.UTC(2024, 5, 3, 10, 59, 59, 900);
    expect(meterWindows(t, last, 'span', null)).toMatchObject({ start: T0, end: T0 + 3600, unit: 60, groupingWindow: undefined });
    expect(meterWindows(t, t, 'span', null)).toMatchObject({ start: T0, end: T0 + 60 });
    // An event exactly on a boundary starts a new window (end is exclusive).
    expect(meterWindows(t, (T0 + 3600) * 1000, 'hour', null)).toMatchObject({ start: T0, end: T0 + 7200, groupingWindow: 'hour' });
    expect(meterWindows(t, last, 'day', null)).toMatchObject({ start: Date.UTC(2024, 5, 3) / 1000, end: Date.UTC(2024, 5, 4) / 1000, groupingWindow: 'day' });
    // A meter pre-aggregated by day is read in whole days even for hour windows or a single span.
    expect(meterWindows(t, last, 'hour', 'day')).toMatchObject({ granularity: 'day', groupingWindow: 'day', start: Date.UTC(2024, 5, 3) / 1000 });
    expect(meterWindows(t, last, 'span', 'hour')).toMatchObject({ granularity: 'span', start: T0, end: T0 + 3600, groupingWindow: undefined });
  });
});

describe('Stripe errors, retries and pacing', () => {
  it('retries 429s with backoff and then succeeds', async () => {
    const s = await startFakeStripe({ meters: METERS, events: [], keys: [KEY], rateLimitFirst: 2 });
    try {
      const got = await listMeters(reader({}, s));
      expect(got).toHaveLength(5);
      expect(s.requests.length).toBe(3); // two 429s, then the one page
    } finally {
      await s.close();
    }
  });

  it('gives up after --retries with one sentence', async () => {
    const s = await startFakeStripe({ meters: METERS, events: [], keys: [KEY], rateLimitFirst: 100 });
    try {
      const err = await listMeters(reader({ retries: 1 }, s)).catch((e) => e);
      expect(err).toBeInstanceOf(StripeCallError);
      expect(err.message).toMatch(/^Stripe kept answering "too many requests" \(rate limited\) while listing Billing Meters; lower --max-rps/);
      expect(s.requests.length).toBe(2);
    } finally {
      await s.close();
    }
  });

  it('authentication and permission failures are one sentence without the key', async () => {
    const wrong = 'sk_test_51WrongKeyThatStripeRejects9999';
    const auth = await listMeters(new StripeReader({ apiKey: wrong, baseUrl: fake.url })).catch((e) => e);
    expect(auth.message).toMatch(/^Stripe rejected the API key while listing Billing Meters \(authentication failed\); check STRIPE_API_KEY or --api-key/);
    const perm = await listMeters(new StripeReader({ apiKey: 'rk_test_noMeterAccess0000000000', baseUrl: fake.url })).catch((e) => e);
    expect(perm.message).toMatch(/permission denied.*read access to Billing meters/);
    for (const m of [auth.message, perm.message]) {
      expect(m).not.toContain(wrong);
      expect(m).not.toContain('rk_test_noMeterAccess');
      expect(m).not.toMatch(/sk_test_51|9999|0000/);
      expect(m.split('\n')).toHaveLength(1);
    }
  });

  it('an unreachable Stripe is one sentence naming where', async () => {
    const err = await listMeters(new StripeReader({ apiKey: KEY, baseUrl: 'http://127.0.0.1:1' })).catch((e) => e);
    expect(err.message).toMatch(/^cannot reach Stripe at 127\.0\.0\.1:1 while listing Billing Meters/);
  });

  it('every request waits its turn at the rate limiter', async () => {
    const sleeps: number[] = [];
    const limiter = new RateLimiter(
      4,
      async (ms) => void sleeps.push(ms),
      () => 1_000_000,
    );
    await reconcileRun(
      store,
      RUN,
      meters.filter((m) => m.id === 'mtr_api'),
      reader({ limiter }),
      { first: iso(T0 + 10), last: iso(T0 + 5000) },
      { granularity: 'span', dedup: true },
    );
    // A frozen clock: the n-th request waits n × 250 ms; 2 customers = 2 requests.
    expect(sleeps).toEqual([250]);
    const more: number[] = [];
    const l2 = new RateLimiter(
      10,
      async (ms) => void more.push(ms),
      () => 0,
    );
    for (let i = 0; i < 4; i++) await l2.take();
    expect(more).toEqual([100, 200, 300]);
  });
});
