import { describe, expect, it } from 'vitest';
import type { BillableMetricCreateParams } from '@metronome/sdk/resources/v1/billable-metrics';
import type { KeyUsage, ProfileReport, PropertyClass, PropertyProfile } from '../profile/model.js';
import type { StripeMeter } from '../stripe/meters.js';
import { adviceSettings, planAdvice } from './index.js';
import { requestProblems } from './drafts.js';
import { scoreKey } from './score.js';

const N = 10_000;
const VALUE = 50_000;
const prop = (key: string, cls: PropertyClass, present: number, distinct: number, topShare: number, role: PropertyProfile['role'] = null): PropertyProfile =>
  ({
    eventName: 'api',
    key,
    class: cls,
    events: N,
    present,
    presence: present / N,
    distinct,
    distinctExact: true,
    role,
    topValues: [{ value: '"top"', count: Math.round(topShare * present), share: topShare }],
    classReason: `${distinct} distinct`,
    numericShare: role === 'value' ? 1 : 0,
    numeric: role === 'value' ? { count: present, min: 1, max: 9, mean: 5, p50: 5, p99: 9, quantilesExact: true } : null,
  }) as PropertyProfile;
const usage = (keys: string[], present: number, value: number, distinct: number, firstHalf = distinct, perCustomerMax = distinct): KeyUsage => ({
  eventName: 'api',
  keys,
  present,
  value,
  distinct,
  firstHalfDistinct: firstHalf,
  customers: 40,
  perCustomer: { p50: 1, p99: perCustomerMax, max: perCustomerMax },
});

// Known truth: region and tier in every event; model in 80 % (2,000 events and 10,000 of value missing);
// method GET in 97 %; user_id identifier-like and growing; value the meter's value key.
const props = [
  prop('region', 'dimension', N, 8, 0.3),
  prop('tier', 'dimension', N, 4, 0.4),
  prop('model', 'dimension', 8000, 12, 0.2),
  prop('method', 'dimension', N, 2, 0.97),
  prop('user_id', 'identifier-like', 9000, 3000, 0.01),
  prop('value', 'measure', N, 9, 0.2, 'value'),
  prop('stripe_customer_id', 'identifier-like', N, 40, 0.1, 'customer'),
];
const keyUsage = [
  usage([], N, VALUE, 1),
  usage(['region'], N, VALUE, 8),
  usage(['tier'], N, VALUE, 4),
  usage(['model'], 8000, 40_000, 12),
  usage(['method'], N, VALUE, 2),
  usage(['user_id'], 9000, 45_000, 3000, 1800, 1200),
  usage(['region', 'tier'], N, VALUE, 32, 32, 20),
  usage(['region', 'tier', 'value'], N, VALUE, 32),
  usage(['region', 'tier', 'user_id', 'value'], 9000, 45_000, 2500),
  usage(['region', 'tier', 'user_id'], 9000, 45_000, 2400, 1500, 1100),
  usage(['tier', 'value'], N, VALUE, 4),
  usage(['model', 'value'], 8000, 40_000, 12),
];
const report = (more: Partial<ProfileReport> = {}) =>
  ({
    runId: 'r',
    events: { total: N },
    eventNames: [{ name: 'api', count: N }],
    properties: props,
    keyUsage,
    settings: { customerKey: 'stripe_customer_id', valueKey: 'value' },
    ...more,
  }) as unknown as ProfileReport;

describe('dimension scores', () => {
  const totals = { events: N, value: VALUE };
  const s = (key: string) =>
    scoreKey(
      props.find((p) => p.key === key)!,
      keyUsage.find((u) => u.keys.join() === key),
      totals,
    );

  it('a key with one value at 97 % is near-constant, never a candidate, and scores low', () => {
    expect(s('method')).toMatchObject({ verdict: 'near-constant', topShare: 0.97 });
    expect(s('method').score).toBeCloseTo(0.15, 10);
    expect(s('method').reason).toBe('2 values in 100% of events, top value "top" in 97%: near-constant, one price in practice');
  });

  it('a key at 80 % presence is too sparse, with the events and value an exists filter drops, exactly', () => {
    expect(s('model')).toMatchObject({ verdict: 'too sparse', dropped: { events: 2000, eventsShare: 0.2, value: 10_000, valueShare: 0.2 } });
    expect(s('model').reason).toBe('12 values in 80% of events: an exists filter drops 2,000 events (20%) and 20% of value');
  });

  it('identifier-like and growing keys are never candidates; growth is the values first seen after the median time', () => {
    expect(s('user_id')).toMatchObject({ verdict: 'identifier-like', newInSecondHalf: 1200, growsWithUsage: true, perCustomerMax: 1200 });
    expect(s('region')).toMatchObject({ verdict: 'pricing candidate', score: 1, growsWithUsage: false, newInSecondHalf: 0 });
    const grows = scoreKey(prop('path', 'dimension', N, 90, 0.1), usage(['path'], N, VALUE, 90, 60), totals);
    expect([grows.verdict, grows.growsWithUsage, grows.score]).toEqual(['grows with usage', true, 0.1]);
  });
});

