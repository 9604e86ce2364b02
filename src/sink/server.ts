/**
 * The sink: a local HTTP server emulating the Stripe and Metronome ingestion endpoints closely
 * enough for their official SDKs, with per-path rate limits, fault injection and a recorder.
 * Order per API request: read body -> latency -> injected fault -> auth -> rate limit ->
 * validation -> record -> reply. Injected faults happen before any processing, so a failed
 * request never records anything.
 */
import http from 'node:http';
import zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultSinkOptions, seededRandom, type LimitKey, type SinkOptions } from './options.js';
import { TokenBucket } from './rate-limit.js';
import { IdentifierWindow } from './dedupe.js';
import { EventRecorder, type AcceptedEvent } from './recorder.js';
import { SinkStats, type RouteName, type SinkStatsSnapshot } from './stats.js';
import { StripeEmulator, type EventSinkTarget } from './stripe.js';
import { MetronomeEmulator } from './metronome.js';
import { rawIngest } from './raw.js';
import { StripeReadApi } from './stripe-read.js';
import { injectedFailure, metronomeError, rateLimited, stripeError, type SinkReply } from './replies.js';

const MAX_BODY = 10 * 1024 * 1024;

export interface Sink {
  url: string;
  port: number;
  stats(): SinkStatsSnapshot;
  /** Every accepted event so far (in memory only when `keepEvents` was set; for tests). */
  events: AcceptedEvent[];
  close(): Promise<void>;
}

const ROUTES: Record<string, RouteName> = {
  'POST /v1/billing/meter_events': 'stripe-v1',
  'POST /v2/billing/meter_event_session': 'stripe-v2-session',
  'POST /v2/billing/meter_event_stream': 'stripe-v2-stream',
  'POST /v1/ingest': 'metronome',
  'POST /raw': 'raw',
};

export async function startSink(over: Partial<SinkOptions> & { keepEvents?: boolean } = {}): Promise<Sink> {
  const opts = defaultSinkOptions(over);
  const stats = new SinkStats();
  const recorder = opts.record ? new EventRecorder(opts.record) : undefined;
  const kept: AcceptedEvent[] = [];
  const routes = new SinkRoutes(opts, stats, recorder, over.keepEvents ? kept : undefined);
  const handle = (route: RouteName, req: http.IncomingMessage, body: Buffer) => routes.handle(route, req, body);

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && (path === '/_sink/stats' || path === '/_sink/health')) {
      req.resume();
      const body = path === '/_sink/stats' ? stats.snapshot() : { ok: true };
      send(res, { status: 200, body });
      return;
    }
    const route = ROUTES[`${req.method} ${path}`] ?? (req.method === 'GET' && path.startsWith('/v1/billing/meters') ? 'stripe-read' : 'other');
    readBody(req)
      .then((body) => (route === 'other' ? notFound(req) : handle(route, req, body)))
      .catch(
        (e: Error & { reply?: SinkReply }) =>
          e.reply ?? (route === 'metronome' ? metronomeError(500, 'internal sink error', 'internal') : stripeError(500, 'internal sink error', { type: 'api_error' })),
      )
      .then((reply) => {
        stats.status(route, reply.status);
        if (reply.status >= 400 && reply.code) stats.error(route, `${reply.status}:${reply.code}`);
        send(res, reply);
      });
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 70_000;
  server.maxRequestsPerSocket = 0;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    port: addr.port,
    stats: () => stats.snapshot(),
    events: kept,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await recorder?.close();
      })();
      return closing;
    },
  };
}

/** The emulated APIs behind their routes: authentication, rate limits, injected faults, then the emulator. */
class SinkRoutes {
  private readonly random: () => number;
  private readonly stripe: StripeEmulator;
  private readonly metronome: MetronomeEmulator;
  private readonly reads: StripeReadApi;
  private readonly buckets = new Map<LimitKey, TokenBucket>();

  constructor(
    private readonly opts: SinkOptions,
    private readonly stats: SinkStats,
    private readonly recorder: EventRecorder | undefined,
    private readonly kept: AcceptedEvent[] | undefined,
  ) {
    this.random = seededRandom(opts.seed);
    this.stripe = new StripeEmulator(opts, new IdentifierWindow(24 * 3600_000));
    this.metronome = new MetronomeEmulator(opts, new IdentifierWindow(34 * 86_400_000));
    this.reads = new StripeReadApi(opts.meters ?? []);
  }

  private bucket(k: LimitKey, now: number): TokenBucket {
    let b = this.buckets.get(k);
    if (!b) this.buckets.set(k, (b = new TokenBucket(this.opts.rateLimits[k], now, k === 'metronome' ? 100 : 1)));
    return b;
  }

