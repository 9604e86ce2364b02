/**
 * The bill's queries over the run's `events`, one metric at a time. Every event gets exactly one
 * reason ('' = billed), the first that applies, in this order:
 *   event type not matched → outside the acceptance window (--backfill) → missing customer →
 *   duplicate identifier → outside --from/--to → property filters (in filter order) → non-numeric value.
 * So billed + excluded always adds up to the run's events. Duplicates are found among the events the
 * provider would have ingested (a customer, inside the acceptance window), whatever their type.
 */
import { SqlParams, type Query } from '../store/sql.js';
import { WINDOW_24H_MS, WINDOW_34D_MS } from '../profile/identity.js';
import type { DedupMode, Period } from './model.js';
import type { BillMetric } from './metrics.js';
import { PERIOD_START_SQL } from './periods.js';
import { contributionSql, eventTypeCondition, keyExpr, propertyExclusions, quantitySql, valueExprs, type Exclusion } from './filters-sql.js';

export interface BillScope {
  runId: string;
  period: Period;
  dedup: DedupMode;
  /** --backfill: events older than oldestMs or newer than newestMs (epoch ms) are refused by the API. */
  accept: { oldestMs: number; newestMs: number } | null;
  /** --from / --to (epoch ms, [from, to)). */
  range: { fromMs: number; toMs: number } | null;
}

/** Metronome: backdated at most 34 days, at most 24 hours ahead. */
export const METRONOME_PAST_MS = WINDOW_34D_MS;
export const METRONOME_FUTURE_MS = WINDOW_24H_MS;

export const DEDUP_WINDOW_MS: Record<Exclude<DedupMode, 'none'>, number> = { metronome: WINDOW_34D_MS, stripe: WINDOW_24H_MS };
export const DEDUP_REASON: Record<Exclude<DedupMode, 'none'>, string> = { metronome: 'duplicate (metronome 34d)', stripe: 'duplicate (stripe 24h)' };

const ms = (p: SqlParams, v: number) => `fromUnixTimestamp64Milli(${p.add(v, 'Int64')}, 'UTC')`;

function acceptWindow(p: SqlParams, s: BillScope): { tooOld: string; tooNew: string } | null {
  return s.accept ? { tooOld: `event_time < ${ms(p, s.accept.oldestMs)}`, tooNew: `event_time > ${ms(p, s.accept.newestMs)}` } : null;
}

/**
 * Events dropped as duplicates: among ingested events, those whose identifier's previous use (by
 * time, then log order) is at most the window before them — the definition of the profile's
 * duplicates24h / duplicates34d (src/profile/identity.ts). Only identifiers used more than once
 * (found by a GROUP BY over their hashes) are ordered. GLOBAL IN (here and where the dropped
 * events are matched): on a cluster the sets are built on the initiator over every shard.
 */
function duplicatesCte(p: SqlParams, s: BillScope, run: string): string | null {
  if (s.dedup === 'none') return null;
  const w = acceptWindow(p, s);
  const ingested = `run_id = ${run} AND identifier != '' AND customer != ''${w ? ` AND NOT (${w.tooOld}) AND NOT (${w.tooNew})` : ''}`;
  return `dup AS (
    SELECT source, line, seq FROM (
      SELECT source, line, seq, toUnixTimestamp64Milli(event_time) AS t, row_number() OVER w AS rn, lagInFrame(t) OVER w AS prev_t
      FROM events
      WHERE ${ingested} AND cityHash64(identifier) GLOBAL IN (
        SELECT h FROM (SELECT cityHash64(identifier) AS h FROM events WHERE ${ingested}) GROUP BY h HAVING count() > 1)
      WINDOW w AS (PARTITION BY identifier ORDER BY event_time, source, line, seq ROWS BETWEEN 1 PRECEDING AND CURRENT ROW))
    WHERE rn > 1 AND t - prev_t <= ${p.add(DEDUP_WINDOW_MS[s.dedup], 'Int64')})`;
}

/** The ordered exclusions for one metric (see the module comment). */
export function exclusions(p: SqlParams, m: BillMetric, s: BillScope, numeric: string): Exclusion[] {
  const out: Exclusion[] = [{ when: `NOT (${eventTypeCondition(p, m)})`, reason: 'event type not matched' }];
  const w = acceptWindow(p, s);
  if (w) out.push({ when: w.tooOld, reason: 'older than 34 days' }, { when: w.tooNew, reason: 'more than 24 h ahead' });
  out.push({ when: `customer = ''`, reason: 'missing customer' });
  if (s.dedup !== 'none') out.push({ when: '(source, line, seq) GLOBAL IN (SELECT source, line, seq FROM dup)', reason: DEDUP_REASON[s.dedup] });
  if (s.range) out.push({ when: `NOT (event_time >= ${ms(p, s.range.fromMs)} AND event_time < ${ms(p, s.range.toMs)})`, reason: 'outside --from/--to' });
  out.push(...propertyExclusions(p, m));
  if (m.key !== null && m.aggregation !== 'UNIQUE') out.push({ when: `NOT ${numeric}`, reason: 'non-numeric value' });
  return out;
}

