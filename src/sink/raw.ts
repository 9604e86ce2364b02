/**
 * POST /raw: a local target for `replay --protocol raw`. It accepts any body and always answers 200
 * with what it counted: JSON lines (what replay sends) or one JSON array. Every JSON object is an
 * event, recorded like the other routes' events, its fields read under the usual names (identifier /
 * transaction_id / id, customer / customer_id / payload.stripe_customer_id, event_name / event_type,
 * timestamp as RFC 3339 or unix seconds/ms, properties / payload); any other line counts as invalid.
 * No auth, no rate limit, no dedupe: what raw events mean is up to a target.
 */
import type { AcceptedEvent } from './recorder.js';
import type { EventSinkTarget } from './stripe.js';
import { parseRfc3339, type SinkReply } from './replies.js';

export function rawIngest(body: Buffer, now: number, sink: EventSinkTarget): SinkReply {
  const text = body.toString('utf8');
  const items =
    jsonArray(text) ??
    text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map(parseLine);
  const events: AcceptedEvent[] = [];
  let invalid = 0;
  for (const item of items) {
    if (item && typeof item === 'object' && !Array.isArray(item)) events.push(toEvent(item as Record<string, unknown>, now));
    else invalid++;
  }
  if (events.length) sink.accept(events);
  if (invalid) sink.invalid('not_a_json_object', invalid);
  return { status: 200, body: { received: items.length, accepted: events.length, invalid } };
}

function jsonArray(text: string): unknown[] | undefined {
  if (!text.trimStart().startsWith('[')) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

const str = (...vs: unknown[]): string => {
  const v = vs.find((x) => typeof x === 'string' || typeof x === 'number');
  return v === undefined ? '' : String(v);
};

function toEvent(o: Record<string, unknown>, now: number): AcceptedEvent {
  const props = (o.properties ?? o.payload ?? {}) as Record<string, unknown>;
  const properties = props && typeof props === 'object' && !Array.isArray(props) ? props : {};
  return {
    api: 'raw',
    identifier: str(o.identifier, o.transaction_id, o.id),
    customer: str(o.customer, o.customer_id, properties.stripe_customer_id),
    eventName: str(o.event_name, o.event_type, o.type),
    timestamp: timeOf(o.timestamp) ?? now,
    properties,
    receivedAt: now,
  };
}

/** RFC 3339 text, or unix seconds / milliseconds. */
function timeOf(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v < 1e11 ? v * 1000 : v;
  return parseRfc3339(v);
}
