/** What test/replay-units.test.ts leaves out: the raw encoder, gzip, synthetic identifiers, batch limits. */
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PROTOCOLS, SPECS, identifierOf } from './encode.js';
import type { StoredEvent } from './events.js';

const ev = (more: Partial<StoredEvent> = {}): StoredEvent => ({
  t: 0,
  name: 'tokens',
  customer: 'cus_1',
  identifier: 'id1',
  value: 2.5,
  props: { value: '"2.5"', n: '3', tags: '["a"]' },
  source: '/logs/a.jsonl',
  line: 7,
  seq: 2,
  ...more,
});
const ctx = { customerKey: 'stripe_customer_id', idSuffix: '', gzip: false };

describe('identifierOf', () => {
  it("keeps the event's identifier; without one, a stable one from source, line and position", () => {
    expect(identifierOf(ev(), '')).toBe('id1');
    const synthetic = identifierOf(ev({ identifier: '' }), '');
    expect(synthetic).toMatch(/^ms_[0-9a-f]{8}_7_2$/);
    expect(identifierOf(ev({ identifier: '' }), '')).toBe(synthetic);
    expect(identifierOf(ev({ identifier: '', source: '/logs/b.jsonl' }), '')).not.toBe(synthetic);
    expect(identifierOf(ev({ identifier: '' }), '-r1')).toBe(`${synthetic}-r1`);
  });
});

describe('raw encoder', () => {
  it('one JSON line per event, payload values spliced in with their types', () => {
    const { body, headers } = SPECS.raw.encode([ev(), ev({ identifier: 'id2', value: null })], [1000, 2000], ctx);
    expect(headers['content-type']).toBe('application/x-ndjson');
    const lines = String(body).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(JSON.parse(lines[0])).toEqual({
      identifier: 'id1',
      timestamp: '1970-01-01T00:00:01.000Z',
      event_name: 'tokens',
      customer: 'cus_1',
      value: 2.5,
      properties: { value: '2.5', n: 3, tags: ['a'] },
    });
    expect(JSON.parse(lines[1])).toMatchObject({ identifier: 'id2', value: null });
  });
});

describe('metronome gzip', () => {
  it('gzips the same JSON text and says so', () => {
    const plain = SPECS.metronome.encode([ev()], [0], ctx);
    const gz = SPECS.metronome.encode([ev()], [0], { ...ctx, gzip: true });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(zlib.gunzipSync(gz.body as Buffer).toString()).toBe(plain.body);
  });
});

describe('stripe payloads', () => {
  it("the customer is added under the meter's key when the payload lacks it, never overwritten", () => {
    const body = (e: StoredEvent) => new URLSearchParams(String(SPECS['stripe-v1'].encode([e], [0], ctx).body));
    expect(body(ev()).get('payload[stripe_customer_id]')).toBe('cus_1');
    expect(body(ev({ props: { stripe_customer_id: '"cus_9"' } })).get('payload[stripe_customer_id]')).toBe('cus_9');
    expect(body(ev({ customer: '', props: {} })).has('payload[stripe_customer_id]')).toBe(false);
  });
});

describe('batch limits', () => {
  it('match the APIs: v1 one event, v2 and Metronome 100', () => {
    expect(PROTOCOLS.map((p) => [p, SPECS[p].maxBatch, SPECS[p].path])).toEqual([
      ['stripe-v1', 1, '/v1/billing/meter_events'],
      ['stripe-v2-stream', 100, '/v2/billing/meter_event_stream'],
      ['metronome', 100, '/v1/ingest'],
      ['raw', 10_000, undefined],
    ]);
  });
});
