/**
 * Customers: exact distinct count and the top 10 by events (one scan, grouped by customer), then the
 * busiest second of each top customer (one scan restricted to those customers).
 */
import type { Store } from '../store/store.js';
import type { CustomerProfile } from './model.js';
import { isoOfSecond, num, type Query } from '../store/sql.js';

export const TOP_CUSTOMERS = 10;

/** The `top` customers by events (ties by id), each row also carrying the distinct count of all customers. */
export function topCustomersQuery(runId: string, top = TOP_CUSTOMERS): Query {
  return {
    sql: `SELECT customer, n, count() OVER () AS distinct FROM (
       SELECT customer, count() AS n FROM events WHERE run_id = {run:String} AND customer != '' GROUP BY customer)
     ORDER BY n DESC, customer LIMIT {top:UInt32}`,
    params: { run: runId, top },
  };
}

/** The busiest second of each of the given customers (events, and the earliest second with that many). */
export function customerPeaksQuery(runId: string, ids: string[]): Query {
  return {
    sql: `SELECT customer, max(c) AS p, argMax(s, (c, -toInt64(s))) AS at FROM (
           SELECT customer, toUInt32(toDateTime(event_time, 'UTC')) AS s, count() AS c
           FROM events WHERE run_id = {run:String} AND customer IN {ids:Array(String)} GROUP BY customer, s)
         GROUP BY customer`,
    params: { run: runId, ids },
  };
}

export async function computeCustomers(store: Store, runId: string, total: number, key: string, missing: number): Promise<CustomerProfile> {
  const top = await store.select<{ customer: string; n: string; distinct: string }>(topCustomersQuery(runId));
  const ids = top.map((t) => t.customer);
  const peaks = ids.length ? await store.select<{ customer: string; p: string; at: string }>(customerPeaksQuery(runId, ids)) : [];
  const peakOf = new Map(peaks.map((p) => [p.customer, p]));
  return {
    key,
    distinct: num(top[0]?.distinct),
    missing,
    top: top.map((t) => {
      const pk = peakOf.get(t.customer);
      return {
        customer: t.customer,
        count: num(t.n),
        share: total ? num(t.n) / total : 0,
        peak1s: num(pk?.p),
        peak1sAt: isoOfSecond(num(pk?.at)),
      };
    }),
  };
}
