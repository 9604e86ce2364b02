/**
 * The sink answers Stripe's read API for what it accepted: the official `stripe` package lists the
 * meters given to the sink and reads event summaries aggregated from the meter events it accepted
 * (sum, count, last; minute/hour/day alignment; customer filter; pagination), with Stripe's errors.
 * Figures are worked out from the events posted here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { startSink, type Sink } from '../src/sink/server.js';
import { normalizeMeter } from '../src/stripe/meters.js';
import { StripeReader } from '../src/stripe/client.js';
import { listMeters } from '../src/stripe/meters.js';

const KEY = 'rk_test_sinkReadKey123';
const H = 3600;
const T0 = Date.UTC(2024, 5, 3, 10) / 1000; // an hour boundary
const METERS = [
  {
    id: 'mtr_api',
    display_name: 'API calls',
    event_name: 'api',
    default_aggregation: { formula: 'sum' },
    customer_mapping: { event_payload_key: 'stripe_customer_id', type: 'by_id' },
    value_settings: { event_payload_key: 'value' },
  },
  { id: 'mtr_logins', event_name: 'login', default_aggregation: { formula: 'count' } },
  {
    id: 'mtr_gb',
    event_name: 'storage',
    default_aggregation: { formula: 'last' },
    customer_mapping: { event_payload_key: 'account' },
    value_settings: { event_payload_key: 'gb' },
  },
  { id: 'mtr_old', event_name: 'old', status: 'inactive', default_aggregation: { formula: 'count' } },
].map(normalizeMeter);

let sink: Sink;
const stripe = () => new Stripe(KEY, { host: '127.0.0.1', port: sink.port, protocol: 'http', maxNetworkRetries: 0 });
const send = (event_name: string, identifier: string, at: number, payload: Record<string, string>) =>
  stripe().billing.meterEvents.create({ event_name, identifier, timestamp: at, payload: { stripe_customer_id: 'c1', value: '1', ...payload } });

async function caught(p: Promise<unknown>): Promise<{ name: string; status?: number; code?: string; param?: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as { constructor: { name: string }; statusCode?: number; code?: string; param?: string };
    return { name: err.constructor.name, status: err.statusCode, code: err.code, param: err.param };
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  sink = await startSink({
    port: 0,
    meters: METERS,
    checkTimestamps: false,
    rateLimits: { 'stripe-v1': 0, 'stripe-v2-session': 0, 'stripe-v2-stream': 0, metronome: 0 },
  });
  await send('api', 'a1', T0 + 10, { value: '5' });
  await send('api', 'a2', T0 + 70, { value: '7' });
  await send('api', 'a3', T0 + H + 5, { value: '2.5' });
  await send('api', 'a4', T0 + 2 * H + 1, { value: '4', stripe_customer_id: 'c2' });
  await send('api', 'a5', T0 + 3 * 86400, { value: '100' }); // three days later
  await send('login', 'l1', T0 + 1, {});
  await send('login', 'l2', T0 + 2, {});
  await send('login', 'l3', T0 + H, {});
  // storage: customer under "account", value under "gb" (the meter's keys); the last by time wins, then the last accepted.
  await send('storage', 's1', T0 + 100, { account: 'acct_1', gb: '10' });
  await send('storage', 's2', T0 + 50, { account: 'acct_1', gb: '99' });
  await send('storage', 's3', T0 + 100, { account: 'acct_1', gb: '12' });
  await send('storage', 's4', T0 + 200, { gb: '7' }); // no account: not this meter's
});
afterAll(() => sink?.close());

const summaries = (meter: string, params: Stripe.Billing.MeterListEventSummariesParams) => stripe().billing.meters.listEventSummaries(meter, params);

describe('sink: GET /v1/billing/meters', () => {
  it('lists the meters in the API shape, with pagination and a status filter', async () => {
    const first = await stripe().billing.meters.list({ limit: 3 });
    expect(first.data.map((m) => m.id)).toEqual(['mtr_api', 'mtr_logins', 'mtr_gb']);
    expect(first.has_more).toBe(true);
    expect(first.data[2]).toMatchObject({
      object: 'billing.meter',
      event_name: 'storage',
      default_aggregation: { formula: 'last' },
      customer_mapping: { event_payload_key: 'account' },
      value_settings: { event_payload_key: 'gb' },
    });
    const rest = await stripe().billing.meters.list({ limit: 3, starting_after: 'mtr_gb' });
    expect(rest).toMatchObject({ has_more: false, data: [{ id: 'mtr_old', status: 'inactive' }] });
    expect((await stripe().billing.meters.list({ status: 'active' })).data).toHaveLength(3);
    // What `stripe meters` reads is what the sink was given.
    const read = await listMeters(new StripeReader({ apiKey: KEY, baseUrl: sink.url, maxRps: 1000 }));
    expect(read).toEqual(METERS);
  });

  it('answers without meters too: an empty list', async () => {
    const bare = await startSink({ port: 0 });
    try {
      const list = await new Stripe(KEY, { host: '127.0.0.1', port: bare.port, protocol: 'http' }).billing.meters.list();
      expect(list.data).toEqual([]);
    } finally {
      await bare.close();
    }
  });
});

describe('sink: GET /v1/billing/meters/{id}/event_summaries', () => {
  it('sum over a range, per customer; one summary even when empty', async () => {
    const all = await summaries('mtr_api', { customer: 'c1', start_time: T0, end_time: T0 + 4 * 86400 });
    expect(all.data).toEqual([
      {
        id: expect.any(String),
        object: 'billing.meter_event_summary',
        aggregated_value: 5 + 7 + 2.5 + 100,
        start_time: T0,
        end_time: T0 + 4 * 86400,
        livemode: false,
        meter: 'mtr_api',
      },
    ]);
    expect((await summaries('mtr_api', { customer: 'c2', start_time: T0, end_time: T0 + 4 * H })).data[0].aggregated_value).toBe(4);
    expect((await summaries('mtr_api', { customer: 'nobody', start_time: T0, end_time: T0 + 60 })).data[0].aggregated_value).toBe(0);
    // end_time is exclusive: [T0, T0 + 60) holds only a1.
    expect((await summaries('mtr_api', { customer: 'c1', start_time: T0, end_time: T0 + 60 })).data[0].aggregated_value).toBe(5);
  });

  it('hour and day windows: only windows with events, newest first, paged with starting_after', async () => {
    const byHour = await summaries('mtr_api', { customer: 'c1', start_time: T0, end_time: T0 + 4 * 86400, value_grouping_window: 'hour' });
    expect(byHour.data.map((s) => [s.start_time - T0, s.end_time - s.start_time, s.aggregated_value])).toEqual([
      [3 * 86400, H, 100],
      [H, H, 2.5],
      [0, H, 12],
    ]);
    const page1 = await summaries('mtr_api', { customer: 'c1', start_time: T0, end_time: T0 + 4 * 86400, value_grouping_window: 'hour', limit: 2 });
    expect(page1.has_more).toBe(true);
    const page2 = await summaries('mtr_api', {
      customer: 'c1',
      start_time: T0,
      end_time: T0 + 4 * 86400,
      value_grouping_window: 'hour',
      limit: 2,
      starting_after: page1.data[1].id,
    });
    expect([...page1.data, ...page2.data]).toEqual(byHour.data);
    expect(page2.has_more).toBe(false);
    const day0 = T0 - 10 * H; // 2024-06-03 00:00 UTC
    const byDay = await summaries('mtr_api', { customer: 'c1', start_time: day0, end_time: day0 + 5 * 86400, value_grouping_window: 'day' });
    expect(byDay.data.map((s) => [s.start_time - day0, s.aggregated_value])).toEqual([
      [3 * 86400, 100],
      [0, 14.5],
    ]);
  });

  it("count and last formulas; the meter's own customer and value keys", async () => {
    const logins = await summaries('mtr_logins', { customer: 'c1', start_time: T0, end_time: T0 + 2 * H, value_grouping_window: 'hour' });
    expect(logins.data.map((s) => s.aggregated_value)).toEqual([1, 2]);
    expect((await summaries('mtr_gb', { customer: 'acct_1', start_time: T0, end_time: T0 + H })).data[0].aggregated_value).toBe(12);
    expect((await summaries('mtr_gb', { customer: 'c1', start_time: T0, end_time: T0 + H })).data[0].aggregated_value).toBe(0);
  });

  it("Stripe's errors: missing parameters, misaligned times, unknown meter, no key", async () => {
    expect(await caught(summaries('mtr_api', { start_time: T0, end_time: T0 + 60 } as never))).toMatchObject({
      name: 'StripeInvalidRequestError',
      status: 400,
      code: 'parameter_missing',
      param: 'customer',
    });
    expect(await caught(summaries('mtr_api', { customer: 'c1', start_time: T0 + 1, end_time: T0 + 60 }))).toMatchObject({ status: 400, param: 'start_time' });
    expect(await caught(summaries('mtr_api', { customer: 'c1', start_time: T0 + 60, end_time: T0 + H, value_grouping_window: 'hour' }))).toMatchObject({
      status: 400,
      param: 'start_time',
    });
    expect(await caught(summaries('mtr_api', { customer: 'c1', start_time: T0 + 60, end_time: T0 }))).toMatchObject({ status: 400, param: 'end_time' });
    expect(await caught(summaries('mtr_nope', { customer: 'c1', start_time: T0, end_time: T0 + 60 }))).toMatchObject({
      name: 'StripeInvalidRequestError',
      status: 404,
      code: 'resource_missing',
    });
    expect(await caught(new Stripe('not_a_key', { host: '127.0.0.1', port: sink.port, protocol: 'http', maxNetworkRetries: 0 }).billing.meters.list())).toMatchObject({
      name: 'StripeAuthenticationError',
      status: 401,
    });
    expect(sink.stats().routes['stripe-read'].by_status['400']).toBeGreaterThanOrEqual(4);
  });
});
