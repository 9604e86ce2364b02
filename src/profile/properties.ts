/**
 * Payload properties per event name × key, in at most four reads of the `properties` column:
 * 1. scanKeys: presence, approximate distinct (HyperLogLog), JSON types, numeric min/max/mean, text shape;
 * 2. countValues: exact per-value counts for every key whose estimate is within the exact limit,
 *    aggregated again per key in the same query (distinct counts, top values, exact percentiles);
 * 3. estimateLargeKeys (only if some key exceeds the exact limit): space-saving top values and
 *    t-digest percentiles, so no key ever needs an unbounded exact set;
 * 4. countCompounds: value combinations of the dimension candidates (one lookup per key and event). */
import type { ClickHouseClient } from '@clickhouse/client';
import type { PropertyTypes } from './model.js';
import { num, numOrNull, select } from './query.js';

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
  types: PropertyTypes;
  numericCount: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  avgLength: number;
  spaceShare: number;
}

/**
 * (event name, key, raw value) pairs with cheap derived columns. `inner` is the raw text without the
 * quotes of a string: exact for numeric strings (they hold no escapes), so it serves the number test
 * without decoding every string.
 */
const PAIRS = `SELECT event_name, k, v, substring(v, 1, 1) AS f, ${inner('v')} AS inner,
    if(match(inner, '${NUMERIC_RE}'), toFloat64OrNull(inner), NULL) AS x0, if(isFinite(x0), x0, NULL) AS x
  FROM events ARRAY JOIN mapKeys(properties) AS k, mapValues(properties) AS v
  WHERE run_id = {run:String}`;

function inner(raw: string): string {
  return `if(startsWith(${raw}, '"'), substring(${raw}, 2, length(${raw}) - 2), ${raw})`;
}

