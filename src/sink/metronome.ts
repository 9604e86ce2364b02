/**
 * Metronome `POST /v1/ingest`: a JSON array of 1–100 usage events (gzip bodies accepted by the
 * server layer). A malformed event fails the whole request with 400; a transaction_id already
 * accepted within 34 days is ignored, and the request still succeeds (Metronome's idempotency).
 */
import type { SinkOptions } from './options.js';
import type { AcceptedEvent } from './recorder.js';
import { metronomeError, parseRfc3339, type SinkReply } from './replies.js';
import type { IdentifierWindow } from './dedupe.js';
import { bearer, type EventSinkTarget } from './stripe.js';
import { IDENTITY_LIMITS } from '../fit/limits.js';

const DAY = 86_400_000;
const PAST_WINDOW_MS = 34 * DAY;
const FUTURE_WINDOW_MS = DAY;
const MAX_EVENTS = 100;
const MAX_TRANSACTION_ID = IDENTITY_LIMITS.metronome.transactionIdMaxChars;

export class MetronomeEmulator {
  constructor(
    private readonly opts: SinkOptions,
    private readonly ids: IdentifierWindow,
  ) {}

  authenticate(authorization: string | undefined): SinkReply | undefined {
    const token = bearer(authorization);
    if (!token || (this.opts.metronomeToken !== undefined && token !== this.opts.metronomeToken)) {
      return metronomeError(401, 'Unauthorized: a valid bearer token is required', token ? 'token_invalid' : 'token_missing');
    }
    return undefined;
  }

  /** Parses the body; returns the events (for rate limiting by event count) or an error reply. */
  parse(body: Buffer): unknown[] | SinkReply {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return metronomeError(400, 'Request body must be valid JSON', 'invalid_json');
    }
    if (!Array.isArray(parsed)) return metronomeError(400, 'Request body must be a JSON array of usage events', 'not_an_array');
    if (parsed.length === 0 || parsed.length > MAX_EVENTS) {
      return metronomeError(400, `Request body must contain between 1 and ${MAX_EVENTS} usage events, got ${parsed.length}`, 'batch_size');
    }
    return parsed;
  }

  ingest(events: unknown[], now: number, sink: EventSinkTarget): SinkReply {
    const accepted: AcceptedEvent[] = [];
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      const where = `usage event ${i}`;
      if (!e || typeof e !== 'object' || Array.isArray(e)) return this.invalid(sink, `${where}: must be a JSON object`, 'not_an_object');
      const o = e as Record<string, unknown>;
      for (const f of ['transaction_id', 'customer_id', 'event_type'] as const) {
        if (typeof o[f] !== 'string' || o[f] === '') return this.invalid(sink, `${where}: ${f} is required and must be a non-empty string`, `missing_${f}`);
      }
      if ((o.transaction_id as string).length > MAX_TRANSACTION_ID) {
        return this.invalid(sink, `${where}: transaction_id must be at most ${MAX_TRANSACTION_ID} characters`, 'transaction_id_too_long');
      }
      const ts = parseRfc3339(o.timestamp);
      if (ts === undefined) return this.invalid(sink, `${where}: timestamp must be an RFC 3339 string with a 4-digit year`, 'timestamp_invalid');
      if (this.opts.checkTimestamps) {
        if (ts - now > FUTURE_WINDOW_MS) return this.invalid(sink, `${where}: timestamp is more than 24 hours in the future`, 'timestamp_in_future');
        if (now - ts > PAST_WINDOW_MS) return this.invalid(sink, `${where}: timestamp is more than 34 days in the past`, 'timestamp_too_old');
      }
      const props = o.properties;
      if (props !== undefined && props !== null && (typeof props !== 'object' || Array.isArray(props))) {
        return this.invalid(sink, `${where}: properties must be a JSON object`, 'properties_invalid');
      }
      accepted.push({
        api: 'metronome',
        identifier: o.transaction_id as string,
        customer: o.customer_id as string,
        eventName: o.event_type as string,
        timestamp: ts,
        properties: (props ?? {}) as Record<string, unknown>,
        receivedAt: now,
      });
    }
    // Whole request valid: record new transaction ids, ignore the ones already seen.
    const fresh: AcceptedEvent[] = [];
    let dup = 0;
    for (const a of accepted) {
      if (this.ids.has(a.identifier, now)) dup++;
      else {
        this.ids.add(a.identifier, now);
        fresh.push(a);
      }
    }
    if (dup) sink.duplicate(dup);
    if (fresh.length) sink.accept(fresh);
    return { status: 200 };
  }

  private invalid(sink: EventSinkTarget, message: string, code: string): SinkReply {
    sink.invalid(code);
    return metronomeError(400, message, code);
  }
}
