/**
 * Billable-metric drafts: aggregation from the payloads (SUM / MAX for a gauge / COUNT) or from an
 * attached Stripe section (sum → SUM, count → COUNT, last → LATEST), group keys from the dimension
 * candidates, Metronome's filter rule (aggregation and group keys need an exists filter), and the
 * warnings, with counts checked against the generated input.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { facts, generateEvents, HOSTILE, profileFile, writeEvents, type Ev } from './support/report-support.js';
import type { ProfileReport } from '../src/profile/model.js';
import { billableMetricDrafts, draftJson, isGaugeName, type MetricDraft } from '../src/report/drafts.js';
import { meteringAnswers } from '../src/report/answers.js';
import { int } from '../src/report/format.js';
import { normalizeMeter } from '../src/stripe/meters.js';
import { checkRun } from '../src/stripe/check.js';
import { openTestStore } from './support/helpers.js';

let evs: Ev[];
let f: ReturnType<typeof facts>;
let report: ProfileReport;
let drafts: MetricDraft[];

const draft = (ds: MetricDraft[], name: string) => {
  const d = ds.find((x) => x.eventName === name);
  if (!d) throw new Error(`no draft for ${name}`);
  return d;
};

beforeAll(async () => {
  evs = generateEvents();
  f = facts(evs);
  report = await profileFile(writeEvents(evs), 'drafts1');
  drafts = billableMetricDrafts(report);
}, 120_000);

describe('billable-metric drafts from the profile', () => {
  it('drafts one metric per event name, filtered on that event type', () => {
    expect(drafts.map((d) => d.eventName).sort()).toEqual([...f.names.keys()].sort());
    for (const d of drafts) {
      expect(d.request.event_type_filter).toEqual({ in_values: [d.eventName] });
      expect(d.events).toBe(f.names.get(d.eventName));
      expect(d.basis).toBe('profile');
    }
  });

  it('SUMs a numeric value, MAXes a gauge-like one, COUNTs when there is none or it is always 1', () => {
    expect(draft(drafts, 'api_call').request).toMatchObject({ aggregation_type: 'SUM', aggregation_key: 'value' });
    const seats = draft(drafts, 'active_seats');
    expect(seats.request).toMatchObject({ aggregation_type: 'MAX', aggregation_key: 'value' });
    expect(seats.flags.map((x) => x.kind)).toContain('gauge-guess');
    for (const name of ['login', 'ping', HOSTILE.name]) {
      expect(draft(drafts, name).request.aggregation_type, name).toBe('COUNT');
      expect(draft(drafts, name).request.aggregation_key, name).toBeUndefined();
    }
    expect(isGaugeName('api_call', 'value')).toBe(false);
  });

  it('every aggregation and group key has an exists filter (Metronome rejects the metric otherwise)', () => {
    for (const d of drafts) {
      const filters = (d.request.property_filters ?? []).map((p) => p.name);
      if (d.request.aggregation_key) expect(filters, d.eventName).toContain(d.request.aggregation_key);
      for (const g of d.request.group_keys ?? []) for (const k of g) expect(filters, d.eventName).toContain(k);
      for (const p of d.request.property_filters ?? []) expect(p.exists).toBe(true);
      // The customer becomes customer_id, never a group key or filter.
      expect(filters).not.toContain('stripe_customer_id');
    }
  });

  it('takes group keys from the plan; identifier-like keys (user_id, request_id) are never in a draft', () => {
    const d = draft(drafts, 'api_call');
    const plan = report.advice.plans.find((x) => x.eventName === 'api_call')!;
    expect(d.request.group_keys).toEqual(plan.groupKeys);
    for (const x of drafts) {
      expect(x.request.group_keys?.flat() ?? [], x.eventName).not.toContain('user_id');
      expect(x.request.group_keys?.flat() ?? [], x.eventName).not.toContain('request_id');
    }
    const row = plan.rows.find((x) => x.dimension.join() === 'user_id')!;
    expect(row).toMatchObject({ inGroupKeys: false, cardinality: f.distinct('api_call', 'user_id') });
    expect(row.flags).toContain('identifier-like');
  });

  it('a key some events lack is no group key by default; the table says exactly what it would drop and the draft bills every event', () => {
    const d = draft(drafts, 'login');
    expect(d.request.group_keys).toBeUndefined();
    const lacking = f.lacking('login', 'method');
    expect(lacking).toBeGreaterThan(0);
    const row = report.advice.plans.find((x) => x.eventName === 'login')!.rows.find((x) => x.dimension.join() === 'method')!;
    expect(row).toMatchObject({ inGroupKeys: false, dropped: { events: lacking } });
    expect(row.reason).toContain(`an exists filter drops ${int(lacking)} events`);
    for (const x of drafts) expect(x.billed, x.eventName).toMatchObject({ events: x.events, eventsShare: 1 });
    expect(draft(drafts, 'api_call').flags.filter((x) => x.kind === 'missing-key')).toEqual([]);
  });

  it('prints drafts as JSON that parses back to the request', () => {
    for (const d of drafts) expect(JSON.parse(draftJson(d.request))).toEqual(d.request);
  });
});

describe('billable-metric drafts with a Stripe section', () => {
  // Meters as the Stripe API returns them, normalized and checked as `profile --stripe` does.
  const meters = [
    {
      id: 'mtr_1',
      display_name: 'API calls',
      event_name: 'api_call',
      status: 'active',
      default_aggregation: { formula: 'count' },
      customer_mapping: { event_payload_key: 'stripe_customer_id', type: 'by_id' },
      value_settings: { event_payload_key: 'value' },
    },
    {
      id: 'mtr_2',
      display_name: 'Seats',
      event_name: 'active_seats',
      status: 'active',
      default_aggregation: { formula: 'last' },
      value_settings: { event_payload_key: 'value' },
    },
    { id: 'mtr_3', display_name: 'Pings', event_name: 'ping', status: 'active', default_aggregation: { formula: 'sum' } },
    { id: 'mtr_4', display_name: 'Old', event_name: 'retired_event', status: 'inactive', default_aggregation: { formula: 'sum' } },
  ].map(normalizeMeter);
  let stripeReport: ProfileReport;
  beforeAll(async () => {
    const check = await checkRun(await openTestStore(), report.runId, meters);
    stripeReport = { ...report, stripe: { source: 'file', fetchedAt: '2024-03-10T00:00:00.000Z', meters, check } };
  });

  it('maps sum → SUM, count → COUNT, last → LATEST and names the metric after the meter', () => {
    const ds = billableMetricDrafts(stripeReport);
    expect(draft(ds, 'api_call').request).toMatchObject({ name: 'API calls', aggregation_type: 'COUNT' });
    expect(draft(ds, 'api_call').request.aggregation_key).toBeUndefined();
    expect(draft(ds, 'active_seats').request).toMatchObject({ name: 'Seats', aggregation_type: 'LATEST', aggregation_key: 'value' });
    expect(draft(ds, 'ping').request).toMatchObject({ name: 'Pings', aggregation_type: 'SUM', aggregation_key: 'value' });
    for (const n of ['api_call', 'active_seats', 'ping']) expect(draft(ds, n).basis).toBe('stripe-meter');
    expect(draft(ds, 'login').basis).toBe('profile');
  });

  it('answers the meter and aggregation questions from the Stripe section', () => {
    const answers = meteringAnswers(stripeReport);
    const meters = answers.find((a) => a.id === 'meters')!;
    // Active meters cover api_call, active_seats and ping; login and the hostile name match none.
    const unmetered = [...f.names.keys()].filter((nm) => !['api_call', 'active_seats', 'ping'].includes(nm)).length;
    expect(meters.figures).toMatchObject({ stripeMeters: 4, activeStripeMeters: 3, unmeteredEventNames: unmetered, idleMeters: 0 });
    const agg = answers.find((a) => a.id === 'aggregation')!;
    expect(agg.figures).toMatchObject({ 'aggregation:api_call': 'COUNT', 'aggregation:active_seats': 'LATEST', fromStripe: 3 });
  });
});
