/**
 * Payload properties per event name × key, in at most four reads of the `properties` column:
 * 1. scanKeys: presence and approximate distinct count (HyperLogLog) per key: hashing only, and only
 *    for the keys pass 2 found beyond the exact limit (see profileKeys);
 * 2. countValues: exact per-value counts for every key whose estimate is within the exact limit,
 *    aggregated again per key in the same query: distinct counts, top values, exact percentiles, and
 *    the key's shape (JSON types, numeric min/max/mean, text length) from each distinct value weighted
 *    by its count, so the regexes run once per distinct value instead of once per event;
 * 3. estimateLargeKeys (only if some key exceeds the exact limit): space-saving top values,
 *    t-digest percentiles and the shape per event, so no key ever needs an unbounded exact set;
 * 4. countCompounds: value combinations of the dimension candidates (one lookup per key and event).
 * Moving the shape from pass 1 to pass 2 made the two passes 5.1 s -> 3.0 s at 5M events (bench/RESULTS.md).
 */
import type { Store } from '../store/store.js';
import type { PropertyTypes } from './model.js';
import { num, numOrNull, type Query } from '../store/sql.js';
import { FIRST_OF_KEY, PAYLOAD_PAIRS } from './payload-pairs.js';

/** Relative standard error of uniqCombined64 (HyperLogLog with 2^17 cells): 1.04 / √(2^17). */
export const DISTINCT_ERROR = 1.04 / Math.sqrt(2 ** 17);
/** Keys estimated up to limit × this are counted exactly (the estimate is ~0.3 % off, so 5 % is ample). */
const EXACT_MARGIN = 1.05;
const TOP_VALUES = 10;

/** A decimal number, as JSON writes it (strings holding one count as numeric too). */
const NUMERIC_RE = '^-?[0-9]+(\\\\.[0-9]+)?([eE][-+]?[0-9]+)?$';

export interface KeyScan {
  name: string;
  key: string;
  present: number;
  approxDistinct: number;
}

/** What a key's values look like (from pass 2 or 3). */
export interface KeyShape {
  types: PropertyTypes;
  numericCount: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  avgLength: number;
  spaceShare: number;
}

function inner(raw: string): string {
  return `if(startsWith(${raw}, '"'), substring(${raw}, 2, length(${raw}) - 2), ${raw})`;
}

/**
 * Shape aggregates over rows (v, w): a raw JSON value and its weight (its count in pass 2, 1 in pass 3).
 * `inner` is the raw text without a string's quotes: exact for numeric strings (they hold no escapes),
 * so it serves the number test without decoding every string.
 */
const SHAPE_AGGS = `sumIf(w, f = '"') AS t_string, sumIf(w, f IN ('{', '[')) AS t_object, sumIf(w, f IN ('t', 'f')) AS t_boolean,
       sumIf(w, f = 'n') AS t_null, sum(w) - t_string - t_object - t_boolean - t_null AS t_number,
       sumIf(w, isNotNull(x)) AS num_count, min(x) AS mn, max(x) AS mx, sumIf(x * w, isNotNull(x)) / num_count AS mean,
       sum(lengthUTF8(inner) * w) / sum(w) AS avg_len, sumIf(w, position(inner, ' ') > 0) AS spaced`;
const SHAPE_COLUMNS = (v: string) => `substring(${v}, 1, 1) AS f, ${inner(v)} AS inner, ${numericOf(v)} AS x`;

function shapeOf(r: Record<string, unknown>, present: number): KeyShape {
  const numericCount = num(r.num_count);
  return {
    types: { number: num(r.t_number), string: num(r.t_string), boolean: num(r.t_boolean), null: num(r.t_null), object: num(r.t_object) },
    numericCount,
    min: numericCount ? numOrNull(r.mn) : null,
    max: numericCount ? numOrNull(r.mx) : null,
    mean: numericCount ? numOrNull(r.mean) : null,
    avgLength: num(r.avg_len),
    spaceShare: present ? num(r.spaced) / present : 0,
  };
}

