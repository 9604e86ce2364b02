/**
 * The official SDKs against the sink: valid calls succeed, invalid ones get the real APIs' status
 * codes and error classes; the record file is readable by the normal ingestion.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import Metronome from '@metronome/sdk';
import { request } from 'undici';
import { startSink, type Sink } from '../src/sink/server.js';
import { openTestStore, rows, tempDir } from './support/helpers.js';
import { resolveSources } from '../src/ingest/source.js';
import { loadSources } from '../src/ingest/load.js';
import { DEFAULT_MAPPING } from '../src/ingest/formats.js';

const KEY = 'sk_test_sinkSdkKey123';
const nowS = () => Math.floor(Date.now() / 1000);
const stripeAt = (sink: Sink, key = KEY) => new Stripe(key, { host: '127.0.0.1', port: sink.port, protocol: 'http', maxNetworkRetries: 0 });
const metronomeAt = (sink: Sink, token = 'mtok') => new Metronome({ bearerToken: token, baseURL: sink.url, maxRetries: 0 });

async function caught(p: Promise<unknown>): Promise<{ name: string; status?: number; code?: string; param?: string; type?: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as { constructor: { name: string }; statusCode?: number; status?: number; code?: string; param?: string; type?: string };
    return { name: err.constructor.name, status: err.statusCode ?? err.status, code: err.code, param: err.param, type: err.type };
  }
  throw new Error('expected the call to fail');
}

describe('sink: Stripe v1 meter events with the stripe package', () => {
  let sink: Sink;
  const dir = tempDir();
  const record = path.join(dir, 'record.jsonl');
  beforeAll(async () => {
    sink = await startSink({ port: 0, record, keepEvents: true, rateLimits: { 'stripe-v1': 0, 'stripe-v2-session': 0, 'stripe-v2-stream': 0, metronome: 0 } });
  });
  afterAll(() => sink.close());

  it('accepts a valid event and answers with the meter event object', async () => {
    const ts = nowS() - 60;
    const ev = await stripeAt(sink).billing.meterEvents.create({
      event_name: 'api_call',
      identifier: 'v1-a',
      timestamp: ts,
      payload: { stripe_customer_id: 'cus_1', value: '7', region: 'eu' },
    });
    expect(ev).toMatchObject({
      object: 'billing.meter_event',
      event_name: 'api_call',
      identifier: 'v1-a',
      livemode: false,
      timestamp: ts,
      payload: { stripe_customer_id: 'cus_1', value: '7', region: 'eu' },
    });
    expect(sink.events.filter((e) => e.identifier === 'v1-a')).toHaveLength(1);
  });

  it('gives invalid calls the real status codes and error classes', async () => {
    const s = stripeAt(sink);
    const base = { event_name: 'api_call', payload: { stripe_customer_id: 'cus_1', value: '1' } };
    expect(await caught(s.billing.meterEvents.create({ payload: base.payload } as never))).toMatchObject({
      name: 'StripeInvalidRequestError',
      status: 400,
      code: 'parameter_missing',
      param: 'event_name',
    });
    expect(await caught(s.billing.meterEvents.create({ event_name: 'api_call' } as never))).toMatchObject({ status: 400, code: 'parameter_missing', param: 'payload' });
    expect(await caught(s.billing.meterEvents.create({ event_name: 'api_call', payload: { value: '1' } }))).toMatchObject({
      status: 400,
      code: 'meter_event_no_customer_defined',
    });
    expect(await caught(s.billing.meterEvents.create({ event_name: 'api_call', payload: { stripe_customer_id: 'c', value: 'many' } }))).toMatchObject({
      status: 400,
      code: 'meter_event_invalid_value',
    });
    expect(await caught(s.billing.meterEvents.create({ ...base, timestamp: nowS() - 40 * 86400 }))).toMatchObject({ status: 400, code: 'timestamp_too_far_in_past' });
    expect(await caught(s.billing.meterEvents.create({ ...base, timestamp: nowS() + 3600 }))).toMatchObject({ status: 400, code: 'timestamp_in_future' });
    expect(await caught(s.billing.meterEvents.create({ ...base, event_name: 'x'.repeat(101) }))).toMatchObject({ status: 400, param: 'event_name' });
    // Duplicate identifier inside the 24 h window.
    await s.billing.meterEvents.create({ ...base, identifier: 'v1-dup' });
    expect(await caught(s.billing.meterEvents.create({ ...base, identifier: 'v1-dup' }))).toMatchObject({ name: 'StripeInvalidRequestError', status: 400 });
    expect(sink.events.filter((e) => e.identifier === 'v1-dup')).toHaveLength(1);
  });

  it('refuses keys that are not Stripe keys, and a missing key', async () => {
    expect(await caught(stripeAt(sink, 'not_a_key').billing.meterEvents.create({ event_name: 'a', payload: { stripe_customer_id: 'c', value: '1' } }))).toMatchObject({
      name: 'StripeAuthenticationError',
      status: 401,
    });
    const res = await request(`${sink.url}/v1/billing/meter_events`, {
      method: 'POST',
      body: 'event_name=a',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.statusCode).toBe(401);
    expect(((await res.body.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
  });

  it('answers unknown paths with 404', async () => {
    const res = await request(`${sink.url}/v1/customers`, { method: 'POST', body: '' });
    expect(res.statusCode).toBe(404);
    await res.body.dump();
  });
});

describe('sink: pinned key, rate limit and fault injection', () => {
  it('refuses a key other than --stripe-key with 401', async () => {
    const sink = await startSink({ port: 0, stripeKey: KEY });
    try {
      expect(
        await caught(stripeAt(sink, 'sk_test_someoneElse').billing.meterEvents.create({ event_name: 'a', payload: { stripe_customer_id: 'c', value: '1' } })),
      ).toMatchObject({ name: 'StripeAuthenticationError', status: 401 });
      await expect(stripeAt(sink).billing.meterEvents.create({ event_name: 'a', payload: { stripe_customer_id: 'c', value: '1' } })).resolves.toMatchObject({
        object: 'billing.meter_event',
      });
    } finally {
      await sink.close();
    }
  });

  it('answers over-limit calls with 429 and Retry-After', async () => {
    // The sink's clock stands still, so its 2/s bucket never refills during the burst.
    const sink = await startSink({
      port: 0,
      rateLimits: { 'stripe-v1': 2, 'stripe-v2-session': 100, 'stripe-v2-stream': 100, metronome: 100 },
      now: () => 1_700_000_000_000,
    });
    try {
      const s = stripeAt(sink);
      const results: { status?: number }[] = [];
      for (let i = 0; i < 5; i++) {
        try {
          await s.billing.meterEvents.create({ event_name: 'a', identifier: `rl${i}`, payload: { stripe_customer_id: 'c', value: '1' } });
          results.push({ status: 200 });
        } catch (e) {
          results.push(await caught(Promise.reject(e)));
        }
      }
      // A burst of 5 against a 2/s bucket: the first 2 pass, the other 3 are limited.
      expect(results.map((r) => r.status)).toEqual([200, 200, 429, 429, 429]);
      const limited = results.filter((r) => r.status === 429);
      expect(limited[0]).toMatchObject({ name: 'StripeRateLimitError', status: 429, code: 'rate_limit' });
      const res = await request(`${sink.url}/v1/billing/meter_events`, {
        method: 'POST',
        body: 'event_name=a&payload[stripe_customer_id]=c&payload[value]=1',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(res.statusCode).toBe(429);
      expect(res.headers['retry-after']).toBe('1'); // the bucket is empty: one token takes half a second, rounded up
      await res.body.dump();
    } finally {
      await sink.close();
    }
  });

  it('--fail-rate 1 with --status 503 fails every call before processing', async () => {
    const sink = await startSink({ port: 0, failRate: 1, failStatus: 503, keepEvents: true });
    try {
      expect(await caught(stripeAt(sink).billing.meterEvents.create({ event_name: 'a', payload: { stripe_customer_id: 'c', value: '1' } }))).toMatchObject({
        name: 'StripeAPIError',
        status: 503,
      });
      expect(
        await caught(metronomeAt(sink).v1.usage.ingest({ usage: [{ transaction_id: 't', customer_id: 'c', event_type: 'e', timestamp: new Date().toISOString() }] })),
      ).toMatchObject({ name: 'InternalServerError', status: 503 });
      expect(sink.events).toHaveLength(0);
    } finally {
      await sink.close();
    }
  });
});

describe('sink: Stripe v2 meter event session + stream with the stripe package', () => {
  let clock = Date.now();
  let sink: Sink;
  beforeAll(async () => {
    sink = await startSink({ port: 0, keepEvents: true, sessionTtlSeconds: 900, now: () => clock });
  });
  afterAll(() => sink.close());

  const event = (id: string, extra: Record<string, unknown> = {}) => ({
    event_name: 'tokens',
    identifier: id,
    timestamp: new Date(clock - 1000).toISOString(),
    payload: { stripe_customer_id: 'cus_9', value: '12' },
    ...extra,
  });

  it('creates a session and streams a batch', async () => {
    const session = await stripeAt(sink).v2.billing.meterEventSession.create();
    expect(session).toMatchObject({ object: 'v2.billing.meter_event_session', livemode: false });
    expect(Date.parse(session.expires_at) - Date.parse(session.created)).toBe(900_000);
    const stream = stripeAt(sink, session.authentication_token);
    await stream.v2.billing.meterEventStream.create({ events: Array.from({ length: 100 }, (_, i) => event(`v2-${i}`)) });
    expect(sink.events.filter((e) => e.api === 'stripe-v2-stream')).toHaveLength(100);
  });

  it('validates events asynchronously: the request succeeds, invalid and duplicate events are dropped and counted', async () => {
    const session = await stripeAt(sink).v2.billing.meterEventSession.create();
    const before = sink.stats().routes['stripe-v2-stream'];
    await stripeAt(sink, session.authentication_token).v2.billing.meterEventStream.create({
      events: [event('v2-ok-1'), event('v2-bad', { payload: { value: '1' } }), event('v2-0')],
    });
    const after = sink.stats().routes['stripe-v2-stream'];
    expect(after.events_accepted - before.events_accepted).toBe(1);
    expect(after.events_invalid - before.events_invalid).toBe(1);
    expect(after.events_duplicate - before.events_duplicate).toBe(1);
    expect(after.errors.meter_event_no_customer_defined).toBe(1);
  });

  it('refuses more than 100 events, a bad token and an expired token with the real codes', async () => {
    const session = await stripeAt(sink).v2.billing.meterEventSession.create();
    const stream = stripeAt(sink, session.authentication_token);
    expect(await caught(stream.v2.billing.meterEventStream.create({ events: Array.from({ length: 101 }, (_, i) => event(`big-${i}`)) }))).toMatchObject({
      name: 'StripeInvalidRequestError',
      status: 400,
    });
    expect(await caught(stripeAt(sink, 'mes_tok_unknown').v2.billing.meterEventStream.create({ events: [event('bad-tok')] }))).toMatchObject({ status: 401 });
    clock += 901_000;
    expect(await caught(stream.v2.billing.meterEventStream.create({ events: [event('late')] }))).toMatchObject({
      name: 'TemporarySessionExpiredError',
      status: 401,
      code: 'billing_meter_event_session_expired',
    });
    expect(sink.events.some((e) => e.identifier === 'late' || e.identifier.startsWith('big-'))).toBe(false);
  });
});

describe('sink: Metronome ingest with @metronome/sdk', () => {
  let sink: Sink;
  const dir = tempDir();
  const record = path.join(dir, 'metronome.jsonl');
  beforeAll(async () => {
    sink = await startSink({ port: 0, keepEvents: true, metronomeToken: 'mtok', record });
  });
  afterAll(() => sink.close());
  const ev = (id: string, extra: Record<string, unknown> = {}) => ({
    transaction_id: id,
    customer_id: 'team@example.com',
    event_type: 'api_request',
    timestamp: new Date(Date.now() - 5000).toISOString(),
    properties: { region: 'eu', bytes: 512 },
    ...extra,
  });

  it('ingests a batch; a repeated transaction_id is ignored, not an error', async () => {
    const m = metronomeAt(sink);
    await m.v1.usage.ingest({ usage: [ev('m1'), ev('m2')] });
    await m.v1.usage.ingest({ usage: [ev('m2'), ev('m3')] });
    expect(sink.events.map((e) => e.identifier)).toEqual(['m1', 'm2', 'm3']);
    expect(sink.stats().routes.metronome.events_duplicate).toBe(1);
  });

  it('accepts gzip bodies', async () => {
    const body = zlib.gzipSync(JSON.stringify([ev('gz1')]));
    const res = await request(`${sink.url}/v1/ingest`, {
      method: 'POST',
      body,
      headers: { authorization: 'Bearer mtok', 'content-type': 'application/json', 'content-encoding': 'gzip' },
    });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    expect(sink.events.some((e) => e.identifier === 'gz1')).toBe(true);
  });

  it('gives invalid calls the real status codes', async () => {
    const m = metronomeAt(sink);
    expect(await caught(m.v1.usage.ingest({ usage: [] }))).toMatchObject({ name: 'BadRequestError', status: 400 });
    expect(await caught(m.v1.usage.ingest({ usage: Array.from({ length: 101 }, (_, i) => ev(`too-many-${i}`)) }))).toMatchObject({
      name: 'BadRequestError',
      status: 400,
    });
    expect(await caught(m.v1.usage.ingest({ usage: [ev('no-cust', { customer_id: undefined })] }))).toMatchObject({ name: 'BadRequestError', status: 400 });
    expect(await caught(m.v1.usage.ingest({ usage: [ev('bad-ts', { timestamp: '2025-13-45' })] }))).toMatchObject({ name: 'BadRequestError', status: 400 });
    expect(await caught(m.v1.usage.ingest({ usage: [ev('future', { timestamp: new Date(Date.now() + 2 * 86400_000).toISOString() })] }))).toMatchObject({ status: 400 });
    expect(await caught(metronomeAt(sink, 'wrong').v1.usage.ingest({ usage: [ev('auth')] }))).toMatchObject({ name: 'AuthenticationError', status: 401 });
    // A malformed event fails the whole request: its valid neighbour is not recorded either.
    expect(await caught(m.v1.usage.ingest({ usage: [ev('neighbour'), ev('broken', { event_type: '' })] }))).toMatchObject({ status: 400 });
    expect(sink.events.some((e) => ['neighbour', 'too-many-0', 'auth', 'future'].includes(e.identifier))).toBe(false);
  });

  it('counts requests per path and status on the stats endpoint', async () => {
    const res = await request(`${sink.url}/_sink/stats`);
    const stats = (await res.body.json()) as { routes: { metronome: { by_status: Record<string, number>; requests: number } } };
    // From the calls above: 3 successful ingests (2 SDK + 1 gzip), 6 refused with 400, 1 with 401.
    expect(stats.routes.metronome.by_status).toEqual({ 200: 3, 400: 6, 401: 1 });
    expect(stats.routes.metronome.requests).toBe(10);
  });

  it('writes a record file that the normal ingestion reads as the metronome format', async () => {
    await sink.close();
    const lines = fs.readFileSync(record, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(sink.events.length);
    const store = await openTestStore();
    const [load] = await loadSources(store, 'rec', await resolveSources([record]), { mapping: DEFAULT_MAPPING });
    expect(load.format).toBe('metronome');
    expect(load.events).toBe(sink.events.length);
    expect(load.rejects).toBe(0);
    const got = await rows<{ identifier: string; customer: string; bytes: string }>(
      store,
      `SELECT identifier, customer, properties['bytes'] AS bytes FROM events WHERE run_id = 'rec' ORDER BY identifier`,
    );
    expect(got.map((r) => r.identifier)).toEqual(sink.events.map((e) => e.identifier).sort());
    expect(new Set(got.map((r) => r.customer))).toEqual(new Set(['team@example.com']));
    expect(got[0].bytes).toBe('512');
  });
});
