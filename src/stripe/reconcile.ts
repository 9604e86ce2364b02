/**
 * `stripe reconcile`: for every active meter and every customer the log shows for it, fetch the
 * meter event summaries over the run's span (aligned windows) and compare them with the log's own
 * totals per formula. Every compared window becomes a row; the differences are what matter.
 */
import type { Store } from '../store/store.js';
import type { StripeReader } from './client.js';
import { StripeCallError } from './errors.js';
import { logTotals, type LogTotals, type LogWindowTotal } from './log-totals.js';
import type { StripeMeter } from './meters.js';
import { meterWindows, type Granularity, type MeterWindows } from './windows.js';

export type ReconcileStatus = 'match' | 'differs' | 'missing-in-stripe' | 'only-in-stripe' | 'stripe-error';

export interface ReconcileRow {
  meterId: string;
  eventName: string;
  formula: string;
  customer: string;
  /** Window [start, end) as ISO times. */
  windowStart: string;
  windowEnd: string;
  /** Events the log counts for this customer and window (after dropping rejected and duplicate ones). */
  logEvents: number;
  /** The log's total per the meter's formula (sum of values, event count, or last value). */
  logValue: number;
  /** Stripe's aggregated_value for the window; null when Stripe returned no summary for it. */
  stripeValue: number | null;
  /** stripeValue − logValue (a missing summary counts as 0). */
  difference: number;
  status: ReconcileStatus;
  /** Stripe's message when it refused this customer's request (e.g. an unknown customer). */
  error?: string;
}

export interface MeterReconcile {
  meterId: string;
  eventName: string;
  formula: string;
  granularity: Granularity;
  /** Aligned range sent to Stripe, ISO [start, end). */
  start: string;
  end: string;
  /** Customers the log shows for this meter, and how many were compared (see maxCustomers). */
  customers: number;
  customersCompared: number;
  customersDiffering: number;
  /** Windows compared and how many differ. */
  windows: number;
  windowsDiffering: number;
  /** Log total and Stripe total over the compared customers (sum/count meters; for last, the sum of last values). */
  logTotal: number;
  stripeTotal: number;
  /**
   * Events dropped before comparing: rejected by Stripe's rules, and duplicate identifiers; of the
   * customers compared when --max-customers leaves some out, else of the meter's whole run.
   */
  rejectedEvents: number;
  duplicateEvents: number;
}

export interface ReconcileResult {
  runId: string;
  reconciledAt: string;
  granularity: Granularity;
  dedup: boolean;
  /** Run span: earliest / latest event (ISO). */
  span: { first: string | null; last: string | null };
  meters: MeterReconcile[];
  /** Active meters with no events in the run (nothing to compare). */
  skippedMeters: { meterId: string; eventName: string; reason: string }[];
  /** Every compared window with usage on either side. */
  rows: ReconcileRow[];
  differences: number;
  /** API requests sent (pages included). */
  requests: number;
}

export interface ReconcileOptions {
  granularity: Granularity;
  dedup: boolean;
  /** Compare only this many customers per meter, those with the most events (default: all). */
  maxCustomers?: number;
  /** Parallel requests in flight (paced by the reader's rate limit). */
  concurrency?: number;
  /** Called with (pairs done, pairs total) as customers complete. */
  onProgress?: (done: number, total: number) => void;
  /** Called once the work is known (for an estimate on stderr). */
  onPlan?: (pairs: number) => void;
}