/**
 * Pass 1: presence and estimated distinct values per key of the given event names (only hashing, no
 * per-value work). Only names with more events than the exact limit need it: a key cannot have more
 * distinct values than its name has events, so the others go straight to the exact pass.
 */
export function scanKeysQuery(runId: string, names: string[]): Query {
  return {
    sql: `SELECT event_name AS name, k AS key, count() AS present, uniqCombined64(v) AS approx
     FROM events ${PAYLOAD_PAIRS}
     WHERE run_id = {run:String} AND event_name IN {names:Array(String)} AND ${FIRST_OF_KEY} GROUP BY name, key ORDER BY name, key`,
    params: { run: runId, names },
  };
}

export async function scanKeys(store: Store, runId: string, names: string[]): Promise<KeyScan[]> {
  if (names.length === 0) return [];
  const rows = await store.select<{ name: string; key: string; present: string; approx: string }>(scanKeysQuery(runId, names));
  return rows.map((r) => ({ name: String(r.name), key: String(r.key), present: num(r.present), approxDistinct: num(r.approx) }));
}

/** The keys the exact pass found for names that pass 1 skipped (their counts are exact). */
export function scansFromCounts(counts: ValueCounts, skipNames: Set<string>): KeyScan[] {
  const out: KeyScan[] = [];
  for (const [id, item] of counts.items) {
    const [name, key] = JSON.parse(id) as [string, string];
    if (!skipNames.has(name)) out.push({ name, key, present: item.present, approxDistinct: item.distinct });
  }
  return out;
}

export function isExactable(s: KeyScan, limit: number): boolean {
  return s.approxDistinct <= limit * EXACT_MARGIN;
}

export interface ItemCount {
  /** Distinct values (or value combinations) among events carrying all the item's keys. */
  distinct: number;
  /** Events carrying all the item's keys. */
  present: number;
}

/** A key's exact distinct values and those first seen before its name's median time (key usage reuses them). */
export interface KeyCounts {
  distinct: number;
  firstHalf: number;
}

export interface ValueCounts {
  items: Map<string, ItemCount>;
  shapes: Map<string, KeyShape>;
  top: Map<string, { value: string; count: number }[]>;
  quantiles: Map<string, { p50: number; p99: number }>;
  /** Pass 2 with median times: distinct values first seen before the name's median time. */
  firstHalf?: Map<string, number>;
}

/** Key of an item (one key, or the keys of a compound) of an event name in the maps above. */
export const itemId = (name: string, keys: string[]) => JSON.stringify([name, ...keys]);

/**
 * Pass 2: exact per-value counts of every key except the `skip` ones (per event name), aggregated
 * again per key in the same query: distinct values, exact weighted percentiles, top values.
 */
export function countValuesQuery(runId: string, skip: Map<string, string[]>, mids: Map<string, number> = new Map()): Query {
  // Filtering costs a lookup per pair, so only when some key is left out.
  const filter = skip.size ? 'AND NOT has({skip:Map(String, Array(String))}[event_name], k)' : '';
  return {
    sql: `SELECT event_name AS name, k AS key, count() AS distinct, sum(w) AS present,
       groupArraySorted(${TOP_VALUES})((-toInt64(w), v)) AS top,
       quantilesExactWeightedIf(0.5, 0.99)(ifNull(x, 0), w, isNotNull(x)) AS q, countIf(isNotNull(x)) AS nq,
       countIf(t0 < {mids:Map(String, Int64)}[name]) AS first_half,
       ${SHAPE_AGGS}
     FROM (
       SELECT event_name, k, v, w, t0, ${SHAPE_COLUMNS('v')}
       FROM (
         SELECT event_name, k, v, count() AS w, min(toUnixTimestamp64Milli(event_time)) AS t0
         FROM events ${PAYLOAD_PAIRS}
         WHERE run_id = {run:String} AND ${FIRST_OF_KEY} ${filter}
         GROUP BY event_name, k, v))
     GROUP BY name, key`,
    params: { run: runId, skip: Object.fromEntries(skip), mids: Object.fromEntries(mids) },
  };
}

