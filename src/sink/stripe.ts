/**
 * Stripe meter-event endpoints: v1 `POST /v1/billing/meter_events` (form body, one event,
 * synchronous validation), v2 `POST /v2/billing/meter_event_session` (API key -> short-lived
 * token) and `POST /v2/billing/meter_event_stream` (token, JSON, <= 100 events, validation
 * asynchronous: the request is answered 200 and invalid events are only counted).
 */
import crypto from 'node:crypto';
import type { SinkOptions } from './options.js';
import type { AcceptedEvent } from './recorder.js';
import { parseRfc3339, stripeError, type SinkReply } from './replies.js';
import type { IdentifierWindow } from './dedupe.js';
import { IDENTITY_LIMITS } from '../fit/limits.js';

const DAY = 86_400_000;
const PAST_WINDOW_MS = 35 * DAY;
const FUTURE_WINDOW_MS = 5 * 60_000;
const MAX_NAME = IDENTITY_LIMITS.stripe.eventNameMaxChars;
const MAX_IDENTIFIER = IDENTITY_LIMITS.stripe.identifierMaxChars;
const MAX_STREAM_EVENTS = 100;

export interface EventSinkTarget {
  accept(events: AcceptedEvent[]): void;
  duplicate(n: number): void;
  invalid(code: string, n?: number): void;
}

/** Outcome of checking one event: the accepted record, or a Stripe error code and message. */
type Check = { ok: AcceptedEvent } | { code: string; message: string; param?: string; duplicate?: boolean };

export function bearer(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^\s*(Bearer|Basic)\s+(\S+)\s*$/i.exec(header);
  if (!m) return undefined;
  if (m[1].toLowerCase() === 'bearer') return m[2];
  // Basic auth carries the key as the user name (curl -u sk_test_...:).
  const decoded = Buffer.from(m[2], 'base64').toString('utf8');
  return decoded.split(':')[0] || undefined;
}

export class StripeEmulator {
  private readonly sessions = new Map<string, number>();

  constructor(
    private readonly opts: SinkOptions,
    private readonly ids: IdentifierWindow,
  ) {}

  /** API-key auth for v1 and session creation; returns an error reply or the mode. */
  authenticate(authorization: string | undefined): SinkReply | { livemode: boolean } {
    const key = bearer(authorization);
    if (!key) {
      return stripeError(
        401,
        "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
        { code: 'api_key_missing' },
      );
    }
    const m = /^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/.exec(key);
    if (!m || (this.opts.stripeKey !== undefined && key !== this.opts.stripeKey)) {
      // The real API echoes a redacted key; the sink echoes none.
      return stripeError(401, 'Invalid API Key provided.', { code: 'api_key_invalid' });
    }
    return { livemode: m[2] === 'live' };
  }