/** WITH clause (or '') and the classified events as a subquery: one row per event with its reason. */
function classified(p: SqlParams, m: BillMetric, s: BillScope): { with: string; from: string } {
  const run = p.add(s.runId);
  const dup = duplicatesCte(p, s, run);
  const value = valueExprs(p, m);
  const reasons = exclusions(p, m, s, value.numeric).map((x) => `${x.when}, ${p.add(x.reason)}`);
  // Group values only for billed events (short-circuit if): excluded ones get empty values of the same length.
  const groups = m.groupBy.length
    ? `if(reason = '', [${m.groupBy.map((k) => keyExpr(p, k).text).join(', ')}], arrayWithConstant(${m.groupBy.length}, ''))`
    : 'CAST([] AS Array(String))';
  const from = `(
    SELECT customer, event_time, source, line, seq, toUInt32(${PERIOD_START_SQL[s.period]}) AS period, ${groups} AS g,
      ${value.value} AS v, ${value.text} AS txt,
      multiIf(${reasons.join(',\n        ')}, '') AS reason
    FROM events WHERE run_id = ${run})`;
  return { with: dup ? `WITH ${dup}\n` : '', from };
}

/** Which bill rows belong to (see src/store/schema/008-bill.ts). */
export interface BillKey {
  billId: string;
  billedAt: string;
}

/**
 * One metric's rows into bill_rows (split into bill_usage and bill_exclusions by the views of
 * migration 8), from one pass over the events: billed events grouped per customer × period × group
 * values with their quantity; excluded events per reason, with what they carried (see
 * contributionSql). Written by the engine: a metric grouped by an identifier-like key has as many
 * usage lines as events, which would otherwise cross the wire twice.
 */
export function billRowsQuery(m: BillMetric, s: BillScope, bill: BillKey): Query {
  const p = new SqlParams();
  const c = classified(p, m, s);
  const cols = 'bill_id, run_id, billed_at, metric, aggregation, period, period_start, customer, group_values, quantity, events, reason, value';
  return {
    sql: `INSERT INTO bill_rows (${cols})
    ${c.with}SELECT ${p.add(bill.billId)}, ${p.add(s.runId)}, ${p.add(bill.billedAt.replace('T', ' ').replace('Z', ''), "DateTime64(3, 'UTC')")}, ${p.add(m.name)},
      ${p.add(m.aggregation)}, ${p.add(s.period)}, toDateTime(pp, 'UTC'), cc, mapFromArrays(${p.add(m.groupBy, 'Array(String)')}, gg), quantity, events, reason, value
    FROM (
      SELECT reason, if(reason = '', customer, '') AS cc, if(reason = '', period, 0) AS pp, g AS gg,
        count() AS events, ${quantitySql(m, `reason = ''`)} AS quantity, ${m.aggregation === 'UNIQUE' ? 'NULL' : `toFloat64(sum(${contributionSql(m)}))`} AS value
      FROM ${c.from}
      GROUP BY reason, cc, pp, gg)`,
    params: p.values,
  };
}

/** A bill's exclusions per metric and reason, most events first. */
export function exclusionsQuery(billId: string): Query {
  return { sql: `SELECT metric, reason, events, value FROM bill_exclusions WHERE bill_id = {bill:String} ORDER BY events DESC, reason`, params: { bill: billId } };
}

/** A bill's billed events and customers per metric. */
export function billedQuery(billId: string): Query {
  return {
    sql: `SELECT metric, sum(events) AS events, uniqExact(customer) AS customers FROM bill_usage WHERE bill_id = {bill:String} GROUP BY metric`,
    params: { bill: billId },
  };
}

/** A bill's usage lines back: metric, customer, period (unix s), group values, quantity, events; sorted. */
export function usageLinesQuery(billId: string, metrics: string[]): Query {
  return {
    sql: `SELECT metric, customer, toUInt32(period_start) AS period, mapValues(group_values) AS g, quantity, events
    FROM bill_usage WHERE bill_id = {bill:String}
    ORDER BY indexOf({metrics:Array(String)}, metric), customer, period, g`,
    params: { bill: billId, metrics },
  };
}

/** The quantity per customer × period over all groups (what a Stripe meter summary holds). */
export function totalsQuery(m: BillMetric, s: BillScope): Query {
  const p = new SqlParams();
  const c = classified(p, m, s);
  return {
    sql: `${c.with}SELECT customer, period, count() AS events, ${quantitySql(m)} AS quantity
    FROM ${c.from} WHERE reason = ''
    GROUP BY customer, period ORDER BY customer, period`,
    params: p.values,
  };
}

/** Customers with events the metric's event type filter passes: whom to ask Stripe about. */
export function customersQuery(m: BillMetric, runId: string): Query {
  const p = new SqlParams();
  return {
    sql: `SELECT DISTINCT customer FROM events WHERE run_id = ${p.add(runId)} AND customer != '' AND ${eventTypeCondition(p, m)} ORDER BY customer`,
    params: p.values,
  };
}

/** The run's event count, first and last event (epoch ms). */
export function spanQuery(runId: string): Query {
  return {
    sql: `SELECT count() AS n, toUnixTimestamp64Milli(min(event_time)) AS first, toUnixTimestamp64Milli(max(event_time)) AS last FROM events WHERE run_id = {run:String}`,
    params: { run: runId },
  };
}
