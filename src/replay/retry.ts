/**
 * What to do with an answer: acknowledge, retry (429, 5xx, network errors, an expired stream
 * session), or reject (other 4xx, with the API's reason). Retry waits honour Retry-After within a
 * bound, otherwise back off exponentially with jitter. Stripe's `Stripe-Should-Retry` wins when sent.
 */
import type { Protocol } from './encode.js';

export interface Answer {
  /** 0 = no HTTP answer (connection error or timeout). */
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Response text for non-2xx answers (capped), or the network error code. */
  text: string;
}

export type Verdict = { kind: 'ack' } | { kind: 'retry'; reason: string; retryAfterMs?: number; sessionExpired?: boolean } | { kind: 'reject'; reason: string };

export interface RetryPolicy {
  retries: number;
  /** Upper bound on any one wait, Retry-After included. */
  maxWaitMs: number;
  baseMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 8, maxWaitMs: 30_000, baseMs: 100 };

const header = (h: Answer['headers'], name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

/** Retry-After as seconds or an HTTP date -> ms (undefined when absent or unreadable). */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value) * 1000;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/** A short, single-line reason from an error body: Stripe's error.code/message, Metronome's message. */
export function reasonOf(a: Answer): string {
  if (a.status === 0) return `network: ${a.text || 'error'}`;
  let detail = '';
  try {
    const j = JSON.parse(a.text) as { error?: { code?: string; type?: string; message?: string }; message?: string };
    if (j.error) detail = [j.error.code ?? j.error.type, j.error.message].filter(Boolean).join(': ');
    else if (typeof j.message === 'string') detail = j.message;
  } catch {
    detail = a.text.replace(/\s+/g, ' ').trim();
  }
  detail = detail.length > 160 ? `${detail.slice(0, 160)}…` : detail;
  return detail ? `${a.status} ${detail}` : `${a.status}`;
}

/** True when Stripe says the identifier was already accepted (only meaningful after an unclear attempt). */
export function isDuplicateIdentifier(a: Answer): boolean {
  return a.status === 400 && /already exists with identifier/i.test(a.text);
}

export function judge(a: Answer, protocol: Protocol): Verdict {
  if (a.status >= 200 && a.status < 300) return { kind: 'ack' };
  const shouldRetry = header(a.headers, 'stripe-should-retry');
  const after = retryAfterMs(header(a.headers, 'retry-after'));
  if (protocol === 'stripe-v2-stream' && a.status === 401 && /billing_meter_event_session_expired|temporary_session_expired/.test(a.text)) {
    return { kind: 'retry', reason: reasonOf(a), sessionExpired: true, retryAfterMs: 0 };
  }
  if (shouldRetry === 'false') return { kind: 'reject', reason: reasonOf(a) };
  if (a.status === 0 || a.status === 429 || a.status >= 500 || shouldRetry === 'true' || a.status === 408) {
    return { kind: 'retry', reason: reasonOf(a), retryAfterMs: after };
  }
  return { kind: 'reject', reason: reasonOf(a) };
}

/** Wait before retry number `n` (1-based). */
export function retryDelayMs(n: number, retryAfter: number | undefined, p: RetryPolicy, random = Math.random): number {
  if (retryAfter !== undefined) {
    // At least what the server asked; a little spread so a crowd of retries does not return in one tick.
    return Math.min(p.maxWaitMs, retryAfter + random() * Math.min(1000, retryAfter * 0.2 + 50));
  }
  const exp = Math.min(p.maxWaitMs, p.baseMs * 2 ** (n - 1));
  return exp / 2 + random() * (exp / 2);
}