  private target(route: RouteName): EventSinkTarget {
    const { stats, recorder, reads, kept } = this;
    return {
      accept(events) {
        stats.routes[route].events_accepted += events.length;
        stats.recorded += events.length;
        recorder?.write(events);
        if (route !== 'metronome') reads.record(events);
        kept?.push(...events);
      },
      duplicate(n) {
        stats.routes[route].events_duplicate += n;
        stats.error(route, 'duplicate', n);
      },
      invalid(code, n = 1) {
        stats.routes[route].events_invalid += n;
        stats.error(route, code, n);
      },
    };
  }

  async handle(route: RouteName, req: http.IncomingMessage, body: Buffer): Promise<SinkReply> {
    const { opts, random, stripe, metronome } = this;
    const family = route === 'metronome' ? 'metronome' : 'stripe';
    if (opts.latency.max > 0) await sleep(opts.latency.min + random() * (opts.latency.max - opts.latency.min));
    if (opts.failRate > 0 && random() < opts.failRate) return injectedFailure(family, opts.failStatus);
    const now = opts.now();
    const auth = req.headers.authorization;
    switch (route) {
      case 'stripe-v1': {
        const a = stripe.authenticate(auth);
        if ('status' in a) return a;
        const wait = this.bucket('stripe-v1', now).take(now);
        if (wait) return rateLimited('stripe', wait);
        return stripe.meterEvent(body, a.livemode, now, this.target(route));
      }
      case 'stripe-v2-session': {
        const a = stripe.authenticate(auth);
        if ('status' in a) return a;
        const wait = this.bucket('stripe-v2-session', now).take(now);
        if (wait) return rateLimited('stripe', wait);
        return stripe.createSession(a.livemode, now);
      }
      case 'stripe-v2-stream': {
        const denied = stripe.authenticateStream(auth, now);
        if (denied) return denied;
        const wait = this.bucket('stripe-v2-stream', now).take(now);
        if (wait) return rateLimited('stripe', wait);
        return stripe.stream(body, now, this.target(route));
      }
      case 'stripe-read': {
        const a = stripe.authenticate(auth);
        if ('status' in a) return a;
        const url = new URL(req.url ?? '/', 'http://sink');
        return this.reads.handle(url.pathname, url.searchParams) ?? notFound(req);
      }
      case 'metronome': {
        const denied = metronome.authenticate(auth);
        if (denied) return denied;
        const events = metronome.parse(body);
        if (!Array.isArray(events)) return events;
        const wait = this.bucket('metronome', now).take(now, events.length);
        if (wait) return rateLimited('metronome', wait);
        return metronome.ingest(events, now, this.target(route));
      }
      case 'raw':
        return rawIngest(body, now, this.target(route));
      default:
        return notFound(req);
    }
  }
}

function notFound(req: http.IncomingMessage): SinkReply {
  const path = (req.url ?? '/').split('?')[0];
  if (path.startsWith('/v1/ingest')) return metronomeError(404, 'Not found', 'not_found');
  return stripeError(404, `Unrecognized request URL (${req.method}: ${path.slice(0, 200)}).`, { code: 'resource_missing' });
}

/** Reads the request body (gzip when Content-Encoding says so), refusing oversized bodies with 413. */
function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) tooBig = true;
      else chunks.push(c);
    });
    req.on('error', reject);
    req.on('end', () => {
      const fail = (status: number, message: string, code: string) =>
        reject(
          Object.assign(new Error(message), {
            reply: (req.url ?? '').startsWith('/v1/ingest') ? metronomeError(status, message, code) : stripeError(status, message, { code }),
          }),
        );
      if (tooBig) return fail(413, `Request body larger than ${MAX_BODY} bytes`, 'body_too_large');
      const raw = Buffer.concat(chunks);
      const enc = String(req.headers['content-encoding'] ?? '').toLowerCase();
      if (enc === 'gzip') {
        zlib.gunzip(raw, { maxOutputLength: MAX_BODY }, (err, out) => (err ? fail(400, 'Request body is not valid gzip', 'invalid_gzip') : resolve(out)));
      } else if (enc === '' || enc === 'identity') resolve(raw);
      else fail(415, `Unsupported Content-Encoding: ${enc.slice(0, 40)}`, 'unsupported_encoding');
    });
  });
}

function send(res: http.ServerResponse, reply: SinkReply): void {
  const headers: Record<string, string> = { ...(reply.headers ?? {}) };
  let payload: string | undefined;
  if (reply.body !== undefined) {
    payload = JSON.stringify(reply.body);
    headers['content-type'] = 'application/json';
  }
  headers['content-length'] = String(payload ? Buffer.byteLength(payload) : 0);
  res.writeHead(reply.status, headers);
  res.end(payload);
}
