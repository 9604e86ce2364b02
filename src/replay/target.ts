/** Resolves where a protocol's requests go, and a form of the target that is safe to print and store. */
import { UserError } from '../errors.js';
import { SPECS, type Protocol } from './encode.js';

export interface ResolvedTarget {
  url: URL;
  sessionUrl?: URL;
}

function parseUrl(flag: string, s: string): URL {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new UserError(`${flag} is not a valid URL: give one like http://127.0.0.1:12111`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UserError(`${flag} must be an http:// or https:// URL`);
  return u;
}

/** Appends the API path to the base unless the user already gave the full endpoint. */
function withPath(base: URL, path: string): URL {
  const u = new URL(base.toString());
  const prefix = u.pathname.replace(/\/+$/, '');
  if (!prefix.endsWith(path)) u.pathname = `${prefix}${path}`;
  return u;
}

export function resolveTarget(protocol: Protocol, target: string, sessionTarget?: string): ResolvedTarget {
  const base = parseUrl('--target', target);
  const spec = SPECS[protocol];
  const url = spec.path ? withPath(base, spec.path) : base;
  if (protocol !== 'stripe-v2-stream') return { url };
  let sessionBase: URL;
  if (sessionTarget) sessionBase = parseUrl('--session-target', sessionTarget);
  else if (base.hostname === 'meter-events.stripe.com') sessionBase = new URL('https://api.stripe.com');
  else {
    // Same server for both (the sink, a proxy): drop a stream path the user may have given.
    sessionBase = new URL(base.toString());
    sessionBase.pathname = sessionBase.pathname.replace(/\/v2\/billing\/meter_event_stream\/?$/, '');
  }
  return { url, sessionUrl: withPath(sessionBase, '/v2/billing/meter_event_session') };
}

/** Credentials and query values removed. */
export function redactTarget(u: URL): string {
  const c = new URL(u.toString());
  c.username = '';
  c.password = '';
  for (const k of [...c.searchParams.keys()]) c.searchParams.set(k, '***');
  return c.toString();
}
