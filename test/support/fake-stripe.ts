/**
 * A local stand-in for the two Stripe endpoints meterscope reads, answering with Stripe-shaped JSON:
 *   GET /v1/billing/meters                        list, cursor pagination (starting_after, has_more)
 *   GET /v1/billing/meters/{id}/event_summaries   per customer, start/end alignment checked like the API
 * and Stripe's error bodies: 401 authentication_error (the message quotes part of the key, as Stripe's
 * does), 403 permission_error, 429 rate_limit, 400 parameter_missing / invalid alignment,
 * 404 resource_missing. Summaries are aggregated from `events` (what "Stripe received") with each
 * meter's formula. It is a test double, not Stripe: only what the tests use is implemented.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeMeter {
  id: string;
  display_name: string;
  event_name: string;
  status: 'active' | 'inactive';
  formula: 'sum' | 'count' | 'last';
  customer_key?: string;
  value_key?: string;
  event_time_window?: 'hour' | 'day' | null;
  dimension_payload_keys?: string[];
}

/** A meter event as Stripe stored it: already validated, deduplicated and mapped to a customer. */
export interface ReceivedEvent {
  event_name: string;
  customer: string;
  /** unix seconds */
  timestamp: number;
  value: number;
}

export interface FakeStripeOptions {
  meters: FakeMeter[];
  events: ReceivedEvent[];
  /** Keys accepted; any other key gets a 401. */
  keys: string[];
  /** Keys that authenticate but may not read meters (403). */
  forbiddenKeys?: string[];
  /** Customers that exist; summaries for others get a 404. Default: any customer. */
  customers?: string[];
  /** Largest page the server returns whatever limit asks (forces pagination). */
  maxPage?: number;
  /** The first n requests get a 429. */
  rateLimitFirst?: number;
}

export interface RecordedRequest {
  path: string;
  query: Record<string, string>;
  authorization: string;
  at: number;
}

export interface FakeStripe {
  url: string;
  port: number;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

function meterObject(m: FakeMeter) {
  return {
    id: m.id,
    object: 'billing.meter',
    created: 1704824589,
    customer_mapping: { event_payload_key: m.customer_key ?? 'stripe_customer_id', type: 'by_id' },
    default_aggregation: { formula: m.formula },
    display_name: m.display_name,
    event_name: m.event_name,
    event_time_window: m.event_time_window ?? null,
    livemode: false,
    status: m.status,
    status_transitions: { deactivated_at: m.status === 'inactive' ? 1704900000 : null },
    updated: 1704824589,
    value_settings: { event_payload_key: m.value_key ?? 'value' },
    ...(m.dimension_payload_keys ? { dimension_payload_keys: m.dimension_payload_keys } : {}),
  };
}

function aggregate(formula: FakeMeter['formula'], evs: ReceivedEvent[]): number {
  if (formula === 'count') return evs.length;
  if (formula === 'sum') return evs.reduce((s, e) => s + e.value, 0);
  let last: ReceivedEvent | undefined;
  for (const e of evs) if (!last || e.timestamp >= last.timestamp) last = e;
  return last ? last.value : 0;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.message));
  }
}

const invalid = (message: string, extra: Record<string, unknown> = {}) => new ApiError(400, { type: 'invalid_request_error', message, ...extra });

function page<T extends { id: string }>(items: T[], q: Record<string, string>, url: string, cap: number) {
  const limit = Math.min(Number(q.limit ?? 10), cap);
  let from = 0;
  if (q.starting_after) {
    const i = items.findIndex((x) => x.id === q.starting_after);
    if (i < 0) throw invalid(`No such object: '${q.starting_after}'`, { param: 'starting_after', code: 'resource_missing' });
    from = i + 1;
  }
  const data = items.slice(from, from + limit);
  return { object: 'list', data, has_more: from + limit < items.length, url };
}

