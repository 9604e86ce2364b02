/**
 * Customers: exact distinct count and the top 10 by events (one scan, grouped by customer), then the
 * busiest second of each top customer (one scan restricted to those customers).
 */
import type { Store } from '../store/store.js';
import type { CustomerProfile } from './model.js';
import { isoOfSecond, num } from '../store/sql.js';

const TOP_CUSTOMERS = 10;

export async function computeCustomers(
  store: Store,
  runId: string,
  total: number,
  key: string,
  missing: number,
): Promise<CustomerProfile> {
  const top = await store.select<{ customer: string; n: string; distinct: string }>(`SELECT customer, n, count() OVER () AS distinct FROM (
       SELECT customer, count() AS n FROM events WHERE run_id = {run:String} AND customer != '' GROUP BY customer)
     ORDER BY n DESC, customer LIMIT {top:UInt32}`,
    { run: runId, top: TOP_CUSTOMERS },
  );
  const ids = top.map((t) => t.customer);
  const peaks = ids.length
    ? await store.select<{ customer: string; p: string; at: string }>(`SELECT customer, max(c) AS p, argMax(s, (c, -toInt64(s))) AS at FROM (
           SELECT customer, toUInt32(toDateTime(event_time, 'UTC')) AS s, count() AS c
           FROM events WHERE run_id = {run:String} AND customer IN {ids:Array(String)} GROUP BY customer, s)
         GROUP BY customer`,
        { run: runId, ids },
      )
    : [];
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
