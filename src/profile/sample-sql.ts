/**
 * The sums the sampling estimators need, per sampling unit: Σ y and Σ y² of each figure, where y is
 * the figure's count (or value) within one unit. Under event sampling the unit is an identifier with
 * all its copies, or one event without an identifier (EVENT_SAMPLE_UNIT_SQL); under object sampling
 * it is one source. Grouping by the unit first is what makes the variance honest about units that
 * carry several events.
 */
import type { Query } from '../store/sql.js';
import type { SampleBy } from '../util/sample.js';
import { EVENT_SAMPLE_UNIT_SQL } from '../util/sample.js';
import { REUSES, WINDOW_24H_MS, WINDOW_34D_MS } from './identity.js';

const DAY_MS = 86_400_000;

export const unitSql = (by: SampleBy): string => (by === 'object' ? 'source' : EVENT_SAMPLE_UNIT_SQL);

/** Per-unit counts of the whole-run checks (column → condition); `n` counts every event. */
export const UNIT_CHECKS: Record<string, string> = {
  n: '1',
  no_id: "identifier = ''",
  no_customer: "customer = ''",
  no_value: 'isNull(value)',
  stale35: `as_of - t > ${35 * DAY_MS}`,
  stale34: `as_of - t > ${34 * DAY_MS}`,
  future5m: 'as_of - t < -300000',
  future24h: `as_of - t < -${DAY_MS}`,
};

/**
 * Σ y and Σ y² per event name (is_total = 0) and for the whole run (is_total = 1), for every check
 * and for the value column (`v`); the run's rows group units across names, so a unit's events of
 * several names count as one unit there.
 */
export function unitSumsQuery(runId: string, by: SampleBy, asOfMs: number): Query {
  const checks = Object.entries(UNIT_CHECKS);
  const inner = checks.map(([c, cond]) => `countIf(${cond}) AS ${c}`).join(', ');
  const outer = checks.map(([c]) => `sum(${c}) AS x_${c}, sum(${c} * ${c}) AS s_${c}`).join(', ');
  return {
    sql: `SELECT is_total, name, ${outer}, sum(v) AS x_v, sum(v * v) AS s_v FROM (
       SELECT ${unitSql(by)} AS unit, event_name AS name, grouping(event_name) AS is_total, ${inner}, sum(ifNull(value, 0)) AS v
       FROM (SELECT *, toUnixTimestamp64Milli(event_time) AS t, {asOf:Int64} AS as_of FROM events WHERE run_id = {run:String})
       GROUP BY GROUPING SETS ((unit, event_name), (unit)))
     GROUP BY is_total, name ORDER BY is_total DESC, name`,
    params: { run: runId, asOf: asOfMs },
  };
}

/** Σ y and Σ y² of events per customer, for the customers named. */
export function customerSumsQuery(runId: string, by: SampleBy, customers: string[]): Query {
  return {
    sql: `SELECT customer, sum(n) AS x, sum(n * n) AS s FROM (
       SELECT ${unitSql(by)} AS unit, customer, count() AS n FROM events
       WHERE run_id = {run:String} AND customer IN {customers:Array(String)} GROUP BY unit, customer)
     GROUP BY customer`,
    params: { run: runId, customers },
  };
}

/** Event sampling: Σ y and Σ y² of the reuses within 24 h and 34 days, y per identifier (every copy of one is in one unit). */
export function duplicateSumsQuery(runId: string): Query {
  return {
    sql: `SELECT sum(y24) AS x24, sum(y24 * y24) AS s24, sum(y34) AS x34, sum(y34 * y34) AS s34 FROM (
       SELECT identifier, countIf(gap <= {d24:Int64}) AS y24, countIf(gap <= {d34:Int64}) AS y34 FROM (${REUSES}) GROUP BY identifier)`,
    params: { run: runId, d24: WINDOW_24H_MS, d34: WINDOW_34D_MS },
  };
}

/** Object sampling: per source and event name, its events (keyed = 0) and those carrying each key (keyed = 1): the ratio estimator's units. */
export function presenceBySourceQuery(runId: string): Query {
  return {
    sql: `SELECT source, event_name AS name, kk.1 AS keyed, kk.2 AS key, count() AS n FROM events
       ARRAY JOIN arrayConcat([(0, '')], arrayMap(k -> (1, k), mapKeys(properties))) AS kk
       WHERE run_id = {run:String} GROUP BY source, name, keyed, key`,
    params: { run: runId },
  };
}
