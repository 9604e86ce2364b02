/**
 * How payload keys (single or combined) are used, per event name: the figures the group-key planner
 * (src/advice/) needs and the property pass does not give, for a list of items (event name, keys),
 * one read of `events` per kind of item (whole names, single keys, compounds):
 * - events carrying all the keys and the sum of their values (what an exists filter keeps);
 * - distinct value combinations observed, in the whole span and before the name's median time
 *   (a key whose values keep appearing as volume grows "grows with usage");
 * - distinct combinations per customer: nearest-rank p50 and p99 over customers, and the maximum.
 * Combinations are counted as 64-bit hashes of the values, as properties.countCompounds does.
 * An item with no keys measures the name as a whole (every event, its total value).
 */
import type { Store } from '../store/store.js';
import type { KeyUsage } from './model.js';
import { num, type Query } from '../store/sql.js';
import { FIRST_OF_KEY, PAYLOAD_PAIRS } from './payload-pairs.js';
import type { KeyCounts } from './properties.js';

export interface KeyItem {
  eventName: string;
  keys: string[];
}

export const keyItemId = (i: KeyItem) => JSON.stringify([i.eventName, ...i.keys]);

/** Each item once (by keyItemId), first occurrence kept. */
export const uniqueItems = (items: KeyItem[]) => [...new Map(items.map((i) => [keyItemId(i), i])).values()];

/**
 * The parameters that let a query join each event to its name's items: `items_of` (name → 1-based
 * item indices), the names, and each item's name and keys by index (`item_names`, `item_keys`).
 */
export function itemParams(items: KeyItem[]) {
  const itemsOf = new Map<string, number[]>();
  items.forEach((item, i) => itemsOf.set(item.eventName, [...(itemsOf.get(item.eventName) ?? []), i + 1]));
  return { names: [...itemsOf.keys()], items_of: Object.fromEntries(itemsOf), item_names: items.map((i) => i.eventName), item_keys: items.map((i) => i.keys) };
}

/** Result rows (name, keys, …) by the keyItemId of the item they measure. */
export const rowsByItem = <R extends { name: unknown; keys: unknown[] }>(rows: R[]) =>
  new Map(rows.map((r) => [keyItemId({ eventName: String(r.name), keys: r.keys.map(String) }), r]));

/**
 * Where each event name's median time lies: the minute holding the lower median (the ⌊(n−1)/2⌋-th
 * time, 0-based, as quantileExactLow(0.5) picks it) and its rank within that minute. Counting per
 * minute keeps memory bounded; an exact quantile holds every time (100M events: 2.2 GiB).
 */
export function medianMinutesQuery(runId: string, names: string[]): Query {
  return {
    sql: `SELECT name, minute, k - (cum - c) AS nth FROM (
       SELECT name, minute, c, sum(c) OVER (PARTITION BY name ORDER BY minute ROWS UNBOUNDED PRECEDING) AS cum,
         intDiv(sum(c) OVER (PARTITION BY name) - 1, 2) AS k
       FROM (
         SELECT event_name AS name, intDiv(toUnixTimestamp64Milli(event_time), 60000) AS minute, count() AS c
         FROM events WHERE run_id = {run:String} AND event_name IN {names:Array(String)} GROUP BY name, minute))
     WHERE cum - c <= k AND k < cum`,
    params: { run: runId, names },
  };
}

/** The median event time (ms) of each name: the `nth` (0-based) time of the minute medianMinutesQuery found. */
export function medianTimesQuery(runId: string, minutes: { name: string; minute: number; nth: number }[]): Query {
  return {
    sql: `SELECT event_name AS name, arraySort(groupArray(toUnixTimestamp64Milli(event_time)))[{nth:Map(String, UInt64)}[event_name] + 1] AS mid
     FROM events WHERE run_id = {run:String} AND event_name IN {names:Array(String)}
       AND intDiv(toUnixTimestamp64Milli(event_time), 60000) = {minute:Map(String, Int64)}[event_name]
     GROUP BY event_name`,
    params: {
      run: runId,
      names: minutes.map((x) => x.name),
      nth: Object.fromEntries(minutes.map((x) => [x.name, x.nth])),
      minute: Object.fromEntries(minutes.map((x) => [x.name, x.minute])),
    },
  };
}

export async function medianTimes(store: Store, runId: string, names: string[]): Promise<Map<string, number>> {
  const rows = await store.select<{ name: string; minute: string; nth: string }>(medianMinutesQuery(runId, names));
  const minutes = rows.map((r) => ({ name: String(r.name), minute: num(r.minute), nth: num(r.nth) }));
  if (minutes.length === 0) return new Map();
  const mids = await store.select<{ name: string; mid: string }>(medianTimesQuery(runId, minutes));
  return new Map(mids.map((r) => [String(r.name), num(r.mid)]));
}

