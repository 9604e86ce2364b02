/**
 * SQL expressions for one billable metric over `events`, as Metronome matches and aggregates:
 * the event type filter, each property filter as an ordered list of (failing condition, reason),
 * and the aggregation key's text and numeric value. Properties hold raw JSON text, so values are
 * compared as their plain text (strings unquoted and unescaped, numbers as written).
 */
import type { SqlParams } from '../store/sql.js';
import { plain } from '../ingest/sql/expressions.js';
import { NUMERIC_RE } from '../stripe/sql.js';
import type { BillMetric } from './metrics.js';

/** A condition that excludes an event, and the reason given for it (bound as a parameter: it names payload keys). */
export interface Exclusion {
  when: string;
  reason: string;
}

const bound = new WeakMap<SqlParams, Map<string, { has: string; text: string }>>();

/**
 * Expressions for one payload key, bound once per query: the same key then gives the same text
 * everywhere, which the engine computes once per row. A JSON null carries no value: it counts as absent.
 */
export function keyExpr(p: SqlParams, key: string): { has: string; text: string } {
  let keys = bound.get(p);
  if (!keys) bound.set(p, (keys = new Map()));
  let e = keys.get(key);
  if (!e) {
    const k = p.add(key);
    keys.set(key, (e = { has: `(mapContains(properties, ${k}) AND properties[${k}] != 'null')`, text: plain(`properties[${k}]`) }));
  }
  return e;
}

/** True when the event type passes event_type_filter (no filter: every type). */
export function eventTypeCondition(p: SqlParams, m: BillMetric): string {
  const parts: string[] = [];
  if (m.eventTypesIn) parts.push(`event_name IN ${p.add(m.eventTypesIn, 'Array(String)')}`);
  if (m.eventTypesNotIn) parts.push(`event_name NOT IN ${p.add(m.eventTypesNotIn, 'Array(String)')}`);
  return parts.length ? parts.join(' AND ') : '1';
}

/** How a missing key is named: group keys and the aggregation key are told apart from other filters. */
function missingReason(m: BillMetric, name: string): string {
  if (m.groupBy.includes(name)) return `missing group key ${name}`;
  if (name === m.key) return `missing aggregation key ${name}`;
  return `missing property ${name}`;
}

/**
 * The property filters as exclusions, in filter order. Metronome: exists true/false requires the
 * property present/absent; in_values passes only listed values (an absent property fails);
 * not_in_values fails listed values (an absent property passes).
 */
export function propertyExclusions(p: SqlParams, m: BillMetric): Exclusion[] {
  const out: Exclusion[] = [];
  for (const f of m.filters) {
    const { has, text } = keyExpr(p, f.name);
    if (f.exists === true || f.in_values) out.push({ when: `NOT ${has}`, reason: missingReason(m, f.name) });
    if (f.exists === false) out.push({ when: has, reason: `property ${f.name} present (exists: false)` });
    if (f.in_values) out.push({ when: `${text} NOT IN ${p.add(f.in_values, 'Array(String)')}`, reason: `property ${f.name} not in in_values` });
    if (f.not_in_values) out.push({ when: `${has} AND ${text} IN ${p.add(f.not_in_values, 'Array(String)')}`, reason: `property ${f.name} in not_in_values` });
  }
  return out;
}

/**
 * The aggregation key's plain text (UNIQUE counts distinct texts) and numeric value: numbers and
 * numeric strings (surrounding spaces ignored); anything else is NULL, and SUM / MAX / LATEST
 * exclude the event as a non-numeric value.
 */
export function valueExprs(p: SqlParams, m: BillMetric): { text: string; value: string; numeric: string } {
  if (m.key === null) return { text: `''`, value: 'CAST(NULL AS Nullable(Float64))', numeric: '1' };
  const { has, text } = keyExpr(p, m.key);
  const trimmed = `trimBoth(${text})`;
  const numeric = `(${has} AND match(${trimmed}, '${NUMERIC_RE}'))`;
  return { text: `if(${has}, ${text}, '')`, value: `if(${numeric}, toFloat64OrNull(${trimmed}), NULL)`, numeric };
}

/**
 * The quantity of a group of billed events; LATEST takes the last by time, then log order. With
 * `onlyIf`, rows failing it are left out (-If combinators), so groups of excluded events cost nothing.
 */
export function quantitySql(m: BillMetric, onlyIf?: string): string {
  const f = (fn: string, args: string) => (onlyIf ? `${fn}If(${args}, ${onlyIf})` : `${fn}(${args})`);
  switch (m.aggregation) {
    case 'COUNT':
      return 'toFloat64(count())';
    case 'SUM':
      return f('sum', 'assumeNotNull(v)');
    case 'MAX':
      return f('max', 'assumeNotNull(v)');
    case 'UNIQUE':
      return `toFloat64(${f('uniqExact', 'txt')})`;
    case 'LATEST':
      return f('argMax', 'assumeNotNull(v), (event_time, source, line, seq)');
  }
}

/** What an excluded event would have carried: 1 for COUNT, the numeric value for SUM/MAX/LATEST, nothing for UNIQUE. */
export function contributionSql(m: BillMetric): string {
  return m.aggregation === 'COUNT' ? '1' : m.aggregation === 'UNIQUE' ? '0' : 'ifNull(v, 0)';
}
