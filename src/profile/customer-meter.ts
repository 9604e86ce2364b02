/**
 * The busiest second of one customer and event name (Stripe v1 takes one call at a time per customer
 * and meter), the (customer, event name, second) triples with more events than one connection
 * carries, and the customer × name pairs having one. Events without a customer are left out.
 */
import type { Store } from '../store/store.js';
import { num, type Query } from '../store/sql.js';

/**
 * Events per slice: the check runs once per slice of the customer × name pairs (by their hash), so
 * the set of busy triples its IN holds stays bounded (10.1M hashes, ~1.1 GiB of peak RSS, in one
 * slice at 100M events). A pair lies in one slice, so slices add up exactly.
 */
export const CUSTOMER_METER_SLICE_EVENTS = 40_000_000;

export const customerMeterSlices = (events: number, perSlice = CUSTOMER_METER_SLICE_EVENTS) => Math.max(1, Math.ceil(events / perSlice));

export interface Slice {
  of: number;
  index: number;
}

const CUSTOMER_SECOND = 'cityHash64(customer, event_name, intDiv(toUnixTimestamp64Milli(event_time), 1000))';

/**
 * Per customer × event name × second: the busiest (earliest on ties), the triples with more events than
 * `sequential` (what one call at a time carries in a second) and the customer × name pairs having one.
 * Events without a customer are left out (Stripe rejects them). Only triples of two or more events are
 * grouped exactly: they are the events whose triple's hash another event shares (found by grouping
 * 64-bit hashes, much cheaper than ~N string keys: 20M events 20.5 → 9.0 CPU s; a collision only adds
 * candidates). When no triple has two events the peak is 1: customerMeterSinglesQuery. With fewer
 * than one sequential event per second (latency over 1 s) every triple counts, so all are grouped.
 */
export function customerMeterQuery(runId: string, sequential: number, slice: Slice = { of: 1, index: 0 }): Query {
  const inSlice = slice.of > 1 ? ' AND cityHash64(customer, event_name) % {slices:UInt64} = {slice:UInt64}' : '';
  const busy = `AND ${CUSTOMER_SECOND} GLOBAL IN (
         SELECT ${CUSTOMER_SECOND} AS h FROM events WHERE run_id = {run:String} AND customer != ''${inSlice}
         GROUP BY h HAVING count() > 1)`;
  return {
    sql: `SELECT max(c) AS peak, argMax(tuple(customer, event_name, s), tuple(c, -toInt64(s))) AS top,
       countIf(c > {seq:Float64}) AS over, uniqExactIf(tuple(customer, event_name), c > {seq:Float64}) AS pairs
     FROM (
       SELECT customer, event_name, intDiv(toUnixTimestamp64Milli(event_time), 1000) AS s, count() AS c
       FROM events WHERE run_id = {run:String} AND customer != ''${inSlice} ${sequential >= 1 ? busy : ''}
       GROUP BY customer, event_name, s)`,
    params: { run: runId, seq: sequential, ...(slice.of > 1 ? { slices: slice.of, slice: slice.index } : {}) },
  };
}

/**
 * The busiest triple when none has two events (and one event a second is within `sequential`): the
 * earliest event with a customer (peak 1, or 0 without any), no second over.
 */
export function customerMeterSinglesQuery(runId: string): Query {
  return {
    sql: `SELECT toUInt64(count() > 0) AS peak, argMin(tuple(customer, event_name, intDiv(toUnixTimestamp64Milli(event_time), 1000)), event_time) AS top,
       0 AS over, 0 AS pairs
     FROM events WHERE run_id = {run:String} AND customer != ''`,
    params: { run: runId },
  };
}

export interface Busiest {
  peak: string;
  top: [string, string, string];
  over: string;
  pairs: string;
}

/** The check over every slice: the busiest of their busiest (earliest second on ties), the rest summed. */
export async function busiestCustomerSeconds(store: Store, runId: string, sequential: number, slices = 1): Promise<Busiest | undefined> {
  let best: Busiest | undefined;
  let over = 0;
  let pairs = 0;
  for (let index = 0; index < slices; index++) {
    const [r] = await store.select<Busiest>(customerMeterQuery(runId, sequential, { of: slices, index }));
    if (!r) continue;
    over += num(r.over);
    pairs += num(r.pairs);
    const [p, b] = [num(r.peak), num(best?.peak)];
    if (p > b || (p > 0 && p === b && num(r.top[2]) < num(best!.top[2]))) best = r;
  }
  if (!num(best?.peak) && sequential >= 1) return (await store.select<Busiest>(customerMeterSinglesQuery(runId)))[0];
  return best && { ...best, over: String(over), pairs: String(pairs) };
}
