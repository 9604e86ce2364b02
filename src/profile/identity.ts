/**
 * Identity and ordering checks.
 * Duplicates: one GROUP BY finds the identifiers used more than once; only their events are then
 * ordered (time, then source/line/position) to measure the gap to the previous use. The GROUP BY is
 * over 64-bit hashes of the identifiers (half the time of grouping the strings at 5M events): a hash
 * collision only lets two distinct identifiers into the window step, which partitions by the
 * identifier itself, so the counts stay exact.
 * GLOBAL IN: on a cluster the set of reused hashes is built once on the initiator over every shard
 * and sent to each (a plain IN over the Distributed table is refused there, error 288); on one node
 * it is an ordinary IN.
 * "Already used within the previous 24 h" only needs the previous use: if any earlier use is in the
 * window, the latest earlier one is.
 * Out of order: events compared with the previous event of the same source in file order.
 * Both windows only look one row back (row_number does not depend on the frame), so ClickHouse does
 * not keep a whole partition per frame: 20M events, 2.06 -> 0.75 GB peak RSS.
 */
import type { Store } from '../store/store.js';
import type { DuplicateExample, IdentityProfile } from './model.js';
import { num, type Query } from '../store/sql.js';

export const WINDOW_24H_MS = 86_400_000;
export const WINDOW_34D_MS = 34 * 86_400_000;
const EXAMPLES = 5;

/** (t ms, source, line, identifier, gap ms, previous t ms, previous source, previous line) */
type ExampleRow = [unknown, unknown, unknown, unknown, unknown, unknown, unknown, unknown];

/** Every use of an identifier after its first, with the gap to the previous use (ms). */
export const REUSES = `
  SELECT identifier, t, source, line, prev_t, prev_source, prev_line, t - prev_t AS gap FROM (
    SELECT identifier, toUnixTimestamp64Milli(event_time) AS t, source, line,
      row_number() OVER w AS rn,
      lagInFrame(t) OVER w AS prev_t,
      lagInFrame(toString(source)) OVER w AS prev_source,
      lagInFrame(line) OVER w AS prev_line
    FROM events
    WHERE run_id = {run:String} AND identifier != '' AND cityHash64(identifier) GLOBAL IN (
      SELECT h FROM (SELECT cityHash64(identifier) AS h FROM events WHERE run_id = {run:String} AND identifier != '')
      GROUP BY h HAVING count() > 1)
    WINDOW w AS (PARTITION BY identifier ORDER BY event_time, source, line, seq ROWS BETWEEN 1 PRECEDING AND CURRENT ROW))
  WHERE rn > 1`;

/** One query: the counts and the earliest examples of each kind (groupArraySorted keeps only 5). */
export function duplicatesQuery(runId: string): Query {
  return {
    sql: `SELECT uniqExact(identifier) AS ids, countIf(gap <= {d24:Int64}) AS d24, countIf(gap <= {d34:Int64}) AS d34,
       groupArraySortedIf(${EXAMPLES})((t, source, line, identifier, gap, prev_t, prev_source, prev_line), gap <= {d24:Int64}) AS e24,
       groupArraySortedIf(${EXAMPLES})((t, source, line, identifier, gap, prev_t, prev_source, prev_line),
         gap > {d24:Int64} AND gap <= {d34:Int64}) AS e34
     FROM (${REUSES})`,
    params: { run: runId, d24: WINDOW_24H_MS, d34: WINDOW_34D_MS },
  };
}

export async function computeIdentity(store: Store, runId: string, withoutIdentifier: number): Promise<IdentityProfile> {
  const [agg] = await store.select<{ ids: string; d24: string; d34: string; e24: ExampleRow[]; e34: ExampleRow[] }>(duplicatesQuery(runId));
  const iso = (ms: unknown) => new Date(num(ms)).toISOString();
  const toExample = ([t, source, line, identifier, gap, prevT, prevSource, prevLine]: ExampleRow): DuplicateExample => ({
    identifier: String(identifier),
    gapSeconds: num(gap) / 1000,
    first: { at: iso(prevT), source: String(prevSource), line: num(prevLine) },
    duplicate: { at: iso(t), source: String(source), line: num(line) },
  });
  return {
    withoutIdentifier,
    reusedIdentifiers: num(agg?.ids),
    duplicates24h: num(agg?.d24),
    duplicates34d: num(agg?.d34),
    examples24h: (agg?.e24 ?? []).map(toExample),
    examples34d: (agg?.e34 ?? []).map(toExample),
  };
}

/** Events earlier than the previous event of their source (file order), and the largest step back (ms). */
export function orderQuery(runId: string): Query {
  return {
    sql: `SELECT countIf(rn > 1 AND t < prev_t) AS n, max(if(rn > 1, greatest(prev_t - t, 0), 0)) AS back FROM (
       SELECT toUnixTimestamp64Milli(event_time) AS t,
         row_number() OVER w AS rn, lagInFrame(t) OVER w AS prev_t
       FROM events WHERE run_id = {run:String}
       WINDOW w AS (PARTITION BY source ORDER BY line, seq ROWS BETWEEN 1 PRECEDING AND CURRENT ROW))`,
    params: { run: runId },
  };
}

export async function computeOrder(store: Store, runId: string): Promise<{ outOfOrder: number; maxBackwardsSeconds: number }> {
  const [r] = await store.select<{ n: string; back: string }>(orderQuery(runId));
  return { outOfOrder: num(r?.n), maxBackwardsSeconds: num(r?.back) / 1000 };
}