/** Nearest-rank percentile (the ⌈q·n⌉-th smallest) of a sorted array column. */
const rank = (arr: string, q: number) => `${arr}[greatest(1, toUInt64(ceil(${q} * length(${arr}))))]`;

/**
 * Each item's value combination as a hash, the values looked up by bound key names (one expression per
 * distinct key list, picked by `kx`): a per-row lambda over the item's keys cost ~1 CPU s per million events.
 */
function comboHash(lists: string[][], keys: string[]): string {
  const lookup = (l: string[]) => `cityHash64(CAST([${l.map((k) => `properties[{k${keys.indexOf(k)}:String}]`).join(', ')}], 'Array(String)'))`;
  if (lists.length === 1) return lookup(lists[0]);
  return `multiIf(${lists
    .slice(0, -1)
    .map((l, j) => `kx = ${j}, ${lookup(l)}`)
    .join(', ')}, ${lookup(lists[lists.length - 1])})`;
}

/**
 * Per customer: events, value and distinct combinations `d`; with `states`, also the hash sets (all,
 * and before the median time) the per-item step merges into distinct and first-half counts.
 */
const perCustomer = (states: boolean) =>
  `count() AS n, sum(ifNull(value, 0)) AS val, ${states ? 'uniqExactState(h) AS s, uniqExactStateIf(h, first) AS f, finalizeAggregation(s) AS d' : 'uniqExact(h) AS d'}`;
/** Per item over perCustomer's rows; without the states its distinct and first-half counts come from elsewhere (0 here). */
const perItem = (states: boolean) =>
  `sum(n) AS present, sum(val) AS value, ${states ? 'uniqExactMerge(s) AS distinct, uniqExactMerge(f) AS first_half' : '0 AS distinct, 0 AS first_half'},
       count() AS customers, arraySort(groupArray(d)) AS ds, ${rank('ds', 0.5)} AS p50, ${rank('ds', 0.99)} AS p99, max(d) AS mx`;
const FIRST_HALF = 'toUnixTimestamp64Milli(event_time) < {mids:Map(String, Int64)}[event_name] AS first';
/**
 * The events of the items' names, each customer as a 64-bit hash taken before a join multiplies the
 * rows: a number is cheaper to copy per pair and to group by than the text (20M events, single keys:
 * 19.1 → 16.0 CPU s). Customers are told apart by that hash, as combinations are.
 */
const eventsOf = (withTime: boolean) =>
  `SELECT event_name, cityHash64(customer) AS customer, value, ${withTime ? 'event_time, ' : ''}properties
   FROM events WHERE run_id = {run:String} AND event_name IN {names:Array(String)}`;

/**
 * Items of two or more keys: events join their own name's items (`ix`, 1-based, by a map lookup);
 * groups are keyed by the item's index, and each customer's distinct count is its state's value.
 */
export function keyUsageQuery(runId: string, items: KeyItem[], mids: Map<string, number>): Query {
  const lists = [...new Map(items.map((i) => [JSON.stringify(i.keys), i.keys])).values()];
  const keys = [...new Set(lists.flat())];
  const params: Record<string, unknown> = {
    run: runId,
    ...itemParams(items),
    item_list: items.map((i) => lists.findIndex((l) => JSON.stringify(l) === JSON.stringify(i.keys))),
    mids: Object.fromEntries(mids),
  };
  keys.forEach((k, i) => (params[`k${i}`] = k));
  return {
    sql: `SELECT {item_names:Array(String)}[ix] AS name, {item_keys:Array(Array(String))}[ix] AS keys, ${perItem(true)}
     FROM (
       SELECT ix, customer, ${perCustomer(true)}
       FROM (
         SELECT ix, {item_list:Array(UInt32)}[ix] AS kx, customer, value, ${FIRST_HALF}, ${comboHash(lists, keys)} AS h
         FROM (${eventsOf(true)}) ARRAY JOIN {items_of:Map(String, Array(UInt32))}[event_name] AS ix
         WHERE hasAll(mapKeys(properties), {item_keys:Array(Array(String))}[ix]))
       GROUP BY ix, customer)
     GROUP BY ix`,
    params,
  };
}

/**
 * Items of one key: one row per payload pair whose key is an item of the event's name, found by a
 * lookup (name → key → item): at 20M events 55 → 24 CPU s against joining every event to its items
 * and looking each key up in the map (bench/RESULTS.md). A key repeated in one payload counts once,
 * with its first value, as the map lookup of the compound query reads it (payload-pairs.ts).
 */