export async function countValues(store: Store, runId: string, skip: Map<string, string[]>, mids?: Map<string, number>): Promise<ValueCounts> {
  const firstHalf = new Map<string, number>();
  const out: ValueCounts = { items: new Map(), shapes: new Map(), top: new Map(), quantiles: new Map(), firstHalf };
  const rows = await store.select<
    { name: string; key: string; distinct: string; present: string; top: [string, string][]; q: number[]; nq: string } & Record<string, unknown>
  >(countValuesQuery(runId, skip, mids));
  for (const r of rows) {
    const id = itemId(r.name, [r.key]);
    out.items.set(id, { distinct: num(r.distinct), present: num(r.present) });
    firstHalf.set(id, num(r.first_half));
    out.shapes.set(id, shapeOf(r, num(r.present)));
    out.top.set(
      id,
      r.top.map(([negCount, value]) => ({ value, count: -num(negCount) })),
    );
    if (num(r.nq) > 0) out.quantiles.set(id, { p50: num(r.q[0]), p99: num(r.q[1]) });
  }
  return out;
}

/** Compounds per query: each is two aggregates over the same scan. */
export const COMPOUNDS_PER_QUERY = 60;

/**
 * One batch of compounds over the events of `names`: per compound j, u{j} (distinct combinations,
 * as hashes) and c{j} (events carrying all its keys). Keys are bound as k0, k1, … (each looked up
 * once); a stored value is raw JSON text, never empty, so '' means the key is absent. Events are
 * first grouped by their keys' hashes (one hash-table insert per event; compounds of dimension
 * candidates have few combinations), and the compounds are counted over those groups instead of
 * filling one hash set per compound for every event: ten compounds over 20M events, 7.9–8.5 → 4.7
 * CPU s.
 */
export function compoundsQuery(runId: string, names: string[], batch: string[][]): Query {
  const keys = [...new Set(batch.flat())];
  const params: Record<string, unknown> = { run: runId, names };
  keys.forEach((k, i) => (params[`k${i}`] = k));
  const col = (k: string) => keys.indexOf(k);
  const cols = keys.map((_, i) => `properties[{k${i}:String}] AS v${i}, cityHash64(v${i}) AS h${i}, v${i} != '' AS p${i}`);
  const groupKeys = keys.map((_, i) => `h${i}, p${i}`).join(', ');
  const aggs = batch.map((c, j) => {
    const ix = c.map(col);
    const all = ix.map((i) => `p${i}`).join(' AND ');
    return `uniqExactIf(cityHash64(${ix.map((i) => `h${i}`).join(', ')}), ${all}) AS u${j}, sumIf(n, ${all}) AS c${j}`;
  });
  return {
    sql: `SELECT name, ${aggs.join(', ')}
       FROM (
         SELECT event_name AS name, ${groupKeys}, count() AS n
         FROM (SELECT event_name, ${cols.join(', ')} FROM events WHERE run_id = {run:String} AND event_name IN {names:Array(String)})
         GROUP BY name, ${groupKeys})
       GROUP BY name`,
    params,
  };
}

/**
 * Exact distinct value combinations and presence of compound keys (per event name).
 * Each key is looked up once per event with a constant (bound) key, hashed, and the compound
 * counted as the set of combined 64-bit hashes: lookups through per-row lambdas are ~10× slower.
 */
export async function countCompounds(store: Store, runId: string, compounds: Map<string, string[][]>): Promise<Map<string, ItemCount>> {
  const out = new Map<string, ItemCount>();
  const all = [...new Map([...compounds.values()].flat().map((c) => [JSON.stringify(c), c])).values()];
  for (let start = 0; start < all.length; start += COMPOUNDS_PER_QUERY) {
    const batch = all.slice(start, start + COMPOUNDS_PER_QUERY);
    const rows = await store.select<Record<string, string>>(compoundsQuery(runId, [...compounds.keys()], batch));
    for (const r of rows) {
      for (const c of compounds.get(r.name) ?? []) {
        const j = batch.findIndex((b) => JSON.stringify(b) === JSON.stringify(c));
        if (j >= 0) out.set(itemId(r.name, c), { distinct: num(r[`u${j}`]), present: num(r[`c${j}`]) });
      }
    }
  }
  return out;
}

