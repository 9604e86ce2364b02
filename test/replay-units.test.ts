/** The replay building blocks, each checked against an independent computation. */
import { describe, expect, it } from 'vitest';
import { offsetFunction } from '../src/replay/pacing.js';
import { parseRate } from '../src/commands/replay-flags.js';
import { planRequests } from '../src/replay/batcher.js';
import { judge, retryAfterMs, retryDelayMs, reasonOf } from '../src/replay/retry.js';
import { SPECS, identifierOf, plainValue } from '../src/replay/encode.js';
import { resolveAuth } from '../src/replay/auth.js';
import { redactTarget, resolveTarget } from '../src/replay/target.js';
import { runReplay } from '../src/replay/run.js';
import { HttpSender } from '../src/replay/sender.js';
import type { StoredEvent } from '../src/replay/events.js';
import { startSink } from '../src/sink/server.js';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const ev = (i: number, t = 1_700_000_000_000 + i * 1000, extra: Partial<StoredEvent> = {}): StoredEvent => ({
  t,
  name: 'api_call',
  customer: `cus_${i % 3}`,
  identifier: `id${i}`,
  value: i,
  props: { stripe_customer_id: `"cus_${i % 3}"`, value: `"${i}"`, region: '"eu"', n: '42', obj: '{"a":[1,2]}', q: '"a&b=c [x]"' },
  source: '/logs/a.jsonl',
  line: i + 1,
  seq: 1,
  ...extra,
});

async function* pagesOf(events: StoredEvent[], size = 7): AsyncGenerator<StoredEvent[]> {
  for (let i = 0; i < events.length; i += size) yield events.slice(i, i + size);
}

describe('pacing', () => {
  it('a ramp A→B over D schedules events where the integrated rate says (brute force)', () => {
    const p = parseRate('100:300:10s');
    expect(p).toEqual({ mode: 'ramp', from: 100, to: 300, durationS: 10 });
    const off = offsetFunction(p, 0);
    // Brute force: step through time in 0.1 ms slices accumulating rate(t).
    const due: number[] = [];
    let count = 0;
    for (let t = 0; t < 12_000 && due.length < 2600; t += 0.1) {
      const rate = t < 10_000 ? 100 + (200 * t) / 10_000 : 300;
      count += (rate * 0.1) / 1000;
      while (count >= due.length) due.push(t);
    }
    for (const i of [0, 1, 10, 500, 1999, 2000, 2001, 2500]) expect(Math.abs(off(i, {} as StoredEvent) - due[i])).toBeLessThan(1);
  });

  it('recorded timing divides the gaps by the speed; constant rate spaces events evenly', () => {
    const rec = offsetFunction({ mode: 'recorded', speed: 4 }, 1000);
    expect(rec(0, { t: 1000 } as StoredEvent)).toBe(0);
    expect(rec(5, { t: 9000 } as StoredEvent)).toBe(2000);
    const rate = offsetFunction(parseRate('250'), 0);
    expect(rate(1000, {} as StoredEvent)).toBe(4000);
  });

  it('rejects malformed rates with one sentence', () => {
    expect(() => parseRate('fast')).toThrow(/--rate/);
    expect(() => parseRate('1:2')).toThrow(/R or A:B:duration/);
    expect(() => parseRate('10:0:5s')).toThrow(/end above zero/);
  });
});

describe('batching', () => {
  it('closes a batch when full or flush-ms after its first event, whichever first (checked by hand)', async () => {
    // Offsets: events every 30 ms; batch 4, flush 100 ms -> batches of 4 (0..90 ms), 4 (120..210), ...
    const events = Array.from({ length: 10 }, (_, i) => ev(i));
    const reqs = [];
    for await (const r of planRequests(pagesOf(events), (i) => i * 30, 4, 100)) reqs.push(r);
    expect(reqs.map((r) => r.events.length)).toEqual([4, 4, 2]);
    expect(reqs.map((r) => r.at)).toEqual([90, 210, 270]);
    // Sparse events: a flush deadline passes before the batch fills.
    const sparse = [];
    for await (const r of planRequests(pagesOf(events), (i) => i * 70, 4, 100)) sparse.push(r);
    expect(sparse.map((r) => r.events.length)).toEqual([2, 2, 2, 2, 2]);
    expect(sparse[0].at).toBe(100);
    expect(sparse.flatMap((r) => r.events.map((e) => e.identifier))).toEqual(events.map((e) => e.identifier));
  });
});

