/**
 * Protocol encoders: stored events -> request bodies. Stripe payload values are strings (raw JSON
 * strings unquoted, numbers as written); Metronome and raw bodies splice the stored raw JSON
 * values in unchanged, so types survive.
 */
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import type { StoredEvent } from './events.js';

export const PROTOCOLS = ['stripe-v1', 'stripe-v2-stream', 'metronome', 'raw'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export interface EncodeContext {
  customerKey: string;
  /** Appended to every identifier so a replay can be repeated inside the APIs' dedupe windows. */
  idSuffix: string;
  /** Metronome: gzip the body. */
  gzip: boolean;
}

export interface Encoded {
  body: string | Buffer;
  headers: Record<string, string>;
}

export interface ProtocolSpec {
  /** Events per request the API allows. */
  maxBatch: number;
  defaultBatch: number;
  /** API path appended to the target (raw: the target URL is used as given). */
  path: string | undefined;
  /** A 2xx only means "received": the API validates the events after answering and may still drop them. */
  validatedLater: boolean;
  encode(events: StoredEvent[], timestamps: number[], ctx: EncodeContext): Encoded;
}

const sourceTags = new Map<string, string>();
function sourceTag(source: string): string {
  let t = sourceTags.get(source);
  if (!t) sourceTags.set(source, (t = crypto.createHash('sha1').update(source).digest('hex').slice(0, 8)));
  return t;
}

/** The event's identifier, or a stable synthetic one (source, line, position) when it has none. */
export function identifierOf(e: StoredEvent, suffix: string): string {
  const id = e.identifier !== '' ? e.identifier : `ms_${sourceTag(e.source)}_${e.line}_${e.seq}`;
  return suffix ? `${id}${suffix}` : id;
}

/** Raw JSON text -> the plain string Stripe payloads carry. */
export function plainValue(raw: string): string {
  if (raw.startsWith('"')) {
    try {
      return JSON.parse(raw) as string;
    } catch {
      return raw;
    }
  }
  return raw;
}

function stripePayload(e: StoredEvent, ctx: EncodeContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in e.props) out[k] = plainValue(e.props[k]);
  if (!(ctx.customerKey in out) && e.customer !== '') out[ctx.customerKey] = e.customer;
  return out;
}

const formPart = (k: string, v: string) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`;

function rawProps(props: Record<string, string>): string {
  let s = '{';
  let first = true;
  for (const k in props) {
    s += `${first ? '' : ','}${JSON.stringify(k)}:${props[k]}`;
    first = false;
  }
  return `${s}}`;
}

const iso = (ms: number) => new Date(ms).toISOString();

export const SPECS: Record<Protocol, ProtocolSpec> = {
  'stripe-v1': {
    maxBatch: 1,
    defaultBatch: 1,
    path: '/v1/billing/meter_events',
    validatedLater: false,
    encode(events, ts, ctx) {
      const e = events[0];
      const parts = [formPart('event_name', e.name), formPart('identifier', identifierOf(e, ctx.idSuffix)), formPart('timestamp', String(Math.floor(ts[0] / 1000)))];
      const payload = stripePayload(e, ctx);
      for (const k in payload) parts.push(formPart(`payload[${k}]`, payload[k]));
      return { body: parts.join('&'), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    },
  },
  'stripe-v2-stream': {
    maxBatch: 100,
    defaultBatch: 100,
    path: '/v2/billing/meter_event_stream',
    validatedLater: true,
    encode(events, ts, ctx) {
      const body = JSON.stringify({
        events: events.map((e, i) => ({ event_name: e.name, identifier: identifierOf(e, ctx.idSuffix), timestamp: iso(ts[i]), payload: stripePayload(e, ctx) })),
      });
      return { body, headers: { 'content-type': 'application/json' } };
    },
  },
  metronome: {
    maxBatch: 100,
    defaultBatch: 100,
    path: '/v1/ingest',
    validatedLater: true,
    encode(events, ts, ctx): Encoded {
      const items = events.map(
        (e, i) =>
          `{"transaction_id":${JSON.stringify(identifierOf(e, ctx.idSuffix))},"customer_id":${JSON.stringify(e.customer)},` +
          `"event_type":${JSON.stringify(e.name)},"timestamp":"${iso(ts[i])}","properties":${rawProps(e.props)}}`,
      );
      const text = `[${items.join(',')}]`;
      if (!ctx.gzip) return { body: text, headers: { 'content-type': 'application/json' } };
      return { body: zlib.gzipSync(text), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } };
    },
  },
  raw: {
    maxBatch: 10_000,
    defaultBatch: 1,
    path: undefined,
    validatedLater: false,
    encode(events, ts, ctx) {
      const lines = events.map(
        (e, i) =>
          `{"identifier":${JSON.stringify(identifierOf(e, ctx.idSuffix))},"timestamp":"${iso(ts[i])}","event_name":${JSON.stringify(e.name)},` +
          `"customer":${JSON.stringify(e.customer)},"value":${e.value === null ? 'null' : JSON.stringify(e.value)},"properties":${rawProps(e.props)}}`,
      );
      return { body: `${lines.join('\n')}\n`, headers: { 'content-type': 'application/x-ndjson' } };
    },
  },
};
