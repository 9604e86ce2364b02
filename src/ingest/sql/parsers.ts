/**
 * The JSON parsers (the form and CSV ones are in form.ts and csv.ts): each returns a SELECT over the
 * tidied lines (source, line, raw; see lines.ts) that yields
 * the parser columns consumed by normalize.ts:
 *   source, line, seq, raw, parse_error, event_name, identifier, ts_text, customer_direct, props
 * where props is Array(Tuple(key, raw JSON value)). Parsing is ClickHouse's (JSONExtract*, regex),
 * never Node's.
 */
import type { SqlParams } from '../../store/sql.js';
import { jsonElements, plain, toMap, unindent } from './expressions.js';
import { notBlank } from './lines.js';
import type { FastPath } from './fast-json.js';

export type { CsvColumns } from './csv.js';

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
  name: ['event_type'],
  id: ['transaction_id'],
  ts: ['timestamp'],
  customer: ['customer_id'],
  props: ['properties'],
};
export const CLOUDEVENTS_PATHS: JsonPaths = { name: ['type'], id: ['id'], ts: ['time'], customer: ['subject'], props: ['data'] };

/**
 * Raw JSON at a path. Top-level keys come from the one parse of the object (`top`, a Map of
 * key -> raw JSON); deeper paths parse again.
 */
function rawAt(path: string[], params: SqlParams): string {
  if (path.length === 1) return `top[${params.add(path[0])}]`;
  return `JSONExtractRaw(raw, ${path.map((k) => params.add(k)).join(', ')})`;
}

/** JSON type name of a raw JSON value, as JSONType() names them. */
const typeOfRaw = (raw: string) =>
  `multiIf(${raw} = '' OR ${raw} = 'null', 'Null', startsWith(${raw}, '{'), 'Object', startsWith(${raw}, '['), 'Array', startsWith(${raw}, '"'), 'String', 'Other')`;

/**
 * @param lines (source, line, raw) lines; with `document`, (source, line, seq, raw) events of whole-file
 *   JSON, seq being the event's index in its array (kept; events nested in it are numbered on from it).
 * @param fast the typed fast path (fast-json.ts) for formats whose fields are fixed top-level keys;
 *   lines it cannot prove identical go through the general parse below, which sees '' for the rest.
 *   Never with `document` (whole-file JSON events take the general parse).
 */
export function jsonParser(lines: string, paths: JsonPaths, params: SqlParams, opts: { document?: boolean; fast?: FastPath } = {}): string {
  const { document = false } = opts;
  const fast = document ? undefined : opts.fast;
  const propsRaw = paths.props ? rawAt(paths.props, params) : undefined;
  // Without a payload object, the payload is every top-level key that is not mapped to a column;
  // with one, every key of it but the customer field when that lives there.
  const inPayload = customerInPayload(paths);
  const props = !propsRaw
    ? `arrayFilter(x -> x.1 NOT IN ${params.add(topKeys(paths), 'Array(String)')}, top_pairs)`
    : inPayload === undefined
      ? `JSONExtractKeysAndValuesRaw(props_raw)`
      : `arrayFilter(x -> x.1 != ${params.add(inPayload)}, JSONExtractKeysAndValuesRaw(props_raw))`;
  const pick = (fastCol: string, general: string) => (fast ? `if(fast, ${fastCol}, ${general})` : general);
  const split = `SELECT source, line, ${document ? 'seq AS doc_seq, ' : ''}${jsonElements('raw')} AS els FROM (${lines}) WHERE ${notBlank('raw')}`;
  const seqOf = document ? 'arrayMap(k -> toUInt32(doc_seq + k - 1), arrayEnumerate(els))' : 'arrayEnumerate(els)';
  // Lines are split into their event texts before the fast path reads them, so the split copies a
  // line's source and number, not the fast path's columns (1M lines: parse 2.3 → 1.95 CPU s).
  const events = `SELECT source, line, seq, el AS raw FROM (${split}) ARRAY JOIN els AS el, ${seqOf} AS seq`;
  // Fast rows hand the general parse an empty text: every JSON function on it returns at once.
  // (Short-circuit evaluation would not skip it: the fields feed conditionals downstream, and
  // ClickHouse then computes a branch's arguments for every row.)
  const slow = fast ? `if(fast, '', raw)` : 'raw';
  return `
    WITH JSONExtractKeysAndValuesRaw(${slow}) AS top_pairs,
      -- pairs come only out of valid JSON, so the second parse is paid only by texts without any
      notEmpty(top_pairs) OR isValidJSON(${slow}) AS valid,
      ${toMap('top_pairs')} AS top,
      ${rawAt(paths.name, params)} AS name_raw,
      ${rawAt(paths.id, params)} AS id_raw,
      ${rawAt(paths.ts, params)} AS ts_raw,
      ${paths.customer ? rawAt(paths.customer, params) : `''`} AS cust_raw,
      ${propsRaw ?? `''`} AS props_raw
    SELECT source, line, seq, raw,
      ${pick(
        `''`,
        `multiIf(
        NOT valid, if(isValidUTF8(raw), 'invalid JSON', 'invalid UTF-8'),
        NOT (startsWith(raw, '{') OR startsWith(${unindent('raw')}, '{')), 'not a JSON object',
        name_raw NOT IN ('', 'null') AND NOT startsWith(name_raw, '"'), 'event name must be a string',
        ${typeOfRaw('props_raw')} NOT IN ('Object', 'Null'), 'payload must be an object',
        ts_raw NOT IN ('', 'null') AND NOT (startsWith(ts_raw, '"') OR match(ts_raw, '^-?[0-9]')), 'timestamp must be a number or a string',
        '')`,
      )} AS parse_error,
      ${pick('fast_name', plain(`if(name_raw = 'null', '', name_raw)`))} AS event_name,
      ${pick('fast_id', plain(`if(id_raw = 'null', '', id_raw)`))} AS identifier,
      ${pick('fast_ts', plain(`if(ts_raw = 'null', '', ts_raw)`))} AS ts_text,
      ${pick(fast?.customer ?? `''`, paths.customer ? plain(`if(cust_raw = 'null', '', cust_raw)`) : `''`)} AS customer_direct,
      ${pick('fast_props', `if(valid AND ${propsRaw ? `startsWith(props_raw, '{')` : '1'}, ${props}, [])`)} AS props
    FROM (${fast ? fast.select(events) : events})`;
}

/** The payload key holding the customer, when the customer path is a key of the payload object. */
function customerInPayload({ customer, props }: JsonPaths): string | undefined {
  if (!customer || !props || customer.length !== props.length + 1) return undefined;
  return props.every((k, i) => customer[i] === k) ? customer[customer.length - 1] : undefined;
}

function topKeys(paths: JsonPaths): string[] {
  return [paths.name, paths.id, paths.ts, paths.customer ?? []].filter((p) => p.length === 1).map((p) => p[0]);
}