describe('group-key plan and drafts', () => {
  const draftOf = (r: ProfileReport) => planAdvice(r).drafts[0];

  it('default: standalone keys for candidates present in ≥ 99.9 %; an 80 % key and identifier-like keys stay out; the draft bills everything', () => {
    const a = planAdvice(report());
    expect(a.plans[0].groupKeys).toEqual([['tier'], ['region']]);
    const d = a.drafts[0];
    const typed: BillableMetricCreateParams = d.request;
    expect(typed.group_keys).toEqual([['tier'], ['region']]);
    expect(d.request.property_filters).toEqual([
      { name: 'value', exists: true },
      { name: 'tier', exists: true },
      { name: 'region', exists: true },
    ]);
    expect(d.billed).toEqual({ events: N, eventsShare: 1, value: VALUE, valueShare: 1 });
    expect(requestProblems(d.request)).toEqual([]);
    const row = (k: string) => a.plans[0].rows.find((x) => x.dimension.join() === k)!;
    expect(row('model')).toMatchObject({ inGroupKeys: false, role: 'none', dropped: { events: 2000, value: 10_000 } });
    expect(row('user_id')).toMatchObject({ inGroupKeys: false, cardinality: 3000, growsWithUsage: true, perCustomer: { max: 1200 } });
    expect(row('user_id').flags).toEqual(['identifier-like', '~1,000 values per customer']);
    expect(a.unbilled).toEqual({ events: 0, eventsShare: 0, value: 0, valueShare: 0 });
  });

  it('--group-key keeps an identifier as asked, with the share it drops and its flags; --compound-group-keys adds the combined keys', () => {
    const r = report();
    const a = planAdvice(r, adviceSettings({ groupKeys: ['user_id'], compoundGroupKeys: true }));
    expect(a.plans[0].groupKeys).toEqual([['tier'], ['region'], ['tier', 'region'], ['user_id'], ['tier', 'region', 'user_id']]);
    const d = a.drafts[0];
    expect(d.billed).toEqual({ events: 9000, eventsShare: 0.9, value: 45_000, valueShare: 0.9 });
    expect(d.sources.groupKeys).toBe('flag');
    expect(d.flags.map((f) => f.kind)).toEqual(expect.arrayContaining(['identifier-like', 'many-combinations', 'per-customer-cardinality', 'missing-key']));
    expect(a.unbilled).toMatchObject({ events: 1000, value: 5000 });
    expect(requestProblems(d.request)).toEqual([]);
    const compound = a.plans[0].rows.find((x) => x.dimension.join() === 'tier,region,user_id')!;
    expect(compound).toMatchObject({ role: 'compound', cardinality: 2400, growsWithUsage: true, perCustomer: { max: 1100 } });
    expect(compound.flags).toEqual(['> 1,000 combined values', '~1,000 values per customer', 'drops events']);
  });

  it('a Stripe meter wins: its event name, customer mapping, value key, aggregation and dimensions, each field saying so', () => {
    const meter = {
      id: 'mtr_1',
      displayName: 'API',
      eventName: 'api',
      status: 'active',
      formula: 'count',
      customerKey: 'stripe_customer_id',
      valueKey: 'value',
      eventTimeWindow: null,
      dimensionKeys: ['model', 'tier'],
      livemode: false,
      metronomeAggregation: 'COUNT',
      metronome: { aggregationType: 'COUNT', aggregationKey: null, alternative: null, groupKeys: ['model', 'tier'], reason: '' },
    } as StripeMeter;
    const r = report({ stripe: { meters: [meter] } as ProfileReport['stripe'] });
    const a = planAdvice(r);
    expect(a.plans[0]).toMatchObject({ source: 'stripe-meter', groupKeys: [['model', 'tier']] });
    const d = draftOf(r);
    expect(d.request).toMatchObject({ name: 'API', aggregation_type: 'COUNT', group_keys: [['model', 'tier']] });
    expect(d.request.aggregation_key).toBeUndefined();
    expect(d.sources).toEqual({ eventName: 'stripe-meter', customer: 'stripe-meter', aggregation: 'stripe-meter', groupKeys: 'stripe-meter' });
    expect(d.basis).toBe('stripe-meter');
    // model is in 80 % of events: the meter's dimension is kept, and the draft says what it drops.
    expect(d.billed).toBeNull(); // [model, tier] not measured in this fixture
    expect(d.flags.find((f) => f.kind === 'missing-key')!.text).toBe('2,000 of 10,000 api events (20%) lack model: the exists filter leaves them unbilled');
    expect(requestProblems(d.request)).toEqual([]);
  });

  it("requestProblems states Metronome's rules", () => {
    expect(requestProblems({ name: 'x', event_type_filter: { in_values: ['x'] }, aggregation_type: 'SUM', aggregation_key: 'v', group_keys: [['a']] })).toEqual([
      'The specified aggregation key must be one of the property filter names.',
      "Group key 'a' does not match one of the property filter names.",
    ]);
    expect(
      requestProblems({
        name: 'x',
        event_type_filter: { in_values: ['x'] },
        aggregation_type: 'COUNT',
        aggregation_key: 'v',
        property_filters: [{ name: 'v', exists: true }],
      }),
    ).toEqual(['COUNT takes no aggregation_key']);
  });
});
