/**
 * Stripe failures as one sentence each. The key is never part of a message: Stripe's own text for
 * authentication errors quotes part of the key, so those messages are replaced, and every other
 * message is scrubbed of anything shaped like a Stripe secret before it is shown.
 */
import { UserError, firstLine } from '../errors.js';

/** Secret and restricted keys, live or test, and publishable keys (never needed, but never shown). */
const KEY_SHAPE = /\b(sk|rk|pk)_(live|test)_[A-Za-z0-9*]+/g;

/** Removes `secret` and anything key-shaped from `text`. */
function redactSecret(text: string, secret?: string): string {
  let out = text;
  if (secret && secret.length >= 4) out = out.split(secret).join('***');
  return out.replace(KEY_SHAPE, '$1_$2_***');
}

/** A failed Stripe call: the sentence, plus the HTTP status so callers can tell per-item errors from fatal ones. */
export class StripeCallError extends UserError {
  constructor(
    message: string,
    readonly statusCode: number | null,
    readonly code: string | null,
    /** Stripe's own message for a refused request (scrubbed of secrets), e.g. "No such customer: 'cus_1'". */
    readonly detail: string | null = null,
  ) {
    super(message);
    this.name = 'StripeCallError';
  }

  /** 400/404: Stripe refused this one request (e.g. an unknown customer); other requests may still work. */
  get perRequest(): boolean {
    return this.statusCode === 400 || this.statusCode === 404;
  }
}

interface StripeLikeError {
  type?: string;
  rawType?: string;
  statusCode?: number;
  code?: string;
  message?: string;
  param?: string;
  requestId?: string;
  detail?: { code?: string; message?: string };
}

/** True for errors thrown by the stripe package (they carry a `type` like StripeAuthenticationError). */
function isStripeError(err: unknown): err is StripeLikeError {
  const t = (err as StripeLikeError | null)?.type;
  return typeof t === 'string' && t.startsWith('Stripe');
}

export function isRateLimit(err: unknown): boolean {
  if (!isStripeError(err)) return false;
  return err.type === 'StripeRateLimitError' || err.statusCode === 429 || err.code === 'rate_limit';
}

/**
 * The sentence for a failed Stripe call. `what` names the call ("listing Billing Meters"),
 * `where` the API base when it is not Stripe's own (so a wrong --stripe-base-url is obvious).
 */
export function stripeUserError(err: unknown, what: string, secret?: string, where = 'api.stripe.com'): StripeCallError {
  const e = (err ?? {}) as StripeLikeError;
  const said = (s: string | undefined) => redactSecret(firstLine(s ?? '').replace(/[.\s]+$/, ''), secret);
  const req = e.requestId ? ` (request ${redactSecret(e.requestId, secret)})` : '';
  let sentence: string;
  if (!isStripeError(err)) {
    sentence = `${what} failed: ${said((err as Error)?.message ?? String(err))}`;
  } else if (e.type === 'StripeAuthenticationError' || e.statusCode === 401) {
    sentence = `Stripe rejected the API key while ${what} (authentication failed); check STRIPE_API_KEY or --api-key`;
  } else if (e.type === 'StripePermissionError' || e.statusCode === 403) {
    sentence = `the Stripe API key may not read this while ${what} (permission denied); a restricted key needs read access to Billing meters`;
  } else if (isRateLimit(err)) {
    sentence = `Stripe kept answering "too many requests" (rate limited) while ${what}; lower --max-rps or try again later`;
  } else if (e.type === 'StripeConnectionError') {
    sentence = `cannot reach Stripe at ${where} while ${what}${e.detail?.code ? ` (${e.detail.code})` : ''}; check the network or --stripe-base-url`;
  } else if (e.type === 'StripeInvalidRequestError' || e.statusCode === 400 || e.statusCode === 404) {
    sentence = `Stripe refused the request while ${what} (HTTP ${e.statusCode ?? 400}${e.code ? `, ${e.code}` : ''}): ${said(e.message)}`;
  } else if ((e.statusCode ?? 0) >= 500 || e.type === 'StripeAPIError') {
    sentence = `Stripe had an internal error while ${what} (HTTP ${e.statusCode ?? 500}); try again later`;
  } else {
    sentence = `Stripe returned an error while ${what}${e.statusCode ? ` (HTTP ${e.statusCode})` : ''}: ${said(e.message)}`;
  }
  const status = isStripeError(err) && typeof e.statusCode === 'number' ? e.statusCode : null;
  const detail = isStripeError(err) && status !== 401 && status !== 403 && e.message ? said(e.message) : null;
  return new StripeCallError(`${sentence}${req}`, isRateLimit(err) ? 429 : status, isStripeError(err) ? (e.code ?? null) : null, detail);
}
