/**
 * Volume, per-event-name counts and the per-event checks (identifier/customer missing, stale, future)
 * in ONE scan of `events` (GROUPING SETS gives the per-name rows and the total row together).
 */
import type { Store } from '../store/store.js';
import type { ProfileReport } from './model.js';
import { isoSql, num, type Query } from '../store/sql.js';

const DAY_MS = 86_400_000;

export interface NameCounts {
  name: string;
  count: number;
  first: string;
  last: string;
}

export interface Checks {
  asOf: string;
  asOfSource: 'flag' | 'last-event';
  withoutIdentifier: number;
  withoutCustomer: number;
  staleOver35d: number;
  staleOver34d: number;
  futureOver5m: number;
  futureOver24h: number;
}

export interface VolumeResult extends Pick<ProfileReport, 'events' | 'rejects'> {
  names: NameCounts[];
  checks: Checks | null;
}

/**
 * Per-name counts and the time checks, plus one total row (is_total = 1).
 * @param asOfMs reference time (unix ms) for stale/future checks; undefined = the last event.
 */
export function volumeQuery(runId: string, asOfMs?: number): Query {
  return {
    sql: `WITH ifNull({asOf:Nullable(Int64)},
           (SELECT toUnixTimestamp64Milli(max(event_time)) FROM events WHERE run_id = {run:String})) AS as_of,
          toUnixTimestamp64Milli(event_time) AS t
     SELECT grouping(event_name) AS is_total, event_name AS name, count() AS n,
            ${isoSql('min(event_time)')} AS first, ${isoSql('max(event_time)')} AS last,
            any(as_of) AS as_of_ms,
            countIf(identifier = '') AS no_id,
            countIf(customer = '') AS no_customer,
            countIf(as_of - t > ${35 * DAY_MS}) AS stale35,
            countIf(as_of - t > ${34 * DAY_MS}) AS stale34,
            countIf(t - as_of > 300000) AS future5m,
            countIf(t - as_of > ${DAY_MS}) AS future24h
     FROM events WHERE run_id = {run:String}
     GROUP BY GROUPING SETS ((event_name), ())
     ORDER BY is_total DESC, n DESC, name`,
    params: { run: runId, asOf: asOfMs ?? null },
  };
}

/** Rejected lines per reason (the reason's detail after ':' dropped). */
export function rejectReasonsQuery(runId: string): Query {
  return {
    sql: `SELECT replaceRegexpOne(reason, ':.*$', '') AS reason, count() AS count FROM rejects WHERE run_id = {run:String}
     GROUP BY reason ORDER BY count DESC, reason`,
    params: { run: runId },
  };
}

/** The first rejected lines, in file order, their text cut to 200 characters. */
export function rejectExamplesQuery(runId: string): Query {
  return {
    sql: `SELECT source, line, reason, substring(raw, 1, 200) AS raw FROM rejects WHERE run_id = {run:String}
     ORDER BY source, line, seq LIMIT 5`,
    params: { run: runId },
  };
}

/** @param asOfMs reference time (unix ms) for stale/future checks; undefined = the last event. */
export async function computeVolume(store: Store, runId: string, asOfMs?: number): Promise<VolumeResult> {
  const rows = await store.select<Record<string, string | number | null>>(volumeQuery(runId, asOfMs));
  const totalRow = rows.find((r) => num(r.is_total) === 1);
  const nameRows = rows.filter((r) => num(r.is_total) === 0);
  const total = num(totalRow?.n);

  const byReason = await store.select<{ reason: string; count: string }>(rejectReasonsQuery(runId));
  const examples = await store.select<{ source: string; line: string; reason: string; raw: string }>(rejectExamplesQuery(runId));
  const rejected = byReason.reduce((s, r) => s + Number(r.count), 0);

  const checks: Checks | null =
    total === 0 || !totalRow
      ? null
      : {
          asOf: new Date(num(totalRow.as_of_ms)).toISOString(),
          asOfSource: asOfMs === undefined ? 'last-event' : 'flag',
          withoutIdentifier: num(totalRow.no_id),
          withoutCustomer: num(totalRow.no_customer),
          staleOver35d: num(totalRow.stale35),
          staleOver34d: num(totalRow.stale34),
          futureOver5m: num(totalRow.future5m),
          futureOver24h: num(totalRow.future24h),
        };

  return {
    events: {
      total,
      rejected,
      first: total ? String(totalRow!.first) : null,
      last: total ? String(totalRow!.last) : null,
    },
    rejects: {
      total: rejected,
      byReason: byReason.map((r) => ({ reason: r.reason, count: Number(r.count) })),
      examples: examples.map((e) => ({ source: e.source, line: Number(e.line), reason: e.reason, raw: e.raw })),
    },
    names: nameRows.map((r) => ({ name: String(r.name), count: num(r.n), first: String(r.first), last: String(r.last) })),
    checks,
  };
}