/** Two values agree when equal up to float rounding of sums. */
export function sameValue(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

const isoS = (s: number) => new Date(s * 1000).toISOString();
const SUMMARY_PAGE = 100;
const MAX_SUMMARY_PAGES = 1000;

export interface Summary {
  start_time: number;
  end_time: number;
  aggregated_value: number;
}

/** Every summary Stripe returns for one meter, customer and window range (all pages). */
export async function fetchSummaries(reader: StripeReader, meter: StripeMeter, customer: string, w: MeterWindows): Promise<Summary[]> {
  const out: Summary[] = [];
  let after: string | undefined;
  for (let page = 0; page < MAX_SUMMARY_PAGES; page++) {
    const res = await reader.call(`reading event summaries of meter ${meter.id}`, (s) =>
      s.billing.meters.listEventSummaries(meter.id, {
        customer,
        start_time: w.start,
        end_time: w.end,
        limit: SUMMARY_PAGE,
        ...(w.groupingWindow ? { value_grouping_window: w.groupingWindow } : {}),
        ...(after ? { starting_after: after } : {}),
      }),
    );
    for (const d of res.data) out.push({ start_time: d.start_time, end_time: d.end_time, aggregated_value: Number(d.aggregated_value) });
    if (!res.has_more || res.data.length === 0) return out;
    after = res.data[res.data.length - 1].id;
  }
  return out;
}

function logValue(formula: string, t: LogWindowTotal | undefined): number {
  if (!t) return 0;
  return formula === 'count' ? t.events : formula === 'last' ? t.last : t.sum;
}

/** Compares one customer's log windows with Stripe's summaries. */
function compareWindows(meter: StripeMeter, customer: string, w: MeterWindows, log: LogWindowTotal[], summaries: Summary[]): ReconcileRow[] {
  const byLog = new Map(log.map((t) => [t.window, t]));
  const byStripe = new Map<number, number>();
  for (const s of summaries) {
    const key = w.granularity === 'span' ? w.start : s.start_time;
    byStripe.set(key, (byStripe.get(key) ?? 0) + s.aggregated_value);
  }
  const windows = [...new Set([...byLog.keys(), ...byStripe.keys()])].sort((a, b) => a - b);
  const rows: ReconcileRow[] = [];
  for (const start of windows) {
    const t = byLog.get(start);
    const lv = logValue(meter.formula, t);
    const sv = byStripe.has(start) ? byStripe.get(start)! : null;
    if (!t && (sv === null || sv === 0)) continue; // nothing on either side
    const difference = (sv ?? 0) - lv;
    const status: ReconcileStatus = sv === null ? 'missing-in-stripe' : !t ? 'only-in-stripe' : sameValue(sv, lv) ? 'match' : 'differs';
    rows.push({
      meterId: meter.id,
      eventName: meter.eventName,
      formula: meter.formula,
      customer,
      windowStart: isoS(start),
      windowEnd: isoS(w.granularity === 'span' ? w.end : start + w.unit),
      logEvents: t?.events ?? 0,
      logValue: lv,
      stripeValue: sv,
      difference,
      status: status === 'missing-in-stripe' && sameValue(lv, 0) ? 'match' : status,
    });
  }
  return rows;
}

/** Runs `fn` over `items` with at most `n` in flight; the first error stops new work and is rethrown. */
export async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (failed === undefined && next < items.length) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
  if (failed !== undefined) throw failed;
}

/** Rejected and duplicate events of the compared customers (null: all of them, so the whole run's). */
function droppedOf(totals: LogTotals, compared: string[] | null): { rejected: number; duplicates: number } {
  if (!compared) return { rejected: totals.rejected, duplicates: totals.duplicates };
  const of = compared.map((c) => totals.byCustomer.get(c) ?? { rejected: 0, duplicates: 0 });
  return { rejected: of.reduce((s, x) => s + x.rejected, 0), duplicates: of.reduce((s, x) => s + x.duplicates, 0) };
}

export async function reconcileRun(
  store: Store,
  runId: string,
  meters: StripeMeter[],
  reader: StripeReader,
  span: { first: string | null; last: string | null },
  opts: ReconcileOptions,
  now = new Date(),
): Promise<ReconcileResult> {
  const result: ReconcileResult = {
    runId,
    reconciledAt: now.toISOString(),
    granularity: opts.granularity,
    dedup: opts.dedup,
    span,
    meters: [],
    skippedMeters: [],
    rows: [],
    differences: 0,
    requests: 0,
  };
  const requestsBefore = reader.requests;
  const active = meters.filter((m) => m.status === 'active');
  if (!span.first || !span.last) {
    for (const m of active) result.skippedMeters.push({ meterId: m.id, eventName: m.eventName, reason: 'the run has no events' });
    return result;
  }
  const firstMs = Date.parse(span.first);
  const lastMs = Date.parse(span.last);

  // Log side first (all in ClickHouse), so the amount of API work is known before any request.
  const plans: MeterPlan[] = [];
  for (const meter of active) {
    const plan = await planMeter(store, runId, meter, firstMs, lastMs, opts);
    if ('reason' in plan) result.skippedMeters.push(plan);
    else plans.push(plan);
  }

  const tasks = await compareAll(plans, reader, opts);

  for (const plan of plans) {
    const rows = tasks.filter((t) => t.plan === plan).flatMap((t) => t.rows);
    result.rows.push(...rows);
    result.meters.push(meterSummary(plan, rows));
  }
  result.differences = result.rows.filter((r) => r.status !== 'match').length;
  result.requests = reader.requests - requestsBefore;
  return result;
}

