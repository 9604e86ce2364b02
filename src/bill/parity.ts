/**
 * `bill --stripe`: each metric's quantity per customer and period held against Stripe's meter event
 * summaries for the meter reading the same event name — the "event ingestion parity" check to run
 * before a cut-over. Summaries are fetched with the reconcile's pieces (all pages, paced, 429s
 * retried); month and week periods take one request per customer and period, day and hour periods
 * one per customer with value_grouping_window.
 */
import type { Store } from '../store/store.js';
import { num } from '../store/sql.js';
import type { StripeReader } from '../stripe/client.js';
import { StripeCallError } from '../stripe/errors.js';
import { meterByEventName, type StripeMeter } from '../stripe/meters.js';
import { fetchSummaries, pool, sameValue } from '../stripe/reconcile.js';
import type { MeterWindows } from '../stripe/windows.js';
import type { BillModel, ParityRow, ParitySummary, Period } from './model.js';
import type { AggregationType, BillMetric } from './metrics.js';
import { customersQuery, totalsQuery, type BillScope } from './sql.js';
import { nextPeriod, periodsBetween } from './periods.js';

/** The Stripe formula that bills like each aggregation (MAX and UNIQUE have none). */
const FORMULA_OF: Record<AggregationType, string | null> = { SUM: 'sum', COUNT: 'count', LATEST: 'last', MAX: null, UNIQUE: null };

export interface ParityOptions {
  tolerance: number;
  /** Parallel requests in flight (paced by the reader's rate limit). */
  concurrency?: number;
  onPlan?: (requests: number) => void;
  onProgress?: (done: number, total: number) => void;
}

/** The active meter a metric is compared with, or why there is none. */
export function meterFor(m: BillMetric, meters: StripeMeter[]): { meter: StripeMeter } | { reason: string } {
  if (!m.eventTypesIn) return { reason: 'the metric matches every event type; a Stripe meter reads one event name' };
  if (m.eventTypesIn.length !== 1) return { reason: `the metric matches ${m.eventTypesIn.length} event types; a Stripe meter reads one event name` };
  const meter = meterByEventName(meters).active.get(m.eventTypesIn[0]);
  if (!meter) return { reason: `no active Stripe meter reads event name ${m.eventTypesIn[0]}` };
  if (FORMULA_OF[m.aggregation] !== meter.formula)
    return { reason: `meter ${meter.id} aggregates with "${meter.formula}", the metric with ${m.aggregation}: not comparable` };
  return { meter };
}

const key = (customer: string, periodMs: number) => `${customer}\u0000${periodMs}`;
const iso = (ms: number) => new Date(ms).toISOString();

/** Compares one metric's log quantities with Stripe's values; pairs empty on both sides are left out. */
export function compareParity(
  metric: string,
  meter: string,
  customers: string[],
  periods: number[],
  log: Map<string, number>,
  stripe: Map<string, number>,
  errors: Map<string, string> = new Map(),
): ParityRow[] {
  const rows: ParityRow[] = [];
  for (const customer of customers) {
    for (const p of periods) {
      const lv = log.get(key(customer, p));
      const sv = errors.has(customer) ? null : (stripe.get(key(customer, p)) ?? null);
      if (lv === undefined && (sv === null || sv === 0)) continue;
      const l = lv ?? 0;
      const diff = (sv ?? 0) - l;
      const scale = Math.max(Math.abs(l), Math.abs(sv ?? 0));
      const status = sameValue(l, sv ?? 0) ? 'match' : lv === undefined ? 'only-in-stripe' : sv === null || sv === 0 ? 'only-in-log' : 'differs';
      const row: ParityRow = {
        metric,
        meter,
        customer,
        periodStart: iso(p),
        log: l,
        stripe: sv,
        diff,
        relDiff: scale === 0 || status === 'match' ? 0 : diff / scale,
        status,
      };
      if (errors.has(customer)) row.error = errors.get(customer);
      rows.push(row);
    }
  }
  return rows;
}

/** The summary of compared pairs against a tolerance (a fraction: 0.01 = 1 %). */
export function summarizeParity(rows: ParityRow[], tolerance: number, skipped: ParitySummary['skipped'], requests: number): ParitySummary {
  const within = (r: ParityRow, t: number) => Math.abs(r.relDiff) <= t + 1e-12;
  const withinTolerance = rows.filter((r) => within(r, tolerance)).length;
  return {
    tolerance,
    pairs: rows.length,
    customers: new Set(rows.map((r) => r.customer)).size,
    periods: new Set(rows.map((r) => r.periodStart)).size,
    matching: rows.filter((r) => r.status === 'match').length,
    withinOnePercent: rows.filter((r) => within(r, 0.01)).length,
    withinTolerance,
    over: rows.length - withinTolerance,
    largest: rows
      .filter((r) => r.status !== 'match')
      .sort((a, b) => Math.abs(b.relDiff) - Math.abs(a.relDiff) || Math.abs(b.diff) - Math.abs(a.diff))
      .slice(0, 10),
    skipped,
    requests,
  };
}

