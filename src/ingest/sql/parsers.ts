/**
 * Per-format parsers: each returns a SELECT over a line relation (source, line, raw) that yields
 * the parser columns consumed by normalize.ts:
 *   source, line, seq, raw, parse_error, event_name, identifier, ts_text, customer_direct, props
 * where props is Array(Tuple(key, raw JSON value)). Parsing is ClickHouse's (JSONExtract*, regex),
 * never Node's.
 */
import type { SqlParams } from '../../store/sql.js';
import { jsonElements, plain, toMap } from './expressions.js';

/** Where the fields of one JSON event object live (paths of keys). */
export interface JsonPaths {
  name: string[];
  id: string[];
  ts: string[];
  customer?: string[];
  /** Object holding the payload; undefined = every top-level key not mapped above. */
  props?: string[];
}

export const STRIPE_PATHS: JsonPaths = { name: ['event_name'], id: ['identifier'], ts: ['timestamp'], props: ['payload'] };
export const METRONOME_PATHS: JsonPaths = {
  name: ['event_type'], id: ['transaction_id'], ts: ['timestamp'], customer: ['customer_id'], props: ['properties'],
};
export const CLOUDEVENTS_PATHS: JsonPaths = { name: ['type'], id: ['id'], ts: ['time'], customer: ['subject'], props: ['data'] };

/**
 * Raw JSON at a path. Top-level keys come from the one parse of the object (`top`, a Map of
 * key -> raw JSON); deeper paths parse again.
 */
function rawAt(path: string[], params: SqlParams): string {
  if (path.length === 1) return `top[${params.add(path[0])}]`;
  return `JSONExtractRaw(el, ${path.map((k) => params.add(k)).join(', ')})`;
}

/** JSON type name of a raw JSON value, as JSONType() names them. */
const typeOfRaw = (raw: string) =>
  `multiIf(${raw} = '' OR ${raw} = 'null', 'Null', startsWith(${raw}, '{'), 'Object', startsWith(${raw}, '['), 'Array', startsWith(${raw}, '"'), 'String', 'Other')`;

export function jsonParser(rel: string, paths: JsonPaths, params: SqlParams): string {
  const propsRaw = paths.props ? rawAt(paths.props, params) : undefined;
  // Without a payload object, the payload is every top-level key that is not mapped to a column;
  // with one, every key of it but the customer field when that lives there.
  const inPayload = customerInPayload(paths);
  const props = !propsRaw
    ? `arrayFilter(x -> x.1 NOT IN ${params.add(topKeys(paths), 'Array(String)')}, top_pairs)`
    : inPayload === undefined
      ? `JSONExtractKeysAndValuesRaw(props_raw)`
      : `arrayFilter(x -> x.1 != ${params.add(inPayload)}, JSONExtractKeysAndValuesRaw(props_raw))`;
  return `
    SELECT source, line, seq, el AS raw,
      multiIf(
        NOT valid, 'invalid JSON',
        NOT startsWith(trimLeft(el), '{'), 'not a JSON object',
        name_raw NOT IN ('', 'null') AND NOT startsWith(name_raw, '"'), 'event name must be a string',
        ${typeOfRaw('props_raw')} NOT IN ('Object', 'Null'), 'payload must be an object',
        ts_raw NOT IN ('', 'null') AND NOT (startsWith(ts_raw, '"') OR match(ts_raw, '^-?[0-9]')), 'timestamp must be a number or a string',
        '') AS parse_error,
      ${plain(`if(name_raw = 'null', '', name_raw)`)} AS event_name,
      ${plain(`if(id_raw = 'null', '', id_raw)`)} AS identifier,
      ${plain(`if(ts_raw = 'null', '', ts_raw)`)} AS ts_text,
      ${paths.customer ? plain(`if(cust_raw = 'null', '', cust_raw)`) : `''`} AS customer_direct,
      if(valid AND ${propsRaw ? `startsWith(props_raw, '{')` : '1'}, ${props}, []) AS props
    FROM (
      SELECT source, line, seq, el, valid, top_pairs,
        ${rawAt(paths.name, params)} AS name_raw,
        ${rawAt(paths.id, params)} AS id_raw,
        ${rawAt(paths.ts, params)} AS ts_raw,
        ${paths.customer ? rawAt(paths.customer, params) : `''`} AS cust_raw,
        ${propsRaw ?? `''`} AS props_raw
      FROM (
        SELECT source, line, seq, el, valid, top_pairs, ${toMap('top_pairs')} AS top
        FROM (
          SELECT source, line, seq, el, JSONExtractKeysAndValuesRaw(el) AS top_pairs,
            -- pairs come only out of valid JSON, so the second parse is paid only by lines without any
            notEmpty(top_pairs) OR isValidJSON(el) AS valid
          FROM (
            SELECT source, line, raw, ${jsonElements('raw')} AS els FROM (${rel})
          ) ARRAY JOIN els AS el, arrayEnumerate(els) AS seq
        )
      )
    )`;
}

