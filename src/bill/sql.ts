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
 * (found by a GROUP BY over their hashes) are ordered.
 */
function duplicatesCte(p: SqlParams, s: BillScope, run: string): string | null {
  if (s.dedup === 'none') return null;
  const w = acceptWindow(p, s);
  const ingested = `run_id = ${run} AND identifier != '' AND customer != ''${w ? ` AND NOT (${w.tooOld}) AND NOT (${w.tooNew})` : ''}`;
  return `dup AS (
    SELECT source, line, seq FROM (
      SELECT source, line, seq, toUnixTimestamp64Milli(event_time) AS t, row_number() OVER w AS rn, lagInFrame(t) OVER w AS prev_t
      FROM events
      WHERE ${ingested} AND cityHash64(identifier) IN (
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
  if (s.dedup !== 'none') out.push({ when: '(source, line, seq) IN (SELECT source, line, seq FROM dup)', reason: DEDUP_REASON[s.dedup] });
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
  const groups = m.groupBy.length ? `[${m.groupBy.map((k) => keyExpr(p, k).text).join(', ')}]` : 'CAST([] AS Array(String))';
  const from = `(
    SELECT customer, event_time, source, line, seq, toUInt32(${PERIOD_START_SQL[s.period]}) AS period, ${groups} AS g,
      ${value.value} AS v, ${value.text} AS txt,
      multiIf(${reasons.join(',\n        ')}, '') AS reason
    FROM events WHERE run_id = ${run})`;
  return { with: dup ? `WITH ${dup}\n` : '', from };
}

/** Usage lines: per customer × period × group values, the quantity and the billed events. */
export function usageQuery(m: BillMetric, s: BillScope): Query {
  const p = new SqlParams();
  const c = classified(p, m, s);
  return {
    sql: `${c.with}SELECT customer, period, g, count() AS events, ${quantitySql(m)} AS quantity
    FROM ${c.from} WHERE reason = ''
    GROUP BY customer, period, g ORDER BY customer, period, g`,
    params: p.values,
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

/** Events and excluded value per reason ('' = billed). */
export function reasonsQuery(m: BillMetric, s: BillScope): Query {
  const p = new SqlParams();
  const c = classified(p, m, s);
  return {
    sql: `${c.with}SELECT reason, count() AS events, sum(${contributionSql(m)}) AS value
    FROM ${c.from} GROUP BY reason ORDER BY events DESC, reason`,
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
