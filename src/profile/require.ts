/**
 * --require k1,k2: per event name, how many events carry every required key, per-key coverage
 * (from the property scan), and the (non-empty) customers whose events miss keys. Reads only the map keys.
 */
import type { Store } from '../store/store.js';
import type { PropertyProfile, RequirementCoverage } from './model.js';
import { num, type Query } from '../store/sql.js';

export const TOP_MISSING = 10;

/** Both queries bind the same parameters: the run, the required keys and the top-list length. */
const requireParams = (runId: string, keys: string[]) => ({ run: runId, req: keys, n: TOP_MISSING });

/** Per event name: events carrying every required key, and the customers of the others. */
export function completeEventsQuery(runId: string, keys: string[]): Query {
  return {
    sql: `SELECT event_name AS name, countIf(ok) AS complete, uniqExactIf(customer, NOT ok AND customer != '') AS customers
     FROM (SELECT event_name, customer, hasAll(mapKeys(properties), {req:Array(String)}) AS ok
           FROM events WHERE run_id = {run:String})
     GROUP BY name`,
    params: requireParams(runId, keys),
  };
}

/** Per event name: the customers with the most events missing a required key (at most TOP_MISSING). */
export function topMissingQuery(runId: string, keys: string[]): Query {
  return {
    sql: `SELECT event_name AS name, customer, count() AS c FROM events
     WHERE run_id = {run:String} AND customer != '' AND NOT hasAll(mapKeys(properties), {req:Array(String)})
     GROUP BY name, customer ORDER BY name, c DESC, customer LIMIT {n:UInt32} BY name`,
    params: requireParams(runId, keys),
  };
}

export async function computeRequirements(
  store: Store,
  runId: string,
  keys: string[],
  names: { name: string; count: number }[],
  props: PropertyProfile[],
): Promise<RequirementCoverage> {
  const totals = await store.select<{ name: string; complete: string; customers: string }>(completeEventsQuery(runId, keys));
  const top = await store.select<{ name: string; customer: string; c: string }>(topMissingQuery(runId, keys));
  const totalOf = new Map(totals.map((t) => [t.name, t]));
  const present = new Map(props.map((x) => [`${x.eventName}\u0000${x.key}`, x.present]));
  return {
    keys,
    byEventName: names.map(({ name, count }) => {
      const complete = num(totalOf.get(name)?.complete);
      return {
        eventName: name,
        events: count,
        complete,
        coverage: count ? complete / count : 0,
        perKey: keys.map((key) => {
          const n = present.get(`${name}\u0000${key}`) ?? 0;
          return { key, present: n, coverage: count ? n / count : 0 };
        }),
        customersMissing: num(totalOf.get(name)?.customers),
        topCustomersMissing: top.filter((t) => t.name === name).map((t) => ({ customer: t.customer, events: num(t.c) })),
      };
    }),
  };
}