/** The payload key holding the customer, when the customer path is a key of the payload object. */
function customerInPayload({ customer, props }: JsonPaths): string | undefined {
  if (!customer || !props || customer.length !== props.length + 1) return undefined;
  return props.every((k, i) => customer[i] === k) ? customer[customer.length - 1] : undefined;
}

function topKeys(paths: JsonPaths): string[] {
  return [paths.name, paths.id, paths.ts, paths.customer ?? []].filter((p) => p.length === 1).map((p) => p[0]);
}

/**
 * Stripe v1 request log: the form-encoded body, optionally preceded by log fields
 * (a leading ISO timestamp is used when the body has no timestamp, as Stripe then uses the request time).
 */
export function formParser(rel: string): string {
  return `
    SELECT source, line, toUInt32(1) AS seq, raw,
      if(body = '', 'not a form-encoded body', '') AS parse_error,
      kv['event_name'] AS event_name,
      kv['identifier'] AS identifier,
      if(kv['timestamp'] != '', kv['timestamp'], if(match(first_token, '^[0-9]{4}-'), first_token, '')) AS ts_text,
      '' AS customer_direct,
      arrayMap(p -> (extract(p.1, '^payload\\\\[(.*)\\\\]$'), toJSONString(p.2)),
               arrayFilter(p -> match(p.1, '^payload\\\\[.+\\\\]$'), pairs)) AS props
    FROM (
      SELECT source, line, raw, first_token, body, pairs,
        mapFromArrays(arrayMap(p -> p.1, pairs), arrayMap(p -> p.2, pairs)) AS kv
      FROM (
        SELECT source, line, raw, first_token, body,
          arrayMap(t -> (decodeURLFormComponent(splitByChar('=', t)[1]), decodeURLFormComponent(substring(t, position(t, '=') + 1))),
                   arrayFilter(t -> position(t, '=') > 0, splitByChar('&', body))) AS pairs
        FROM (
          SELECT source, line, raw,
            splitByWhitespace(raw)[1] AS first_token,
            arrayFirst(t -> match(t, '(^|&)(event_name|payload(\\\\[|%5B)|identifier|timestamp)'), splitByWhitespace(raw)) AS body
          FROM (${rel})
        )
      )
    )`;
}

/** Which CSV columns hold what (0-based indexes into the header; -1 = absent). */
export interface CsvColumns {
  header: string[];
  /** property key for each column ('' = not a property) */
  propertyKeys: string[];
  name: number;
  id: number;
  ts: number;
  customer: number;
}

/** One CSV record per line (RFC 4180 quoting), split by a regex in ClickHouse. Line 1 is the header. */
export function csvParser(rel: string, cols: CsvColumns, params: SqlParams): string {
  const n = cols.header.length;
  const at = (i: number) => (i >= 0 ? `f[${i + 1}]` : `''`);
  return `
    SELECT source, line, toUInt32(1) AS seq, raw,
      if(length(f) != ${n}, concat('expected ${n} columns, found ', toString(length(f))), '') AS parse_error,
      ${at(cols.name)} AS event_name,
      ${at(cols.id)} AS identifier,
      ${at(cols.ts)} AS ts_text,
      ${at(cols.customer)} AS customer_direct,
      arrayMap(p -> (p.1, toJSONString(p.2)),
               arrayFilter(p -> p.1 != '' AND p.2 != '', arrayZip(arrayResize(${params.add(cols.propertyKeys, 'Array(String)')}, length(f), ''), f))) AS props
    FROM (
      SELECT source, line, raw,
        arrayMap(g -> if(startsWith(g[1], '"'), replaceAll(substring(g[1], 2, length(g[1]) - 2), '""', '"'), g[1]),
                 extractAllGroups(concat(raw, ','), '("(?:[^"]|"")*"|[^,]*),')) AS f
      FROM (${rel}) WHERE line > 1
    )`;
}