/** Pass 1: cheap per-key aggregates. */
export async function scanKeys(client: ClickHouseClient, runId: string): Promise<KeyScan[]> {
  const rows = await select<Record<string, string | number | null>>(
    client,
    `SELECT event_name AS name, k AS key, count() AS present, uniqCombined64(v) AS approx,
       countIf(f = '"') AS t_string, countIf(f IN ('{', '[')) AS t_object, countIf(f IN ('t', 'f')) AS t_boolean,
       countIf(f = 'n') AS t_null, present - t_string - t_object - t_boolean - t_null AS t_number,
       count(x) AS num_count, min(x) AS mn, max(x) AS mx, avg(x) AS mean,
       avg(lengthUTF8(inner)) AS avg_len, countIf(position(inner, ' ') > 0) AS spaced
     FROM (${PAIRS}) GROUP BY name, key ORDER BY name, key`,
    { run: runId },
  );
  return rows.map((r) => {
    const present = num(r.present);
    const numericCount = num(r.num_count);
    return {
      name: String(r.name),
      key: String(r.key),
      present,
      approxDistinct: num(r.approx),
      types: {
        number: num(r.t_number),
        string: num(r.t_string),
        boolean: num(r.t_boolean),
        null: num(r.t_null),
        object: num(r.t_object),
      },
      numericCount,
      min: numericCount ? numOrNull(r.mn) : null,
      max: numericCount ? numOrNull(r.mx) : null,
      mean: numericCount ? numOrNull(r.mean) : null,
      avgLength: num(r.avg_len),
      spaceShare: present ? num(r.spaced) / present : 0,
    };
  });
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

export interface ValueCounts {
  items: Map<string, ItemCount>;
  top: Map<string, { value: string; count: number }[]>;
  quantiles: Map<string, { p50: number; p99: number }>;
}

/** Key of an item (one key, or the keys of a compound) of an event name in the maps above. */
export const itemId = (name: string, keys: string[]) => JSON.stringify([name, ...keys]);

/**
 * Pass 2: exact per-value counts of every key except the `skip` ones (per event name), aggregated
 * again per key in the same query: distinct values, exact weighted percentiles, top values.
 */
export async function countValues(client: ClickHouseClient, runId: string, skip: Map<string, string[]>): Promise<ValueCounts> {
  const out: ValueCounts = { items: new Map(), top: new Map(), quantiles: new Map() };
  // Filtering costs a lookup per pair, so only when some key is left out.
  const filter = skip.size ? 'AND NOT has({skip:Map(String, Array(String))}[event_name], k)' : '';
  const rows = await select<{ name: string; key: string; distinct: string; present: string; top: [string, string][]; q: number[]; nq: string }>(
    client,
    `SELECT event_name AS name, k AS key, count() AS distinct, sum(c) AS present,
       groupArraySorted(${TOP_VALUES})((-toInt64(c), v)) AS top,
       quantilesExactWeightedIf(0.5, 0.99)(ifNull(x, 0), c, isNotNull(x)) AS q, countIf(isNotNull(x)) AS nq
     FROM (
       SELECT event_name, k, v, count() AS c, ${numericOf('v')} AS x
       FROM events ARRAY JOIN mapKeys(properties) AS k, mapValues(properties) AS v
       WHERE run_id = {run:String} ${filter}
       GROUP BY event_name, k, v)
     GROUP BY name, key`,
    { run: runId, skip: Object.fromEntries(skip) },
  );
  for (const r of rows) {
    const id = itemId(r.name, [r.key]);
    out.items.set(id, { distinct: num(r.distinct), present: num(r.present) });
    out.top.set(id, r.top.map(([negCount, value]) => ({ value, count: -num(negCount) })));
    if (num(r.nq) > 0) out.quantiles.set(id, { p50: num(r.q[0]), p99: num(r.q[1]) });
  }
  return out;
}

/** Compounds per query: each is two aggregates over the same scan. */
const COMPOUNDS_PER_QUERY = 60;

/**
 * Exact distinct value combinations and presence of compound keys (per event name).
 * Each key is looked up once per event with a constant (bound) key, hashed, and the compound
 * counted as the set of combined 64-bit hashes: lookups through per-row lambdas are ~10× slower.
 */
export async function countCompounds(client: ClickHouseClient, runId: string, compounds: Map<string, string[][]>): Promise<Map<string, ItemCount>> {
  const out = new Map<string, ItemCount>();
  const all = [...new Map([...compounds.values()].flat().map((c) => [JSON.stringify(c), c])).values()];
  for (let start = 0; start < all.length; start += COMPOUNDS_PER_QUERY) {
    const batch = all.slice(start, start + COMPOUNDS_PER_QUERY);
    const keys = [...new Set(batch.flat())];
    const params: Record<string, unknown> = { run: runId, names: [...compounds.keys()] };
    keys.forEach((k, i) => (params[`k${i}`] = k));
    const col = (k: string) => keys.indexOf(k);
    const cols = keys.map((_, i) => `cityHash64(properties[{k${i}:String}]) AS h${i}, mapContains(properties, {k${i}:String}) AS p${i}`);
    const aggs = batch.map((c, j) => {
      const ix = c.map(col);
      const all = ix.map((i) => `p${i}`).join(' AND ');
      return `uniqExactIf(cityHash64(${ix.map((i) => `h${i}`).join(', ')}), ${all}) AS u${j}, countIf(${all}) AS c${j}`;
    });
    const rows = await select<Record<string, string>>(
      client,
      `SELECT event_name AS name, ${aggs.join(', ')}
       FROM (SELECT event_name, ${cols.join(', ')} FROM events WHERE run_id = {run:String} AND event_name IN {names:Array(String)})
       GROUP BY event_name`,
      params,
    );
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
export async function estimateLargeKeys(client: ClickHouseClient, runId: string, keys: Map<string, string[]>): Promise<ValueCounts> {
  const out: ValueCounts = { items: new Map(), top: new Map(), quantiles: new Map() };
  if (keys.size === 0) return out;
  const rows = await select<{ name: string; key: string; top: { item: string; count: string }[]; q: number[]; nq: string }>(
    client,
    `SELECT event_name AS name, k AS key, approx_top_k(${TOP_VALUES})(v) AS top,
       quantilesTDigestIf(0.5, 0.99)(ifNull(x, 0), isNotNull(x)) AS q, count(x) AS nq
     FROM (${PAIRS} AND has({keys:Map(String, Array(String))}[event_name], k))
     GROUP BY name, key`,
    { run: runId, keys: Object.fromEntries(keys) },
  );
  for (const r of rows) {
    const id = itemId(r.name, [r.key]);
    out.top.set(id, r.top.map((t) => ({ value: t.item, count: num(t.count) })));
    if (num(r.nq) > 0) out.quantiles.set(id, { p50: num(r.q[0]), p99: num(r.q[1]) });
  }
  return out;
}

/** Raw JSON text -> its numeric value, or NULL (same rule as pass 1). */
function numericOf(raw: string): string {
  const t = inner(raw);
  return `if(match(${t}, '${NUMERIC_RE}') AND isFinite(toFloat64OrZero(${t})), toFloat64OrNull(${t}), NULL)`;
}
