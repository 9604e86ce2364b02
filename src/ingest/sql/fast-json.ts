/**
 * The typed fast path of the JSON parsers: for formats whose fields are fixed top-level keys
 * (Stripe, Metronome, CloudEvents), one typed JSONExtract of the fields plus one extraction of the
 * payload's pairs replace the general parse (every top-level pair into a map, the payload parsed
 * again from its text, a dozen string tests): ~1 CPU s less per million lines.
 *
 * An event text (a line, or one event of a batch or an envelope once split) takes the fast path
 * only when its result is provably the general parser's (the guard below); every other (wrong
 * types, empty or missing payloads, escapes, broken JSON) goes through the general parser unchanged. test/ingest-fast-path.test.ts compares
 * both over an adversarial file row for row.
 */
import type { SqlParams } from '../../store/sql.js';
import type { JsonPaths } from './parsers.js';

export interface FastPath {
  /** Columns the fast select adds (carried through the general parse's subqueries). */
  columns: string[];
  /** Expression for customer_direct on fast rows (when the format maps a customer). */
  customer?: string;
  /**
   * Event texts (source, line, seq, raw: each line's objects, a batch or an envelope already split)
   * -> the same plus `fast` (the guard) and the fast columns.
   */
  select(texts: string): string;
}

const KEY = /^[a-z_]+$/;

/** The fast path for these paths, or undefined when a field is nested or has no fixed top-level key. */
export function fastPath(paths: JsonPaths, params: SqlParams): FastPath | undefined {
  const single = [paths.name, paths.id, paths.ts, paths.props ?? [], paths.customer ?? ['x']];
  if (!paths.props || single.some((p) => p.length !== 1 || !KEY.test(p[0]))) return undefined;
  const fields = [`${paths.name[0]} String`, `${paths.id[0]} String`, `${paths.ts[0]} String`];
  if (paths.customer) fields.push(`${paths.customer[0]} String`);
  const type = params.add(`Tuple(${fields.join(', ')})`);
  const payload = params.add(paths.props[0]);
  const columns = ['fast', 'fast_name', 'fast_id', 'fast_ts', 'fast_props', ...(paths.customer ? ['fast_customer'] : [])];
  return {
    columns,
    customer: paths.customer ? 'fast_customer' : undefined,
    select: (texts) => `
      SELECT source, line, seq, raw, ${columns.join(', ')}
      FROM (
        SELECT source, line, seq, raw, f.1 AS fast_name, f.2 AS fast_id, f.3 AS fast_ts,
          ${paths.customer ? 'f.4 AS fast_customer, ' : ''}fast_props, ${guard()} AS fast
        FROM (
          SELECT source, line, seq, raw, JSONExtract(raw, ${type}) AS f, JSONExtractKeysAndValuesRaw(raw, ${payload}) AS fast_props
          FROM (${texts})
        )
      )`,
  };
}

/**
 * True when the fast columns equal the general parser's. Each clause stands for one thing the
 * general parser checks or does differently:
 * - an object: the text starts with '{' (batches and envelopes are already split into their
 *   events, which the general parser never splits again);
 * - no backslash: no escaped keys or values, so both read the same keys and texts;
 * - a non-empty payload pair list: the text parsed (valid JSON, valid UTF-8) and its payload is an
 *   object (on duplicate keys both take the first);
 * - the event name is a string: JSONExtract writes a non-string value as its JSON text, which starts
 *   with one of -0123456789{[ or is true/false (null and missing give '', as a parse failure does);
 * - the timestamp is a number or a string (not true/false, an object or an array) and is present.
 * Identifier and customer are read as text whatever their type, by the same serializer as the
 * general parser's raw values. Legitimate names starting with a digit go the general way.
 */
function guard(): string {
  return `startsWith(raw, '{')
    AND position(raw, '\\\\') = 0
    AND notEmpty(fast_props)
    AND NOT (fast_name IN ('', 'true', 'false') OR position('-0123456789{[', substring(fast_name, 1, 1)) > 0)
    AND NOT (fast_ts IN ('', 'true', 'false') OR position('{[', substring(fast_ts, 1, 1)) > 0)`;
}
