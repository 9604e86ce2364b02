/**
 * One event's text in each output format, plus its malformed variants, as SQL over the pieces
 * from fields.ts. The shapes are the ones src/ingest/detect.ts recognises and
 * src/ingest/sql/parsers.ts reads (docs/generate.md shows a line of each).
 */
import type { FormatName } from '../ingest/formats.js';
import { codecFor, type Codec, type Writer } from './codec.js';
import type { EventSql } from './fields.js';

/** good, or one of the malformed variants that keep the line's syntax (missing name, unparseable time). */
export type Variant = 'good' | 'noName' | 'badTs';

export interface EventTimes {
  /** Unix seconds of the event time (SQL). */
  unix: string;
  /** RFC 3339 UTC with milliseconds (SQL). */
  iso: string;
  /** Unix seconds when the event arrived: Stripe's `created` (SQL). */
  createdUnix: string;
  /** An unparseable timestamp: SQL text of letters only. */
  bad: string;
}

export interface Encoder {
  codec: Codec;
  /** Written around the events of a batch line (JSON arrays, v2 stream bodies). */
  open: string;
  close: string;
  /** CSV: the header line, without newline. */
  header?(e: EventSql): string;
  /** SQL text of one event. */
  event(w: Writer, e: EventSql, t: EventTimes, v: Variant): string;
  /** SQL: a cut-off line for event `e` (`u` a uniform draw in [0,1)); default: a prefix of the JSON line. */
  truncate?(w: Writer, e: EventSql, t: EventTimes, u: string): string;
}

interface Member {
  key: string;
  value: string;
  present?: string;
}

/** '{' + `"key":value` members joined by commas, optional ones guarded by their condition. */
function jsonObject(w: Writer, members: Member[]): string {
  // The first member is always present, so every later one carries its leading comma.
  const parts: string[] = [];
  members.forEach((m, idx) => {
    const text = `concat(${w.raw(`${idx === 0 ? '{' : ','}${w.codec.lit(m.key)}:`)}, ${m.value})`;
    parts.push(m.present ? `if(${m.present}, ${text}, '')` : text);
  });
  return `concat(${parts.join(', ')}, '}')`;
}

function payload(e: EventSql, withCustomer: boolean): Member[] {
  return [...(withCustomer ? [{ key: e.customerKey, value: e.customer }] : []), { key: e.valueKey, value: e.value }, ...e.props];
}

function jsonTs(w: Writer, t: EventTimes, v: Variant, iso: boolean): string {
  if (v === 'badTs') return w.safeString(t.bad);
  return iso ? w.safeString(t.iso) : t.unix;
}

const unless = (skip: boolean, m: Member): Member[] => (skip ? [] : [m]);

/** Stripe meter event API objects (the S3 connector / list shape). */
const stripeJson: Encoder = {
  codec: codecFor('json', true),
  open: '[',
  close: ']',
  event(w, e, t, v) {
    return jsonObject(w, [
      { key: 'object', value: w.lit('billing.meter_event') },
      { key: 'created', value: t.createdUnix },
      ...unless(v === 'noName', { key: 'event_name', value: e.name }),
      { key: 'identifier', value: e.id },
      { key: 'livemode', value: `'false'` },
      { key: 'payload', value: jsonObject(w, payload(e, true)) },
      { key: 'timestamp', value: jsonTs(w, t, v, false) },
    ]);
  },
};

/** Stripe v2 Meter Event Stream request bodies. */
const stripeV2: Encoder = {
  codec: codecFor('json', true),
  open: '{"events":[',
  close: ']}',
  event(w, e, t, v) {
    return jsonObject(w, [
      { key: 'identifier', value: e.id },
      ...unless(v === 'noName', { key: 'event_name', value: e.name }),
      { key: 'timestamp', value: jsonTs(w, t, v, true) },
      { key: 'payload', value: jsonObject(w, payload(e, true)) },
    ]);
  },
};

const metronome: Encoder = {
  codec: codecFor('json', false),
  open: '[',
  close: ']',
  event(w, e, t, v) {
    return jsonObject(w, [
      { key: 'transaction_id', value: e.id },
      { key: 'customer_id', value: e.customer },
      ...unless(v === 'noName', { key: 'event_type', value: e.name }),
      { key: 'timestamp', value: jsonTs(w, t, v, true) },
      { key: 'properties', value: jsonObject(w, payload(e, false)) },
    ]);
  },
};

