/**
 * Credentials for a replay, from flags and environment: STRIPE_API_KEY (Stripe protocols),
 * METRONOME_API_TOKEN (Metronome), --api-key, --header. A Stripe live-mode key is refused unless
 * --allow-live: replaying production logs into live billing would charge real customers.
 * Nothing here is ever printed or stored (stored options are redacted by Runs).
 */
import { UserError } from '../errors.js';
import type { Protocol } from './encode.js';

export interface AuthInputs {
  protocol: Protocol;
  apiKey?: string;
  headers?: string[];
  allowLive?: boolean;
  /** The target URLs as given: a live key inside one (a query parameter, user info) is refused too. */
  urls?: (string | undefined)[];
  env?: NodeJS.ProcessEnv;
}

export interface ResolvedAuth {
  /** Sent with every event request. */
  headers: Record<string, string>;
  /** Stripe v2: sent when creating the meter event session. */
  sessionHeaders?: Record<string, string>;
}

const LIVE_KEY = /\b(sk|rk)_live_/;

function parseHeaders(specs: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const spec of specs ?? []) {
    const i = spec.indexOf(':');
    const name = i > 0 ? spec.slice(0, i).trim() : '';
    if (!name || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      throw new UserError(`--header must look like "Name: value" (the header name was not valid)`);
    }
    out[name.toLowerCase()] = spec.slice(i + 1).trim();
  }
  return out;
}

export function resolveAuth(i: AuthInputs): ResolvedAuth {
  const env = i.env ?? process.env;
  const user = parseHeaders(i.headers);
  const stripe = i.protocol === 'stripe-v1' || i.protocol === 'stripe-v2-stream';
  const key = i.apiKey ?? (stripe ? env.STRIPE_API_KEY : i.protocol === 'metronome' ? env.METRONOME_API_TOKEN : undefined);
  const used = [key, ...Object.values(user), ...(i.urls ?? []).map((u) => (u ? safeDecode(u) : u))].filter((v): v is string => typeof v === 'string' && v !== '');
  if (!i.allowLive && used.some((v) => LIVE_KEY.test(v))) {
    throw new UserError(
      'refusing to replay with a Stripe live-mode key (sk_live_… / rk_live_…): replayed usage would be billed to real customers; use a test-mode key, or add --allow-live if that is really what you want',
    );
  }
  const auth = key ? `Bearer ${key}` : undefined;
  if (i.protocol === 'stripe-v2-stream') {
    const sessionAuth = user.authorization ?? auth;
    if (!sessionAuth) throw new UserError('stripe-v2-stream needs an API key to create meter event sessions: set STRIPE_API_KEY (or --api-key)');
    const streamHeaders = { ...user };
    delete streamHeaders.authorization; // the stream authenticates with the session token
    return { headers: streamHeaders, sessionHeaders: { ...user, authorization: sessionAuth } };
  }
  if (stripe && !auth && !user.authorization) throw new UserError('stripe-v1 needs an API key: set STRIPE_API_KEY (or --api-key)');
  if (i.protocol === 'metronome' && !auth && !user.authorization) throw new UserError('metronome needs an API token: set METRONOME_API_TOKEN (or --api-key)');
  return { headers: auth && !user.authorization ? { ...user, authorization: auth } : user };
}

/** URL-decoded text (a key may be percent-encoded in a URL); the text itself when it does not decode. */
function safeDecode(u: string): string {
  try {
    return `${u} ${decodeURIComponent(u)}`;
  } catch {
    return u;
  }
}