interface MeterPlan {
  meter: StripeMeter;
  w: MeterWindows;
  customers: [string, LogWindowTotal[]][];
  all: number;
  rejected: number;
  duplicates: number;
}

/** One meter's log totals per customer and window, or why the meter is skipped. */
async function planMeter(
  store: Store,
  runId: string,
  meter: StripeMeter,
  firstMs: number,
  lastMs: number,
  opts: ReconcileOptions,
): Promise<MeterPlan | ReconcileResult['skippedMeters'][number]> {
  const w = meterWindows(firstMs, lastMs, opts.granularity, meter.eventTimeWindow);
  const totals = await logTotals(store, runId, meter, w, { dedup: opts.dedup });
  const byCustomer = new Map<string, LogWindowTotal[]>();
  for (const r of totals.rows) {
    const list = byCustomer.get(r.customer);
    if (list) list.push(r);
    else byCustomer.set(r.customer, [r]);
  }
  if (byCustomer.size === 0) {
    return {
      meterId: meter.id,
      eventName: meter.eventName,
      reason: totals.rejected > 0 ? `all ${totals.rejected} events would be rejected by Stripe (see stripe check)` : 'no events in the run',
    };
  }
  const events = (l: LogWindowTotal[]) => l.reduce((s, t) => s + t.events, 0);
  let customers = [...byCustomer.entries()].sort((a, b) => events(b[1]) - events(a[1]) || (a[0] < b[0] ? -1 : 1));
  const all = customers.length;
  if (opts.maxCustomers !== undefined) customers = customers.slice(0, opts.maxCustomers);
  return { meter, w, customers, all, ...droppedOf(totals, customers.length < all ? customers.map(([c]) => c) : null) };
}

/** Reads Stripe's summaries for every planned meter × customer (paced, in parallel) and compares them with the log. */
async function compareAll(plans: MeterPlan[], reader: StripeReader, opts: ReconcileOptions) {
  const tasks = plans.flatMap((p) => p.customers.map(([customer, log]) => ({ plan: p, customer, log, rows: [] as ReconcileRow[] })));
  opts.onPlan?.(tasks.length);
  let done = 0;
  opts.onProgress?.(0, tasks.length);
  await pool(tasks, opts.concurrency ?? 4, async (task) => {
    const { meter, w } = task.plan;
    try {
      task.rows = compareWindows(meter, task.customer, w, task.log, await fetchSummaries(reader, meter, task.customer, w));
    } catch (err) {
      // Stripe refusing one customer (e.g. unknown to this account) is a finding, not a reason to stop.
      if (!(err instanceof StripeCallError) || !err.perRequest) throw err;
      const lv = task.log.reduce((s, t) => s + logValue(meter.formula, t), 0);
      task.rows = [
        {
          meterId: meter.id,
          eventName: meter.eventName,
          formula: meter.formula,
          customer: task.customer,
          windowStart: isoS(w.start),
          windowEnd: isoS(w.end),
          logEvents: task.log.reduce((s, t) => s + t.events, 0),
          logValue: lv,
          stripeValue: null,
          difference: -lv,
          status: 'stripe-error',
          error: err.detail ?? err.message,
        },
      ];
    }
    opts.onProgress?.(++done, tasks.length);
  });
  return tasks;
}

function meterSummary(plan: MeterPlan, rows: ReconcileRow[]): ReconcileResult['meters'][number] {
  const { meter, w } = plan;
  const differing = rows.filter((r) => r.status !== 'match');
  return {
    meterId: meter.id,
    eventName: meter.eventName,
    formula: meter.formula,
    granularity: w.granularity,
    start: isoS(w.start),
    end: isoS(w.end),
    customers: plan.all,
    customersCompared: plan.customers.length,
    customersDiffering: new Set(differing.map((r) => r.customer)).size,
    windows: rows.length,
    windowsDiffering: differing.length,
    logTotal: rows.reduce((s, r) => s + r.logValue, 0),
    stripeTotal: rows.reduce((s, r) => s + (r.stripeValue ?? 0), 0),
    rejectedEvents: plan.rejected,
    duplicateEvents: plan.duplicates,
  };
}
