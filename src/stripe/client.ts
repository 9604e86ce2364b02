/**
 * The one way this tool talks to Stripe: the official `stripe` package, every request paced by a
 * RateLimiter, 429s retried with backoff, and every failure turned into a UserError sentence that
 * never contains the key.
 */
import { createRequire } from 'node:module';
import type Stripe from 'stripe';
import { UserError } from '../errors.js';
import { RateLimiter, delay } from './rate-limit.js';
import { isRateLimit, stripeUserError } from './errors.js';

export interface StripeConnectOptions {
  apiKey: string;
  /** http(s)://host[:port] instead of https://api.stripe.com (a proxy or a local test server). */
  baseUrl?: string;
  /** Request starts per second (default DEFAULT_MAX_RPS). */
  maxRps?: number;
  /** Retries of a rate-limited (429) request before giving up. */
  retries?: number;
  /** First backoff after a 429, doubled each retry. */
  retryBaseMs?: number;
  /** A limiter to use instead of one built from maxRps (tests observe the pacing through it). */
  limiter?: RateLimiter;
}

/**
 * Stripe documents read limits of 100 operations/s in live mode and 25/s in test mode per account
 * (docs.stripe.com/rate-limits), shared with everything else using the account; 10/s leaves room
 * for the user's own traffic.
 */
export const DEFAULT_MAX_RPS = 10;
export const DEFAULT_RETRIES = 3;

/** The key from --api-key or STRIPE_API_KEY, or one sentence saying how to give it. */
export function resolveApiKey(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const key = (flag ?? env.STRIPE_API_KEY ?? '').trim();
  if (!key) throw new UserError('no Stripe API key: set STRIPE_API_KEY (a restricted key with read access to Billing meters is enough) or pass --api-key');
  if (/\s/.test(key)) throw new UserError('the Stripe API key contains whitespace; check STRIPE_API_KEY or --api-key');
  if (/^pk_/.test(key)) throw new UserError('that is a publishable Stripe key, which cannot read meters; use a secret or restricted key (sk_… or rk_…)');
  return key;
}

interface Target {
  host?: string;
  port?: number;
  protocol?: 'http' | 'https';
  label: string;
}

function parseBaseUrl(raw: string | undefined): Target {
  if (!raw) return { label: 'api.stripe.com' };
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UserError(`--stripe-base-url: "${raw}" is not a URL (e.g. http://127.0.0.1:12111)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UserError(`--stripe-base-url must start with http:// or https://, got "${raw}"`);
  if (u.pathname !== '/' && u.pathname !== '') throw new UserError(`--stripe-base-url takes a host and port only (the API paths are added), got "${raw}"`);
  const protocol = u.protocol === 'http:' ? 'http' : 'https';
  return { host: u.hostname, port: u.port ? Number(u.port) : protocol === 'http' ? 80 : 443, protocol, label: u.host };
}

export class StripeReader {
  readonly stripe: Stripe;
  readonly where: string;
  private readonly limiter: RateLimiter;
  private readonly retries: number;
  private readonly retryBaseMs: number;
  private readonly key: string;
  /** Requests sent (pages included), for progress and reports. */
  requests = 0;

  constructor(opts: StripeConnectOptions) {
    const target = parseBaseUrl(opts.baseUrl);
    this.key = opts.apiKey;
    this.where = target.label;
    this.limiter = opts.limiter ?? new RateLimiter(opts.maxRps ?? DEFAULT_MAX_RPS);
    this.retries = opts.retries ?? DEFAULT_RETRIES;
    this.retryBaseMs = opts.retryBaseMs ?? 1000;
    // Loaded on first use: the package takes ~0.1 s to load, and most runs never call Stripe.
    const StripeClient = createRequire(import.meta.url)('stripe') as typeof Stripe;
    this.stripe = new StripeClient(opts.apiKey, {
      host: target.host,
      port: target.port,
      protocol: target.protocol,
      // The package retries connection errors and 5xx itself; 429s are retried below with our own pacing.
      maxNetworkRetries: 2,
      timeout: 30_000,
      telemetry: false,
      appInfo: { name: 'meterscope', version: '0.1.0' },
    });
  }

  /** Runs one API call under the rate limit; `what` names it for error sentences. */
  async call<T>(what: string, fn: (stripe: Stripe) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      await this.limiter.take();
      this.requests++;
      try {
        return await fn(this.stripe);
      } catch (err) {
        if (isRateLimit(err) && attempt < this.retries) {
          await delay(this.retryBaseMs * 2 ** attempt);
          continue;
        }
        throw stripeUserError(err, what, this.key, this.where);
      }
    }
  }
}