describe('retry decisions', () => {
  const a = (status: number, text = '', headers: Record<string, string> = {}) => ({ status, text, headers });
  it('retries 429, 5xx and lost answers; rejects other 4xx; honours Stripe-Should-Retry', () => {
    expect(judge(a(200), 'stripe-v1').kind).toBe('ack');
    expect(judge(a(429, '', { 'retry-after': '2' }), 'stripe-v1')).toMatchObject({ kind: 'retry', retryAfterMs: 2000 });
    expect(judge(a(503), 'metronome').kind).toBe('retry');
    expect(judge(a(0, 'ECONNRESET'), 'raw').kind).toBe('retry');
    expect(judge(a(400, '{"error":{"code":"parameter_missing","message":"Missing required param: event_name."}}'), 'stripe-v1')).toEqual({
      kind: 'reject',
      reason: '400 parameter_missing: Missing required param: event_name.',
    });
    expect(judge(a(500, '', { 'stripe-should-retry': 'false' }), 'stripe-v1').kind).toBe('reject');
    expect(judge(a(409, '', { 'stripe-should-retry': 'true' }), 'stripe-v1').kind).toBe('retry');
    expect(judge(a(401, '{"error":{"type":"temporary_session_expired","code":"billing_meter_event_session_expired"}}'), 'stripe-v2-stream')).toMatchObject({
      kind: 'retry',
      sessionExpired: true,
    });
    expect(judge(a(401, '{"message":"Unauthorized"}'), 'metronome')).toEqual({ kind: 'reject', reason: '401 Unauthorized' });
    expect(reasonOf(a(0, 'UND_ERR_HEADERS_TIMEOUT'))).toBe('network: UND_ERR_HEADERS_TIMEOUT');
  });

  it('waits at least Retry-After, within the bound; backs off exponentially otherwise', () => {
    const p = { retries: 5, maxWaitMs: 5000, baseMs: 100 };
    for (const r of [0, 0.5, 0.999]) {
      const w = retryDelayMs(1, 1000, p, () => r);
      expect(w).toBeGreaterThanOrEqual(1000);
      expect(w).toBeLessThanOrEqual(1250);
      expect(retryDelayMs(1, 60_000, p, () => r)).toBe(5000);
      expect(retryDelayMs(3, undefined, p, () => r)).toBeGreaterThanOrEqual(200);
      expect(retryDelayMs(3, undefined, p, () => r)).toBeLessThanOrEqual(400);
      expect(retryDelayMs(20, undefined, p, () => r)).toBeLessThanOrEqual(5000);
    }
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(Date.now() + 10_000).toUTCString())).toBeGreaterThan(8000);
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});

describe('protocol encoders', () => {
  const ctx = { customerKey: 'stripe_customer_id', idSuffix: '', gzip: false };
  it('stripe-v1: a form body that decodes back to the event (payload values as strings)', () => {
    const e = ev(5);
    const { body, headers } = SPECS['stripe-v1'].encode([e], [1_700_000_123_456], ctx);
    expect(headers['content-type']).toBe('application/x-www-form-urlencoded');
    const f = new URLSearchParams(String(body));
    expect(f.get('event_name')).toBe('api_call');
    expect(f.get('identifier')).toBe('id5');
    expect(f.get('timestamp')).toBe('1700000123');
    expect(f.get('payload[q]')).toBe('a&b=c [x]');
    expect(f.get('payload[n]')).toBe('42');
    expect(f.get('payload[obj]')).toBe('{"a":[1,2]}');
    expect(f.get('payload[stripe_customer_id]')).toBe('cus_2');
  });

  it('stripe-v2-stream and metronome: JSON with RFC 3339 times; Metronome keeps value types', () => {
    const events = [ev(1), ev(2, undefined, { identifier: '', props: { value: '3' } })];
    const v2 = JSON.parse(String(SPECS['stripe-v2-stream'].encode(events, [0, 1500], ctx).body));
    expect(v2.events[0]).toMatchObject({ event_name: 'api_call', identifier: 'id1', timestamp: '1970-01-01T00:00:00.000Z' });
    expect(v2.events[1].payload).toEqual({ value: '3', stripe_customer_id: 'cus_2' });
    expect(v2.events[1].identifier).toBe(identifierOf(events[1], ''));
    expect(v2.events[1].identifier).toMatch(/^ms_[0-9a-f]{8}_3_1$/);
    const m = JSON.parse(String(SPECS.metronome.encode(events, [0, 1500], ctx).body));
    expect(m[0]).toEqual({
      transaction_id: 'id1',
      customer_id: 'cus_1',
      event_type: 'api_call',
      timestamp: '1970-01-01T00:00:00.000Z',
      properties: { stripe_customer_id: 'cus_1', value: '1', region: 'eu', n: 42, obj: { a: [1, 2] }, q: 'a&b=c [x]' },
    });
    expect(m[1].timestamp).toBe('1970-01-01T00:00:01.500Z');
    expect(plainValue('"x\\"y"')).toBe('x"y');
  });

  it('--unique-ids appends the suffix everywhere', () => {
    const b = JSON.parse(String(SPECS.metronome.encode([ev(1)], [0], { ...ctx, idSuffix: '-rabc123' }).body));
    expect(b[0].transaction_id).toBe('id1-rabc123');
  });
});