export function singleKeyUsageQuery(runId: string, items: KeyItem[], mids: Map<string, number>, opts: { counted?: boolean } = {}): Query {
  const ixOf: Record<string, Record<string, number>> = {};
  items.forEach((item, i) => ((ixOf[item.eventName] ??= {})[item.keys[0]] = i + 1));
  // Keys the property pass counted need only per-customer sets: their distinct and first-half
  // counts come from it (one hash set per customer instead of two, and no merge across customers).
  const states = !opts.counted;
  return {
    sql: `SELECT {item_names:Array(String)}[ix] AS name, {item_keys:Array(Array(String))}[ix] AS keys, ${perItem(states)}
     FROM (
       SELECT ix, customer, ${perCustomer(states)}
       FROM (
         SELECT {ix_of:Map(String, Map(String, UInt32))}[event_name][k] AS ix, customer, value, ${states ? `${FIRST_HALF}, ` : ''}cityHash64(v) AS h
         FROM (${eventsOf(states)}) ${PAYLOAD_PAIRS}
         WHERE ${FIRST_OF_KEY} AND ix > 0)
       GROUP BY ix, customer)
     GROUP BY ix`,
    params: {
      run: runId,
      names: Object.keys(ixOf),
      ix_of: ixOf,
      item_names: items.map((i) => i.eventName),
      item_keys: items.map((i) => i.keys),
      mids: Object.fromEntries(mids),
    },
  };
}

/** Items of no key (each name as a whole): every event, one combination. */
export function wholeNameUsageQuery(runId: string, names: string[], mids: Map<string, number>): Query {
  return {
    sql: `SELECT name, [] AS keys, sum(n) AS present, sum(val) AS value, 1 AS distinct, max(f) AS first_half,
       count() AS customers, 1 AS p50, 1 AS p99, 1 AS mx
     FROM (
       SELECT event_name AS name, customer, count() AS n, sum(ifNull(value, 0)) AS val,
         min(toUnixTimestamp64Milli(event_time)) < {mids:Map(String, Int64)}[event_name] AS f
       FROM events WHERE run_id = {run:String} AND event_name IN {names:Array(String)}
       GROUP BY event_name, customer)
     GROUP BY name`,
    params: { run: runId, names, mids: Object.fromEntries(mids) },
  };
}

/** One query per kind of item (whole names, single keys counted or not, compounds): each is cheapest its own way. */
function usageQueries(runId: string, items: KeyItem[], mids: Map<string, number>, counted: Map<string, KeyCounts>): Query[] {
  const whole = items.filter((i) => i.keys.length === 0).map((i) => i.eventName);
  const single = items.filter((i) => i.keys.length === 1 && !counted.has(keyItemId(i)));
  const known = items.filter((i) => i.keys.length === 1 && counted.has(keyItemId(i)));
  const compound = items.filter((i) => i.keys.length > 1);
  return [
    ...(whole.length ? [wholeNameUsageQuery(runId, whole, mids)] : []),
    ...(single.length ? [singleKeyUsageQuery(runId, single, mids)] : []),
    ...(known.length ? [singleKeyUsageQuery(runId, known, mids, { counted: true })] : []),
    ...(compound.length ? [keyUsageQuery(runId, compound, mids)] : []),
  ];
}

/**
 * What the caller already has: the median times, and per single-key item (keyItemId) the counts the
 * property pass made with those same median times.
 */
export interface KnownUsage {
  mids: Map<string, number>;
  counted: Map<string, KeyCounts>;
}

type UsageRow = Record<string, unknown> & { name: string; keys: string[] };

/** Measures each item; an item no event carries comes back with zeros. */
export async function measureKeyUsage(store: Store, runId: string, items: KeyItem[], known?: KnownUsage): Promise<KeyUsage[]> {
  const unique = uniqueItems(items);
  if (unique.length === 0) return [];
  const names = [...new Set(unique.map((i) => i.eventName))];
  const mids = known?.mids ?? (await medianTimes(store, runId, names));
  const counted = known?.counted ?? new Map<string, KeyCounts>();
  const rows: UsageRow[] = [];
  for (const q of usageQueries(runId, unique, mids, counted)) rows.push(...(await store.select<UsageRow>(q)));
  const byId = rowsByItem(rows);
  return unique.map((i) => {
    const found = byId.get(keyItemId(i));
    const c = counted.get(keyItemId(i));
    const r: Record<string, unknown> | undefined = found && c ? { ...found, distinct: c.distinct, first_half: c.firstHalf } : found;
    return {
      eventName: i.eventName,
      keys: [...i.keys],
      present: num(r?.present),
      value: num(r?.value),
      distinct: num(r?.distinct),
      firstHalfDistinct: num(r?.first_half),
      customers: num(r?.customers),
      perCustomer: { p50: num(r?.p50), p99: num(r?.p99), max: num(r?.mx) },
    };
  });
}