export async function startFakeStripe(opts: FakeStripeOptions): Promise<FakeStripe> {
  const requests: RecordedRequest[] = [];
  const cap = opts.maxPage ?? 100;
  let rateLimited = 0;

  const handle = (req: http.IncomingMessage): { status: number; body: unknown } => {
    const u = new URL(req.url ?? '/', 'http://localhost');
    const q = Object.fromEntries(u.searchParams.entries());
    const authorization = String(req.headers.authorization ?? '');
    requests.push({ path: u.pathname, query: q, authorization, at: Date.now() });
    const key = authorization.replace(/^Bearer /, '');
    if (!opts.keys.includes(key) && !(opts.forbiddenKeys ?? []).includes(key)) {
      const shown = key.length > 8 ? `${key.slice(0, 8)}****${key.slice(-4)}` : key;
      throw new ApiError(401, { type: 'invalid_request_error', message: `Invalid API Key provided: ${shown}` });
    }
    if ((opts.forbiddenKeys ?? []).includes(key)) {
      throw new ApiError(403, {
        type: 'invalid_request_error',
        code: 'secret_key_required',
        message: `The provided key '${key.slice(0, 8)}***${key.slice(-4)}' does not have the required permissions for this endpoint on account 'acct_1'. Having the 'rak_billing_meter_read' permission would allow this request to continue.`,
      });
    }
    if (rateLimited < (opts.rateLimitFirst ?? 0)) {
      rateLimited++;
      throw new ApiError(429, {
        type: 'invalid_request_error',
        code: 'rate_limit',
        message: 'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.',
      });
    }
    if (req.method !== 'GET') throw new ApiError(405, { type: 'invalid_request_error', message: 'Unrecognized request method' });
    if (u.pathname === '/v1/billing/meters') {
      const list = opts.meters.filter((m) => !q.status || m.status === q.status).map(meterObject);
      return { status: 200, body: page(list, q, '/v1/billing/meters', cap) };
    }
    const m = /^\/v1\/billing\/meters\/([^/]+)\/event_summaries$/.exec(u.pathname);
    if (m) {
      const meter = opts.meters.find((x) => x.id === decodeURIComponent(m[1]));
      if (!meter) throw new ApiError(404, { type: 'invalid_request_error', code: 'resource_missing', param: 'id', message: `No such billing meter: '${m[1]}'` });
      for (const p of ['customer', 'start_time', 'end_time']) {
        if (!q[p]) throw invalid(`Missing required param: ${p}.`, { code: 'parameter_missing', param: p });
      }
      if (opts.customers && !opts.customers.includes(q.customer)) {
        throw new ApiError(404, { type: 'invalid_request_error', code: 'resource_missing', param: 'customer', message: `No such customer: '${q.customer}'` });
      }
      const start = Number(q.start_time);
      const end = Number(q.end_time);
      const grouping = q.value_grouping_window;
      const unit = grouping === 'day' ? 86400 : grouping === 'hour' ? 3600 : 60;
      if (grouping && grouping !== 'hour' && grouping !== 'day') throw invalid(`Invalid value_grouping_window: ${grouping}`, { param: 'value_grouping_window' });
      for (const [p, v] of [
        ['start_time', start],
        ['end_time', end],
      ] as const) {
        if (!Number.isInteger(v) || v % unit !== 0) {
          throw invalid(`${p} must be aligned with ${grouping === 'day' ? 'day' : grouping === 'hour' ? 'hour' : 'minute'} boundaries`, { param: p });
        }
      }
      if (end <= start) throw invalid('end_time must be after start_time', { param: 'end_time' });
      const evs = opts.events.filter((e) => e.event_name === meter.event_name && e.customer === q.customer);
      const windows: { id: string; start: number; end: number }[] = [];
      if (!grouping) windows.push({ id: '', start, end });
      else for (let s = start; s < end; s += unit) windows.push({ id: '', start: s, end: s + unit });
      // Newest first, as the API lists them.
      const summaries = windows.reverse().map((w) => ({
        id: `mtrusg_${meter.id}_${q.customer}_${w.start}`,
        object: 'billing.meter_event_summary',
        aggregated_value: aggregate(
          meter.formula,
          evs.filter((e) => e.timestamp >= w.start && e.timestamp < w.end),
        ),
        end_time: w.end,
        livemode: false,
        meter: meter.id,
        start_time: w.start,
      }));
      return { status: 200, body: page(summaries, q, u.pathname, cap) };
    }
    throw new ApiError(404, { type: 'invalid_request_error', message: `Unrecognized request URL (GET: ${u.pathname}).` });
  };

  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      let status: number;
      let body: unknown;
      try {
        ({ status, body } = handle(req));
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        status = err.status;
        body = { error: { ...err.body, request_log_url: 'https://dashboard.stripe.com/test/logs/req_fake' } };
      }
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_fake${requests.length}` });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