  /** v1: one form-encoded event, validated synchronously. */
  meterEvent(body: Buffer, livemode: boolean, now: number, sink: EventSinkTarget): SinkReply {
    const form = new URLSearchParams(body.toString('utf8'));
    const payload: Record<string, string> = {};
    let nested = '';
    for (const [k, v] of form) {
      const m = /^payload\[([^\]]*)\](.*)$/.exec(k);
      if (!m) continue;
      if (m[2] !== '') nested = k;
      else payload[m[1]] = v;
    }
    if (nested)
      return this.reject(sink, 400, {
        code: 'parameter_invalid_string',
        param: nested,
        message: `Invalid string: ${nested.slice(0, 80)}; payload values must be strings.`,
      });
    const tsText = form.get('timestamp');
    let ts = now;
    if (tsText !== null) {
      if (!/^-?\d+$/.test(tsText))
        return this.reject(sink, 400, { code: 'parameter_invalid_integer', param: 'timestamp', message: `Invalid integer: ${tsText.slice(0, 40)}` });
      ts = Number(tsText) * 1000;
    }
    const check = this.check(
      {
        event_name: form.get('event_name') ?? undefined,
        identifier: form.get('identifier') ?? undefined,
        payload: form.has('payload') || Object.keys(payload).length ? payload : undefined,
      },
      ts,
      now,
      'stripe-v1',
    );
    if (!('ok' in check)) {
      if (check.duplicate) sink.duplicate(1);
      // Stripe marks a duplicate as not worth retrying; a retry would fail the same way.
      return this.reject(sink, 400, check, check.duplicate ? false : undefined);
    }
    this.ids.add(check.ok.identifier, now);
    sink.accept([check.ok]);
    return {
      status: 200,
      body: {
        object: 'billing.meter_event',
        created: Math.floor(now / 1000),
        event_name: check.ok.eventName,
        identifier: check.ok.identifier,
        livemode,
        payload,
        timestamp: Math.floor(ts / 1000),
      },
    };
  }

  createSession(livemode: boolean, now: number): SinkReply {
    const token = `mes_tok_${crypto.randomBytes(18).toString('hex')}`;
    const expires = now + this.opts.sessionTtlSeconds * 1000;
    this.sessions.set(token, expires);
    // Forget tokens that expired long ago so the map stays small.
    if (this.sessions.size > 10_000) for (const [t, e] of this.sessions) if (e < now) this.sessions.delete(t);
    return {
      status: 200,
      body: {
        id: `mes_${crypto.randomBytes(12).toString('hex')}`,
        object: 'v2.billing.meter_event_session',
        authentication_token: token,
        created: new Date(now).toISOString(),
        expires_at: new Date(expires).toISOString(),
        livemode,
      },
    };
  }

  /** Session-token auth for the stream. */
  authenticateStream(authorization: string | undefined, now: number): SinkReply | undefined {
    const token = bearer(authorization);
    const expires = token ? this.sessions.get(token) : undefined;
    if (!token || expires === undefined) {
      return stripeError(401, 'Invalid or missing meter event session token; create one with POST /v2/billing/meter_event_session.', {
        type: 'invalid_request_error',
        code: 'invalid_api_key',
      });
    }
    if (now >= expires) {
      return stripeError(401, 'The temporary session token has expired.', { type: 'temporary_session_expired', code: 'billing_meter_event_session_expired' });
    }
    return undefined;
  }

  /** v2 stream: request-level checks are synchronous; per-event validation is asynchronous (counted, not answered). */
  stream(body: Buffer, now: number, sink: EventSinkTarget): SinkReply {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return stripeError(400, 'The request body is not valid JSON.', { code: 'invalid_fields' });
    }
    const events = (parsed as { events?: unknown } | null)?.events;
    if (!Array.isArray(events)) return stripeError(400, 'events: required field missing or not an array.', { code: 'invalid_fields', param: 'events' });
    if (events.length === 0) return stripeError(400, 'events: must contain at least 1 event.', { code: 'invalid_fields', param: 'events' });
    if (events.length > MAX_STREAM_EVENTS) {
      return stripeError(400, `events: at most ${MAX_STREAM_EVENTS} events per request, got ${events.length}.`, { code: 'invalid_fields', param: 'events' });
    }
    const accepted: AcceptedEvent[] = [];
    const inRequest = new Set<string>();
    for (const raw of events) {
      const e = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
      let ts = now;
      if (e.timestamp !== undefined) {
        const t = parseRfc3339(e.timestamp);
        if (t === undefined) {
          sink.invalid('timestamp_invalid');
          continue;
        }
        ts = t;
      }
      const check = this.check(e, ts, now, 'stripe-v2-stream');
      if (!('ok' in check) || inRequest.has(check.ok.identifier)) {
        if ('ok' in check || check.duplicate) sink.duplicate(1);
        else sink.invalid(check.code);
        continue;
      }
      inRequest.add(check.ok.identifier);
      accepted.push(check.ok);
    }
    for (const a of accepted) this.ids.add(a.identifier, now);
    if (accepted.length) sink.accept(accepted);
    return { status: 200, body: {} };
  }

  private reject(sink: EventSinkTarget, status: number, c: { code: string; message: string; param?: string; duplicate?: boolean }, shouldRetry?: boolean): SinkReply {
    if (!c.duplicate) sink.invalid(c.code);
    // The real API answers a duplicate with a bare invalid_request_error; the stats still name it.
    const reply = stripeError(status, c.message, { code: c.duplicate ? undefined : c.code, param: c.param, shouldRetry });
    reply.code = c.code;
    return reply;
  }

  /** Validation shared by v1 and the v2 stream. */
  private check(e: Record<string, unknown>, ts: number, now: number, api: AcceptedEvent['api']): Check {
    const name = e.event_name;
    if (name === undefined || name === null || name === '') return { code: 'parameter_missing', param: 'event_name', message: 'Missing required param: event_name.' };
    if (typeof name !== 'string') return { code: 'parameter_invalid_string', param: 'event_name', message: 'Invalid string: event_name.' };
    if (name.length > MAX_NAME) return { code: 'string_too_long', param: 'event_name', message: `event_name must be at most ${MAX_NAME} characters.` };
    const payload = e.payload;
    if (payload === undefined || payload === null) return { code: 'parameter_missing', param: 'payload', message: 'Missing required param: payload.' };
    if (typeof payload !== 'object' || Array.isArray(payload)) return { code: 'parameter_invalid_object', param: 'payload', message: 'Invalid object: payload.' };
    const p = payload as Record<string, unknown>;
    for (const [k, v] of Object.entries(p)) {
      if (typeof v !== 'string')
        return { code: 'parameter_invalid_string', param: `payload[${k}]`, message: `Invalid string: payload[${k}]; payload values must be strings.` };
    }
    const customer = p[this.opts.customerKey];
    if (typeof customer !== 'string' || customer === '') {
      return {
        code: 'meter_event_no_customer_defined',
        param: `payload[${this.opts.customerKey}]`,
        message: `The payload must contain ${this.opts.customerKey} (the meter's customer mapping).`,
      };
    }
    const value = p[this.opts.valueKey];
    if (value === undefined)
      return {
        code: 'meter_event_value_not_found',
        param: `payload[${this.opts.valueKey}]`,
        message: `The payload must contain ${this.opts.valueKey} (the meter's value settings).`,
      };
    if (typeof value !== 'string' || !/^-?\d+(\.\d+)?$/.test(value.trim())) {
      return {
        code: 'meter_event_invalid_value',
        param: `payload[${this.opts.valueKey}]`,
        message: `payload[${this.opts.valueKey}] must be a number, got "${String(value).slice(0, 40)}".`,
      };
    }
    if (this.opts.checkTimestamps) {
      if (now - ts > PAST_WINDOW_MS) return { code: 'timestamp_too_far_in_past', param: 'timestamp', message: 'The timestamp must be within the past 35 calendar days.' };
      if (ts - now > FUTURE_WINDOW_MS) return { code: 'timestamp_in_future', param: 'timestamp', message: 'The timestamp must be at most 5 minutes in the future.' };
    }
    let id = e.identifier;
    if (id === undefined || id === null || id === '') id = `sink_${crypto.randomBytes(12).toString('hex')}`;
    if (typeof id !== 'string') return { code: 'parameter_invalid_string', param: 'identifier', message: 'Invalid string: identifier.' };
    if (id.length > MAX_IDENTIFIER) return { code: 'string_too_long', param: 'identifier', message: `identifier must be at most ${MAX_IDENTIFIER} characters.` };
    if (this.ids.has(id, now)) {
      return { code: 'duplicate_identifier', param: 'identifier', message: `An event already exists with identifier ${id.slice(0, 100)}.`, duplicate: true };
    }
    return { ok: { api, identifier: id, customer, eventName: name, timestamp: ts, properties: { ...p }, receivedAt: now } };
  }
}
