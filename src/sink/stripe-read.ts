/**
 * Stripe's read API for what the sink accepted, so `replay → sink → stripe reconcile / bill --stripe`
 * runs on one machine: `GET /v1/billing/meters` lists the meters given to `sink --meters`, and
 * `GET /v1/billing/meters/{id}/event_summaries` aggregates the Stripe meter events the sink accepted
 * with the meter's formula (sum, count, last) — customer from the meter's customer key, value from
 * its value key (events lacking them are left out, as Stripe refuses them for that meter).
 * Only meters' events are kept in memory (time and value per customer); nothing without --meters.
 */
import type { StripeMeter } from '../stripe/meters.js';
import type { AcceptedEvent } from './recorder.js';
import { stripeError, type SinkReply } from './replies.js';

const MAX_LIMIT = 100;
const UNITS: Record<string, number> = { minute: 60, hour: 3600, day: 86400 };
const NUMBER = /^-?\d+(\.\d+)?$/;

/** One customer's events for one meter, in arrival order. */
interface Series {
  t: number[];
  v: number[];
}

/** The Stripe API object for a meter (the shape `stripe meters` and the SDK read). */
export function meterObject(m: StripeMeter): { id: string } & Record<string, unknown> {
  return {
    id: m.id,
    object: 'billing.meter',
    created: 0,
    customer_mapping: { event_payload_key: m.customerKey, type: 'by_id' },
    default_aggregation: { formula: m.formula },
    display_name: m.displayName,
    event_name: m.eventName,
    event_time_window: m.eventTimeWindow,
    livemode: m.livemode,
    status: m.status,
    status_transitions: { deactivated_at: null },
    updated: 0,
    value_settings: { event_payload_key: m.valueKey },
    ...(m.dimensionKeys.length ? { dimension_payload_keys: m.dimensionKeys } : {}),
  };
}

/** Stripe's cursor pagination: `limit` (1..100, default 10), `starting_after` an id of the list. */
function page(items: { id: string }[], q: URLSearchParams, url: string): SinkReply {
  const limit = q.has('limit') ? Number(q.get('limit')) : 10;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    return stripeError(400, `Invalid integer: limit must be between 1 and ${MAX_LIMIT}.`, { code: 'parameter_invalid_integer', param: 'limit' });
  let from = 0;
  const after = q.get('starting_after');
  if (after) {
    const i = items.findIndex((x) => x.id === after);
    if (i < 0) return stripeError(400, `No such object: '${after.slice(0, 100)}'`, { code: 'resource_missing', param: 'starting_after' });
    from = i + 1;
  }
  return { status: 200, body: { object: 'list', data: items.slice(from, from + limit), has_more: from + limit < items.length, url } };
}

interface Bucket {
  value: number;
  events: number;
  lastT: number;
}

/** One pass over a customer's events: the meter's aggregate per window of `unit` seconds from `start` (ms bounds). */
function aggregate(formula: string, s: Series, start: number, end: number, unitMs: number): Map<number, Bucket> {
  const out = new Map<number, Bucket>();
  for (let i = 0; i < s.t.length; i++) {
    const t = s.t[i];
    if (t < start || t >= end) continue;
    const w = start + Math.floor((t - start) / unitMs) * unitMs;
    let b = out.get(w);
    if (!b) out.set(w, (b = { value: 0, events: 0, lastT: -Infinity }));
    b.events++;
    if (formula === 'sum') b.value += s.v[i];
    else if (formula === 'count') b.value++;
    // last: the latest event time; on a tie, the one accepted last.
    else if (t >= b.lastT) {
      b.lastT = t;
      b.value = s.v[i];
    }
  }
  return out;
}

export class StripeReadApi {
  private readonly series = new Map<string, Map<string, Series>>();

  constructor(private readonly meters: StripeMeter[]) {
    for (const m of meters) this.series.set(m.id, new Map());
  }

  /** Indexes accepted Stripe meter events under every meter reading their event name. */
  record(events: AcceptedEvent[]): void {
    for (const m of this.meters) {
      const byCustomer = this.series.get(m.id)!;
      for (const e of events) {
        if (e.eventName !== m.eventName) continue;
        const customer = e.properties[m.customerKey];
        const raw = e.properties[m.valueKey];
        const value = typeof raw === 'string' && NUMBER.test(raw.trim()) ? Number(raw) : null;
        if (typeof customer !== 'string' || customer === '' || (value === null && m.formula !== 'count')) continue;
        let s = byCustomer.get(customer);
        if (!s) byCustomer.set(customer, (s = { t: [], v: [] }));
        s.t.push(e.timestamp);
        s.v.push(value ?? 0);
      }
    }
  }

  /** Answers a GET under /v1/billing/meters, or null when the path is not one of ours. */
  handle(path: string, q: URLSearchParams): SinkReply | null {
    if (path === '/v1/billing/meters') {
      const status = q.get('status');
      return page(this.meters.filter((m) => !status || m.status === status).map(meterObject), q, path);
    }
    const m = /^\/v1\/billing\/meters\/([^/]+)\/event_summaries$/.exec(path);
    if (!m) return null;
    const id = decodeURIComponent(m[1]);
    const meter = this.meters.find((x) => x.id === id);
    if (!meter) return stripeError(404, `No such billing meter: '${id.slice(0, 100)}'`, { code: 'resource_missing', param: 'id' });
    return this.summaries(meter, q, path);
  }

  private summaries(meter: StripeMeter, q: URLSearchParams, url: string): SinkReply {
    for (const p of ['customer', 'start_time', 'end_time']) {
      if (!q.get(p)) return stripeError(400, `Missing required param: ${p}.`, { code: 'parameter_missing', param: p });
    }
    const grouping = q.get('value_grouping_window');
    if (grouping !== null && grouping !== 'hour' && grouping !== 'day')
      return stripeError(400, `Invalid value_grouping_window: must be one of hour, day.`, { code: 'parameter_invalid_string', param: 'value_grouping_window' });
    const unit = UNITS[grouping ?? 'minute'];
    const start = Number(q.get('start_time'));
    const end = Number(q.get('end_time'));
    for (const [p, v] of [
      ['start_time', start],
      ['end_time', end],
    ] as const) {
      if (!Number.isInteger(v)) return stripeError(400, `Invalid integer: ${p}.`, { code: 'parameter_invalid_integer', param: p });
      if (v % unit !== 0) return stripeError(400, `${p} must be aligned with ${grouping ?? 'minute'} boundaries.`, { code: 'parameter_invalid_integer', param: p });
    }
    if (end <= start) return stripeError(400, 'end_time must be after start_time.', { code: 'parameter_invalid_integer', param: 'end_time' });
    const s = this.series.get(meter.id)!.get(q.get('customer')!) ?? { t: [], v: [] };
    const step = grouping === null ? end - start : unit;
    const buckets = aggregate(meter.formula, s, start * 1000, end * 1000, step * 1000);
    // Without a grouping window, one summary for the range even when empty; with one, only windows
    // holding events. Newest first, as the API lists them.
    if (grouping === null && buckets.size === 0) buckets.set(start * 1000, { value: 0, events: 0, lastT: 0 });
    const data = [...buckets.entries()]
      .sort((a, b) => b[0] - a[0])
      .map(([ms, b]) => {
        const ws = ms / 1000;
        return {
          id: `mtrusg_${ws}_${ws + step}`,
          object: 'billing.meter_event_summary',
          aggregated_value: b.value,
          end_time: ws + step,
          livemode: meter.livemode,
          meter: meter.id,
          start_time: ws,
        };
      });
    return page(data, q, url);
  }
}