const cloudevents: Encoder = {
  codec: codecFor('json', false),
  open: '[',
  close: ']',
  event(w, e, t, v) {
    return jsonObject(w, [
      { key: 'specversion', value: w.lit('1.0') },
      { key: 'id', value: e.id },
      { key: 'source', value: w.lit('meterscope-generate') },
      ...unless(v === 'noName', { key: 'type', value: e.name }),
      { key: 'subject', value: e.customer },
      { key: 'time', value: jsonTs(w, t, v, true) },
      { key: 'data', value: jsonObject(w, payload(e, false)) },
    ]);
  },
};

/** Generic JSON: the customer sits in the properties under the customer key, found like a meter finds it. */
const genericJson: Encoder = {
  codec: codecFor('json', false),
  open: '[',
  close: ']',
  event(w, e, t, v) {
    return jsonObject(w, [
      { key: 'id', value: e.id },
      { key: 'timestamp', value: jsonTs(w, t, v, true) },
      ...unless(v === 'noName', { key: 'event', value: e.name }),
      { key: 'properties', value: jsonObject(w, payload(e, true)) },
    ]);
  },
};

/** Stripe v1 request body as stripe-node sends it: brackets left readable, values form-encoded. */
const stripeForm: Encoder = {
  codec: codecFor('form', true),
  open: '',
  close: '',
  event(w, e, t, v) {
    const pair = (key: string, value: string, present?: string) => {
      const text = `concat(${w.raw(`&${key}=`)}, ${value})`;
      return present ? `if(${present}, ${text}, '')` : text;
    };
    const field = (key: string) => w.codec.lit(key);
    const inPayload = (key: string) => `payload[${w.codec.lit(key)}]`;
    const parts = [
      ...(v === 'noName' ? [] : [pair(field('event_name'), e.name)]),
      pair(inPayload(e.customerKey), e.customer),
      pair(inPayload(e.valueKey), e.value),
      ...e.props.map((p) => pair(inPayload(p.key), p.value, p.present)),
      pair(field('identifier'), e.id),
      pair(field('timestamp'), v === 'badTs' ? t.bad : t.unix),
    ];
    return `substring(concat(${parts.join(', ')}), 2)`; // drop the first pair's '&'
  },
  truncate(w, e, t, u) {
    // Cut before "&timestamp=", so the body surely lost its timestamp (what a cut-off log line does).
    const line = this.event(w, e, t, 'good');
    const keep = `(positionUTF8(${line}, '&timestamp=') - 1)`;
    return `substringUTF8(${line}, 1, intDiv(${keep}, 2) + toUInt64(floor(${u} * (${keep} - intDiv(${keep}, 2)))))`;
  },
};

function csvFields(e: EventSql, t: EventTimes, v: Variant): string {
  return `[${[
    e.id,
    v === 'badTs' ? t.bad : t.iso,
    v === 'noName' ? `''` : e.name,
    e.customer,
    e.value,
    ...e.props.map((p) => (p.present ? `if(${p.present}, ${p.value}, '')` : p.value)),
  ].join(', ')}]`;
}

/** CSV: identifier, timestamp, event_name, the customer key, the value key, one column per property. */
const csv: Encoder = {
  codec: codecFor('csv', false),
  open: '',
  close: '',
  header(e) {
    return ['identifier', 'timestamp', 'event_name', e.customerKey, e.valueKey, ...e.props.map((p) => p.key)].map((h) => this.codec.lit(h)).join(',');
  },
  event(_w, e, t, v) {
    return `arrayStringConcat(${csvFields(e, t, v)}, ',')`;
  },
  truncate(_w, e, t, u) {
    // Keep 2..n-1 whole columns: fewer columns than the header, as a cut-off CSV line has.
    const n = 5 + e.props.length;
    return `arrayStringConcat(arraySlice(${csvFields(e, t, 'good')}, 1, 2 + toUInt64(floor(${u} * ${n - 2}))), ',')`;
  },
};

export const ENCODERS: Record<FormatName, Encoder> = {
  'stripe-json': stripeJson,
  'stripe-v1-form': stripeForm,
  'stripe-v2-stream': stripeV2,
  metronome,
  cloudevents,
  csv,
  json: genericJson,
};
