/**
 * Response bodies shaped like the real APIs' so official SDKs raise their usual error classes:
 * Stripe v1 `{error:{type, code, param, message}}`, Stripe v2 the same envelope with v2 types/codes,
 * Metronome `{message}`.
 */
import crypto from 'node:crypto';

export interface SinkReply {
  status: number;
  /** JSON-encoded when an object; omitted when undefined. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Error code for the stats (never shown to callers beyond the body). */
  code?: string;
}

const requestId = () => `req_${crypto.randomBytes(7).toString('hex')}`;

export function stripeError(
  status: number,
  message: string,
  opts: { type?: string; code?: string; param?: string; shouldRetry?: boolean; retryAfter?: number } = {},
): SinkReply {
  const error: Record<string, string> = { type: opts.type ?? 'invalid_request_error', message };
  if (opts.code) error.code = opts.code;
  if (opts.param) error.param = opts.param;
  const headers: Record<string, string> = { 'request-id': requestId() };
  if (opts.shouldRetry !== undefined) headers['stripe-should-retry'] = String(opts.shouldRetry);
  if (opts.retryAfter !== undefined) headers['retry-after'] = String(opts.retryAfter);
  return { status, body: { error }, headers, code: opts.code ?? error.type };
}

export function metronomeError(status: number, message: string, code: string, retryAfter?: number): SinkReply {
  return { status, body: { message }, headers: retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : undefined, code };
}

/** The injected fault for `--fail-rate`, in the family's own error shape. */
export function injectedFailure(family: 'stripe' | 'metronome', status: number): SinkReply {
  const retryAfter = status === 429 || status === 503 ? 1 : undefined;
  if (family === 'metronome') return metronomeError(status, `injected failure (sink --fail-rate)`, `injected_${status}`, retryAfter);
  return stripeError(status, 'injected failure (sink --fail-rate)', {
    type: status >= 500 ? 'api_error' : 'invalid_request_error',
    code: `injected_${status}`,
    shouldRetry: status >= 500 || status === 429,
    retryAfter,
  });
}

export function rateLimited(family: 'stripe' | 'metronome', retryAfter: number): SinkReply {
  if (family === 'metronome') return metronomeError(429, 'Too many requests', 'rate_limit', retryAfter);
  return stripeError(429, 'Request rate limit exceeded. You can learn more about rate limits here https://stripe.com/docs/rate-limits.', {
    code: 'rate_limit',
    shouldRetry: true,
    retryAfter,
  });
}

/** RFC 3339 with a 4-digit year, as both APIs require; returns ms or undefined. */
export function parseRfc3339(s: unknown): number | undefined {
  if (typeof s !== 'string') return undefined;
  if (!/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(s)) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}