/** Pass 3: estimates for keys beyond the exact limit (per event name, the keys). */
export function estimateLargeKeysQuery(runId: string, keys: Map<string, string[]>): Query {
  return {
    sql: `SELECT event_name AS name, k AS key, count() AS n, approx_top_k(${TOP_VALUES})(v) AS top,
       quantilesTDigestIf(0.5, 0.99)(ifNull(x, 0), isNotNull(x)) AS q, count(x) AS nq,
       ${SHAPE_AGGS}
     FROM (
       SELECT event_name, k, v, toUInt64(1) AS w, ${SHAPE_COLUMNS('v')}
       FROM events ${PAYLOAD_PAIRS}
       WHERE run_id = {run:String} AND ${FIRST_OF_KEY} AND has({keys:Map(String, Array(String))}[event_name], k))
     GROUP BY name, key`,
    params: { run: runId, keys: Object.fromEntries(keys) },
  };
}

export async function estimateLargeKeys(store: Store, runId: string, keys: Map<string, string[]>): Promise<ValueCounts> {
  const out: ValueCounts = { items: new Map(), shapes: new Map(), top: new Map(), quantiles: new Map() };
  if (keys.size === 0) return out;
  const rows = await store.select<{ name: string; key: string; n: string; top: { item: string; count: string }[]; q: number[]; nq: string } & Record<string, unknown>>(
    estimateLargeKeysQuery(runId, keys),
  );
  for (const r of rows) {
    const id = itemId(r.name, [r.key]);
    out.shapes.set(id, shapeOf(r, num(r.n)));
    out.top.set(
      id,
      r.top.map((t) => ({ value: t.item, count: num(t.count) })),
    );
    if (num(r.nq) > 0) out.quantiles.set(id, { p50: num(r.q[0]), p99: num(r.q[1]) });
  }
  return out;
}

/** Raw JSON text -> its numeric value, or NULL (same rule as pass 1). */
function numericOf(raw: string): string {
  const t = inner(raw);
  return `if(match(${t}, '${NUMERIC_RE}') AND isFinite(toFloat64OrZero(${t})), toFloat64OrNull(${t}), NULL)`;
}

/** Every key's scan, its exact counts, and estimates for the keys beyond the exact limit (`large`, item ids). */
export interface KeyProfiles {
  scans: KeyScan[];
  exact: ValueCounts;
  estimated: ValueCounts;
  large: Set<string>;
  /** Every key's counts from the exact pass, kept for key usage also when the report shows an estimate. */
  usage: Map<string, KeyCounts>;
}

/**
 * Passes 2, then 1 and 3 only for the keys beyond the exact limit. The exact pass runs first over
 * every key: a pre-scan to find large keys cost a read of every pair (1.5 CPU s at 5M events) to
 * prove what is almost always true, and the exact pass spills to disk, so memory stays bounded.
 */
export async function profileKeys(store: Store, runId: string, limit: number, mids?: Map<string, number>): Promise<KeyProfiles> {
  const exact = await countValues(store, runId, new Map(), mids);
  const usage = new Map<string, KeyCounts>([...exact.items].map(([id, c]) => [id, { distinct: c.distinct, firstHalf: exact.firstHalf?.get(id) ?? 0 }]));
  const scans = scansFromCounts(exact, new Set());
  const large = new Map<string, string[]>();
  const largeIds = new Set<string>();
  for (const s of scans) {
    if (isExactable(s, limit)) continue;
    large.set(s.name, [...(large.get(s.name) ?? []), s.key]);
    largeIds.add(itemId(s.name, [s.key]));
  }
  const estimated = await estimateLargeKeys(store, runId, large);
  if (largeIds.size === 0) return { scans, exact, estimated, large: largeIds, usage };
  // Beyond the limit a key reports the estimate, as if it had been counted approximately alone.
  const approx = new Map((await scanKeys(store, runId, [...large.keys()])).map((a) => [itemId(a.name, [a.key]), a]));
  for (const id of largeIds) exact.items.delete(id);
  return { scans: scans.map((s) => approx.get(itemId(s.name, [s.key])) ?? s), exact, estimated, large: largeIds, usage };
}