describe('auth and targets', () => {
  it('refuses live keys from env, flag or header; takes keys from the right env var', () => {
    expect(() => resolveAuth({ protocol: 'stripe-v1', env: { STRIPE_API_KEY: 'sk_live_x1' } })).toThrow(/live-mode/);
    expect(() => resolveAuth({ protocol: 'raw', headers: ['X-Key: rk_live_abc'], env: {} })).toThrow(/live-mode/);
    expect(() => resolveAuth({ protocol: 'stripe-v1', apiKey: 'sk_live_x1', allowLive: true, env: {} })).not.toThrow();
    expect(resolveAuth({ protocol: 'stripe-v1', env: { STRIPE_API_KEY: 'sk_test_1' } }).headers.authorization).toBe('Bearer sk_test_1');
    expect(resolveAuth({ protocol: 'metronome', env: { METRONOME_API_TOKEN: 'tok', STRIPE_API_KEY: 'sk_live_unused' } }).headers.authorization).toBe('Bearer tok');
    const v2 = resolveAuth({ protocol: 'stripe-v2-stream', env: { STRIPE_API_KEY: 'sk_test_1' } });
    expect(v2.sessionHeaders?.authorization).toBe('Bearer sk_test_1');
    expect(v2.headers.authorization).toBeUndefined();
    expect(() => resolveAuth({ protocol: 'stripe-v1', env: {} })).toThrow(/STRIPE_API_KEY/);
  });

  it('appends API paths, finds the Stripe session host, redacts credentials', () => {
    expect(resolveTarget('stripe-v1', 'http://127.0.0.1:9/').url.toString()).toBe('http://127.0.0.1:9/v1/billing/meter_events');
    expect(resolveTarget('metronome', 'https://proxy.example/metronome/v1/ingest').url.pathname).toBe('/metronome/v1/ingest');
    expect(resolveTarget('stripe-v2-stream', 'https://meter-events.stripe.com').sessionUrl?.toString()).toBe('https://api.stripe.com/v2/billing/meter_event_session');
    expect(resolveTarget('stripe-v2-stream', 'http://127.0.0.1:9').sessionUrl?.toString()).toBe('http://127.0.0.1:9/v2/billing/meter_event_session');
    expect(redactTarget(new URL('https://u:pw@h.example/x?token=abc'))).toBe('https://h.example/x?token=***');
  });
});

