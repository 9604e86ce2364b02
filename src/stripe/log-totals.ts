/**
 * What the log says a meter billed, per customer and window, computed in ClickHouse the way Stripe
 * aggregates: only events Stripe accepts (customer key present, numeric value), an identifier seen
 * again within 24 hours of its previous occurrence dropped as Stripe's deduplication does, then
 * SUM of values, COUNT of events, or the value of the LAST event (by event time, then log order).
 */
import type { Store } from '../store/store.js';
import { SqlParams, type Query } from '../store/sql.js';
import { meterColumns } from './sql.js';
import type { StripeMeter } from './meters.js';
import type { MeterWindows } from './windows.js';

export interface LogWindowTotal {
  customer: string;
  /** Window start, unix seconds. */
  window: number;
  events: number;
  sum: number;
  /** Value of the last event in the window. */
  last: number;
}

export interface LogTotals {
  rows: LogWindowTotal[];
  /** Events of this meter's name Stripe would reject (no customer, no or non-numeric value). */
  rejected: number;
  /** Accepted events dropped as duplicate identifiers (0 with dedup off). */
  duplicates: number;
  /** The same two per customer (the customer '' holds the rejects without one); customers with none are left out. */
  byCustomer: Map<string, { rejected: number; duplicates: number }>;
}

/** Stripe deduplicates identifiers over a rolling window of at least 24 hours. */
export const DEDUP_WINDOW_MS = 24 * 3600 * 1000;

/**
 * One row per (customer, window) with kind 'window', plus per customer a 'stats' row (events =
 * duplicates dropped) and a 'rejected' row (events = events of the name Stripe would reject), when
 * not zero.
 */
export function logTotalsQuery(runId: string, meter: StripeMeter, w: MeterWindows, opts: { dedup: boolean }): Query {
  const p = new SqlParams();
  const run = p.add(runId);
  const name = p.add(meter.eventName);
  const ck = p.add(meter.customerKey);
  const vk = p.add(meter.valueKey);
  const span = w.granularity === 'span';
  const bucket = span ? p.add(w.start, 'UInt32') : `intDiv(toUInt32(toUnixTimestamp(event_time)), ${p.add(w.unit, 'UInt32')}) * ${p.add(w.unit, 'UInt32')}`;
  const dedup = p.add(opts.dedup ? 1 : 0, 'UInt8');
  const order = 'event_time, source, line, seq';
  const sql = `
    WITH meter_events AS (
      SELECT event_time, source, line, seq, identifier, ${meterColumns(ck, vk)}
      FROM events WHERE run_id = ${run} AND event_name = ${name}
    ),
    accepted AS (
      SELECT *,
        lagInFrame(toNullable(event_time)) OVER (PARTITION BY identifier ORDER BY ${order} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS prev_time,
        ${dedup} = 1 AND identifier != '' AND prev_time IS NOT NULL
          AND dateDiff('millisecond', assumeNotNull(prev_time), event_time) < ${DEDUP_WINDOW_MS} AS duplicate
      FROM meter_events WHERE m_customer != '' AND m_is_numeric
    )
    SELECT 'window' AS kind, m_customer AS customer, toUInt32(${bucket}) AS window,
      count() AS events, sum(assumeNotNull(m_value)) AS sum,
      argMax(assumeNotNull(m_value), tuple(${order})) AS last
    FROM accepted WHERE NOT duplicate
    GROUP BY customer, window
    UNION ALL
    SELECT 'stats', m_customer, 0, countIf(duplicate) AS n, 0, 0 FROM accepted GROUP BY m_customer HAVING n > 0
    UNION ALL
    SELECT 'rejected', m_customer, 0, count(), 0, 0 FROM meter_events WHERE NOT (m_customer != '' AND m_is_numeric) GROUP BY m_customer`;
  return { sql, params: p.values };
}

export async function logTotals(store: Store, runId: string, meter: StripeMeter, w: MeterWindows, opts: { dedup: boolean }): Promise<LogTotals> {
  const rows = await store.select<{ kind: string; customer: string; window: number | string; events: string; sum: number; last: number }>(
    logTotalsQuery(runId, meter, w, opts),
  );
  const out: LogTotals = { rows: [], rejected: 0, duplicates: 0, byCustomer: new Map() };
  const of = (customer: string) => out.byCustomer.get(customer) ?? out.byCustomer.set(customer, { rejected: 0, duplicates: 0 }).get(customer)!;
  for (const r of rows) {
    if (r.kind === 'stats') {
      out.duplicates += Number(r.events);
      of(r.customer).duplicates += Number(r.events);
    } else if (r.kind === 'rejected') {
      out.rejected += Number(r.events);
      of(r.customer).rejected += Number(r.events);
    } else out.rows.push({ customer: r.customer, window: Number(r.window), events: Number(r.events), sum: Number(r.sum), last: Number(r.last) });
  }
  out.rows.sort((a, b) => (a.customer < b.customer ? -1 : a.customer > b.customer ? 1 : a.window - b.window));
  return out;
}