/**
 * The summary requests for one customer: per period (month, week), or one range grouped by day /
 * hour. A period still running is read up to now (rounded up to the alignment Stripe requires).
 */
export function windowsFor(periods: number[], period: Period, nowMs = Date.now()): MeterWindows[] {
  const unit = period === 'day' ? 86400 : period === 'hour' ? 3600 : 60;
  const upTo = (endMs: number) => Math.min(Math.floor(endMs / 1000), Math.ceil(nowMs / 1000 / unit) * unit);
  if (period === 'month' || period === 'week') {
    return periods
      .map((p) => ({ granularity: 'span' as const, unit, start: p / 1000, end: upTo(nextPeriod(p, period)), groupingWindow: undefined }))
      .filter((w) => w.end > w.start);
  }
  const w = { granularity: period, unit, start: periods[0] / 1000, end: upTo(nextPeriod(periods[periods.length - 1], period)), groupingWindow: period };
  return w.end > w.start ? [w] : [];
}

interface Plan {
  metric: BillMetric;
  meter: StripeMeter;
  customers: string[];
  log: Map<string, number>;
  stripe: Map<string, number>;
  errors: Map<string, string>;
}

/** The log side of one metric: its quantity per customer × period over all groups, and whom to ask. */
async function logSide(store: Store, model: BillModel, m: BillMetric, scope: BillScope): Promise<{ log: Map<string, number>; customers: string[] }> {
  const log = new Map<string, number>();
  if (m.groupBy.length === 0) {
    for (const u of model.usage) if (u.metric === m.name) log.set(key(u.customer, Date.parse(u.periodStart)), u.quantity);
  } else {
    const rows = await store.select<{ customer: string; period: string | number; quantity: number }>(totalsQuery(m, scope));
    for (const r of rows) log.set(key(r.customer, num(r.period) * 1000), Number(r.quantity));
  }
  const customers = (await store.select<{ customer: string }>(customersQuery(m, scope.runId))).map((r) => r.customer);
  return { log, customers };
}

/** The periods to compare: those the run's events span, inside --from/--to. */
function comparedPeriods(model: BillModel, scope: BillScope): number[] {
  if (!model.span.first || !model.span.last) return [];
  const first = Math.max(Date.parse(model.span.first), scope.range?.fromMs ?? -Infinity);
  const last = Math.min(Date.parse(model.span.last), (scope.range?.toMs ?? Infinity) - 1);
  return first > last ? [] : periodsBetween(first, last, scope.period);
}

export async function billParity(
  store: Store,
  model: BillModel,
  metrics: BillMetric[],
  scope: BillScope,
  meters: StripeMeter[],
  reader: StripeReader,
  opts: ParityOptions,
): Promise<{ rows: ParityRow[]; summary: ParitySummary }> {
  const before = reader.requests;
  const periods = comparedPeriods(model, scope);
  const skipped: ParitySummary['skipped'] = [];
  const plans: Plan[] = [];
  for (const m of metrics) {
    const found = meterFor(m, meters);
    if ('reason' in found) {
      skipped.push({ metric: m.name, reason: found.reason });
      continue;
    }
    const { log, customers } = await logSide(store, model, m, scope);
    plans.push({ metric: m, meter: found.meter, customers, log, stripe: new Map(), errors: new Map() });
  }
  const windows = periods.length ? windowsFor(periods, scope.period) : [];
  const tasks = plans.flatMap((plan) => plan.customers.flatMap((customer) => windows.map((w) => ({ plan, customer, w }))));
  opts.onPlan?.(tasks.length);
  let done = 0;
  opts.onProgress?.(0, tasks.length);
  await pool(tasks, opts.concurrency ?? 4, async ({ plan, customer, w }) => {
    try {
      for (const s of await fetchSummaries(reader, plan.meter, customer, w)) {
        // Without a grouping window the one summary covers the whole period asked for.
        const k = key(customer, (w.groupingWindow ? s.start_time : w.start) * 1000);
        plan.stripe.set(k, (plan.stripe.get(k) ?? 0) + s.aggregated_value);
      }
    } catch (err) {
      // Stripe refusing one customer (e.g. unknown to this account) is a finding, not a reason to stop.
      if (!(err instanceof StripeCallError) || !err.perRequest) throw err;
      plan.errors.set(customer, err.detail ?? err.message);
    }
    opts.onProgress?.(++done, tasks.length);
  });
  const rows = plans.flatMap((p) => {
    const customers = [...new Set([...p.customers, ...[...p.log.keys()].map((k) => k.split('\u0000')[0])])].sort();
    return compareParity(p.metric.name, p.meter.id, customers, periods, p.log, p.stripe, p.errors);
  });
  return { rows, summary: summarizeParity(rows, opts.tolerance, skipped, reader.requests - before) };
}
