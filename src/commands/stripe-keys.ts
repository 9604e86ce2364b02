/** The Stripe read-access flags `stripe …` and `bill --stripe` share: key, base URL, request limits. */
import type { Command } from 'commander';
import { DEFAULT_MAX_RPS, DEFAULT_RETRIES, StripeReader, resolveApiKey } from '../stripe/client.js';
import { numberOr } from './flags.js';

export interface StripeKeyFlags {
  apiKey?: string;
  stripeBaseUrl?: string;
  maxRps?: string;
  retries?: string;
}

export function addStripeKeyOptions(cmd: Command): Command {
  return cmd
    .option('--api-key <key>', 'Stripe secret or restricted key with read access to Billing meters (prefer env STRIPE_API_KEY)')
    .option('--stripe-base-url <url>', 'send Stripe API calls here instead of https://api.stripe.com, e.g. a proxy or `meterscope sink` (env STRIPE_API_BASE)')
    .option('--max-rps <n>', 'at most this many Stripe requests per second', String(DEFAULT_MAX_RPS))
    .option('--retries <n>', 'retries of a rate-limited (429) request, with doubling backoff from 1 s', String(DEFAULT_RETRIES));
}

export interface ReaderLimits {
  maxRps: number;
  retries: number;
}

/** The request limits, checked before the key is looked for or anything is read. */
export function stripeLimits(flags: StripeKeyFlags): ReaderLimits {
  return {
    maxRps: numberOr('--max-rps', flags.maxRps, DEFAULT_MAX_RPS, { above: 0, max: 100, what: "above 0 and at most 100 (Stripe's live-mode read limit)" }),
    retries: numberOr('--retries', flags.retries, DEFAULT_RETRIES, { min: 0, integer: true }),
  };
}

export function stripeReader(flags: StripeKeyFlags, limits: ReaderLimits = stripeLimits(flags)): StripeReader {
  return new StripeReader({ apiKey: resolveApiKey(flags.apiKey), baseUrl: flags.stripeBaseUrl ?? (process.env.STRIPE_API_BASE || undefined), ...limits });
}