describe('engine against the sink, in process', () => {
  const base = {
    headers: { authorization: 'Bearer sk_test_engine' },
    connections: 4,
    pipelining: 1,
    flushMs: 50,
    maxInFlight: 1000,
    timeoutMs: 10_000,
    retry: { retries: 20, maxWaitMs: 2000, baseMs: 10 },
    timestamps: 'shift' as const,
    encode: { customerKey: 'stripe_customer_id', idSuffix: '', gzip: false },
    firstEventTime: 0,
  };

  it('open model with pipelining: every event acknowledged once, one lag sample per request', async () => {
    const sink = await startSink({ port: 0, keepEvents: true, failRate: 0.2, seed: 3 });
    try {
      const events = Array.from({ length: 300 }, (_, i) => ev(i, Date.now() - 60_000));
      const out = await runReplay(pagesOf(events, 64), {
        ...base,
        protocol: 'stripe-v1',
        url: new URL(`${sink.url}/v1/billing/meter_events`),
        pacing: { mode: 'rate', rate: 2000 },
        pipelining: 4,
        batch: 1,
        // The sink's injected 503s ask for 1 s (Retry-After); capped, so retries do not wait on the clock.
        retry: { ...base.retry, maxWaitMs: 50 },
      });
      const t = out.metrics.totals;
      expect(t).toMatchObject({ requests: 300, events: 300, acknowledged: 300, rejected: 0, failed: 0 });
      expect(out.metrics.lag.totalCount).toBe(300);
      expect(out.metrics.latency.totalCount).toBe(300);
      expect(out.metrics.service.totalCount).toBe(t.attempts);
      expect(sink.events.map((e) => e.identifier).sort()).toEqual(events.map((e) => e.identifier).sort());
      expect(sink.stats().routes['stripe-v1'].by_status['503']).toBe(out.metrics.statuses.get(503));
    } finally {
      await sink.close();
    }
  });

  it('every request that cannot be delivered ends failed with its reason (nothing listens)', async () => {
    const sink = await startSink({ port: 0 });
    const url = new URL(`${sink.url}/v1/ingest`);
    await sink.close();
    const out = await runReplay(pagesOf([ev(1), ev(2), ev(3)]), {
      ...base,
      headers: { authorization: 'Bearer t' },
      protocol: 'metronome',
      url,
      pacing: { mode: 'max' },
      batch: 2,
      retry: { retries: 2, maxWaitMs: 20, baseMs: 5 },
    });
    const t = out.metrics.totals;
    expect(t).toMatchObject({ requests: 2, events: 3, acknowledged: 0, rejected: 0, failed: 3, attempts: 6, retries: 4 });
    expect(out.metrics.outcomeRows()[0].reason).toMatch(/^network: ECONNREFUSED \(gave up after 3 attempts\)$/);
  });

  it('never has more than connections × pipelining requests on the wire; the rest wait, and the wait is measured', async () => {
    let open = 0;
    let peak = 0;
    let served = 0;
    const server = http.createServer((req, res) => {
      open++;
      peak = Math.max(peak, open);
      req.resume();
      req.on('end', () =>
        setTimeout(() => {
          open--;
          served++;
          res.end();
        }, 5),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    try {
      const events = Array.from({ length: 120 }, (_, i) => ev(i));
      // 3 connections × 5 ms answers cannot keep up with 3000/s: requests must queue on our side.
      const out = await runReplay(pagesOf(events, 50), {
        ...base,
        headers: {},
        protocol: 'raw',
        url: new URL(`http://127.0.0.1:${port}/`),
        pacing: { mode: 'rate', rate: 3000 },
        connections: 3,
        batch: 1,
      });
      expect(out.metrics.totals.acknowledged).toBe(120);
      expect(served).toBe(120);
      expect(peak).toBeLessThanOrEqual(3);
      expect(out.metrics.queue.totalCount).toBe(120);
      expect(out.metrics.queue.maxValue).toBeGreaterThan(0);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('the sender hands back status, headers and error text (what the retry decisions read)', async () => {
    const sink = await startSink({ port: 0, rateLimits: { 'stripe-v1': 1, 'stripe-v2-session': 1, 'stripe-v2-stream': 1, metronome: 100 } });
    const sender = new HttpSender({ connections: 1, pipelining: 1, timeoutMs: 5000 });
    try {
      const url = new URL(`${sink.url}/v1/billing/meter_events`);
      const h = { authorization: 'Bearer sk_test_x', 'content-type': 'application/x-www-form-urlencoded' };
      const body = 'event_name=a&payload[stripe_customer_id]=c&payload[value]=1';
      const first = await sender.post(url, h, body);
      expect(first).toEqual({ status: 200, headers: expect.any(Object), text: '' });
      const second = await sender.post(url, h, body);
      expect(second.status).toBe(429);
      expect(second.headers['retry-after']).toBe('1');
      expect(judge(second, 'stripe-v1')).toMatchObject({ kind: 'retry', retryAfterMs: 1000 });
      expect(JSON.parse(second.text).error.code).toBe('rate_limit');
      const withBody = await sender.post(new URL(`${sink.url}/v2/billing/meter_event_session`), { authorization: 'Bearer sk_test_x' }, '{}', true);
      expect(withBody.status).toBe(200);
      expect(JSON.parse(withBody.text).object).toBe('v2.billing.meter_event_session');
    } finally {
      await sender.close();
      await sink.close();
    }
  });

  it('--warmup: early requests are sent and counted but kept out of the histograms', async () => {
    const sink = await startSink({ port: 0 });
    try {
      const events = Array.from({ length: 300 }, (_, i) => ev(i, Date.now() - 60_000));
      // 2000/s: request i is due at i/2 ms, so requests 0..99 fall in the first 50 ms.
      const out = await runReplay(pagesOf(events, 64), {
        ...base,
        protocol: 'stripe-v1',
        url: new URL(`${sink.url}/v1/billing/meter_events`),
        pacing: { mode: 'rate', rate: 2000 },
        batch: 1,
        warmupS: 0.05,
      });
      expect(out.metrics.totals).toMatchObject({ requests: 300, acknowledged: 300 });
      expect(out.metrics.latency.totalCount).toBe(200);
      expect(out.metrics.lag.totalCount).toBe(200);
      expect(out.metrics.service.totalCount).toBe(200);
      expect(out.metrics.series().reduce((n, b) => n + b.events, 0)).toBe(300);
    } finally {
      await sink.close();
    }
  });
});
