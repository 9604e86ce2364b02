/**
 * Bills a run: for each metric, the usage lines and the exclusions, all aggregated in ClickHouse
 * (src/bill/sql.ts); here only the rows are shaped into the model.
 */
import type { Store } from '../store/store.js';
import { num, numOrNull } from '../store/sql.js';
import { UserError } from '../errors.js';
import { BILL_SCHEMA_VERSION, type BillModel, type BillSettings, type MetricBill, type UsageLine } from './model.js';
import type { BillMetric } from './metrics.js';
import { METRONOME_FUTURE_MS, METRONOME_PAST_MS, reasonsQuery, spanQuery, usageQuery, type BillScope } from './sql.js';
import { parseRange } from './periods.js';

export interface BillOptions {
  period: BillSettings['period'];
  dedup: BillSettings['dedup'];
  from?: string;
  to?: string;
  backfill?: boolean;
  /** Reference time of the acceptance window (default: now). */
  asOf?: string;
  metricsFile?: string | null;
  tolerance?: number | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The scope the queries take, from the options (a bad --from/--to/--as-of fails with one sentence). */
export function billScope(runId: string, o: BillOptions, now = Date.now()): BillScope {
  let accept: BillScope['accept'] = null;
  if (o.backfill) {
    const asOf = o.asOf === undefined ? now : Date.parse(o.asOf);
    if (Number.isNaN(asOf)) throw new UserError(`--as-of: "${o.asOf}" is not a date/time (ISO 8601)`);
    accept = { oldestMs: asOf - METRONOME_PAST_MS, newestMs: asOf + METRONOME_FUTURE_MS };
  } else if (o.asOf !== undefined) {
    throw new UserError('--as-of only applies with --backfill (events sent now); without it each event is billed as sent when it happened');
  }
  return { runId, period: o.period, dedup: o.dedup, accept, range: parseRange(o.from, o.to, o.period) };
}

interface UsageRow {
  customer: string;
  period: string | number;
  g: string[];
  events: string;
  quantity: number;
}

async function billMetric(store: Store, m: BillMetric, scope: BillScope, events: number): Promise<{ metric: MetricBill; usage: UsageLine[] }> {
  const rows = await store.select<UsageRow>(usageQuery(m, scope));
  const reasons = await store.select<{ reason: string; events: string; value: number }>(reasonsQuery(m, scope));
  const usage = rows.map((r) => ({
    metric: m.name,
    customer: r.customer,
    periodStart: iso(num(r.period) * 1000),
    group: m.groupBy.length ? Object.fromEntries(m.groupBy.map((k, i) => [k, r.g[i]])) : null,
    quantity: Number(r.quantity),
    events: num(r.events),
  }));
  const unique = m.aggregation === 'UNIQUE';
  const byReason = reasons.filter((r) => r.reason !== '').map((r) => ({ reason: r.reason, events: num(r.events), value: unique ? null : (numOrNull(r.value) ?? 0) }));
  const billedEvents = num(reasons.find((r) => r.reason === '')?.events);
  const metric: MetricBill = {
    name: m.name,
    aggregationType: m.aggregation,
    aggregationKey: m.key,
    eventTypes: m.eventTypesIn,
    eventTypesExcluded: m.eventTypesNotIn ?? [],
    groupKeys: m.groupKeys,
    groupBy: m.groupBy,
    request: m.request,
    events,
    billedEvents,
    customers: new Set(usage.map((u) => u.customer)).size,
    excluded: {
      events: byReason.reduce((s, r) => s + r.events, 0),
      value: unique ? null : byReason.reduce((s, r) => s + (r.value ?? 0), 0),
      byReason,
    },
  };
  return { metric, usage };
}

/** The run's events and span (an empty run bills nothing; it is not an error). */
export async function eventSpan(store: Store, runId: string): Promise<{ events: number; firstMs: number | null; lastMs: number | null }> {
  const [r] = await store.select<{ n: string; first: string; last: string }>(spanQuery(runId));
  const events = num(r?.n);
  return events === 0 ? { events, firstMs: null, lastMs: null } : { events, firstMs: num(r.first), lastMs: num(r.last) };
}

export async function computeBill(store: Store, runId: string, metrics: BillMetric[], o: BillOptions, now = new Date()): Promise<BillModel> {
  const started = Date.now();
  const scope = billScope(runId, o, now.getTime());
  const span = await eventSpan(store, runId);
  const out: BillModel = {
    kind: 'bill',
    schemaVersion: BILL_SCHEMA_VERSION,
    runId,
    billedAt: now.toISOString(),
    settings: {
      period: o.period,
      from: scope.range && o.from !== undefined ? iso(scope.range.fromMs) : null,
      to: scope.range && o.to !== undefined ? iso(scope.range.toMs) : null,
      dedup: o.dedup,
      backfill: scope.accept !== null,
      asOf: scope.accept ? iso(scope.accept.oldestMs + METRONOME_PAST_MS) : null,
      metrics: o.metricsFile ? 'file' : 'drafts',
      metricsFile: o.metricsFile ?? null,
      tolerance: o.tolerance ?? null,
    },
    events: span.events,
    span: { first: span.firstMs === null ? null : iso(span.firstMs), last: span.lastMs === null ? null : iso(span.lastMs) },
    metrics: [],
    usage: [],
    parity: null,
    paritySummary: null,
    computeSeconds: 0,
  };
  // One metric at a time: each query already uses every core.
  for (const m of metrics) {
    const { metric, usage } = await billMetric(store, m, scope, span.events);
    out.metrics.push(metric);
    out.usage.push(...usage);
  }
  out.computeSeconds = (Date.now() - started) / 1000;
  return out;
}
