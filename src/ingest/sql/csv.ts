/**
 * CSV per RFC 4180: a quoted field may hold commas, newlines and "" (an escaped quote). Records are
 * put together from lines in SQL, so the file() and streamed paths give the same records, each
 * numbered by the line it starts on; line 1 is the header.
 */
import type { SqlParams } from '../../store/sql.js';
import { notBlank } from './lines.js';

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

/** One field: quoted as a whole ("" inside is a quote), or free of quotes. */
const FIELD = `(?:"(?:[^"]|"")*"|[^,"]*)`;
const IN_QUOTES = `(?:[^"]|"")*`;
/** Read from a record's start, the line ends inside a quoted field (it opens a multi-line record). */
const OPENS = `'^(?:${FIELD},)*"${IN_QUOTES}$'`;
/** Read from inside a quoted field, the line ends inside one too (it continues the record). */
const CONTINUES = `'^${IN_QUOTES}(?:"(?:,${FIELD})*,"${IN_QUOTES})?$'`;
/** Read from inside a quoted field, the line closes it and ends the record. */
const CLOSES = `'^${IN_QUOTES}"(?:,${FIELD})*$'`;
/** A whole well-formed record. */
const RECORD = `'^${FIELD}(?:,${FIELD})*$'`;

/**
 * Lines (source, line, raw) -> records (source, line, raw), blank ones dropped. Reading from the
 * top, a line that opens a quoted field it does not close starts a multi-line record when the lines
 * after it continue the field and one then closes it; the record is those lines joined by \n.
 * Otherwise (the next line that does not continue cannot close either, or the file ends) the opener
 * is a record of its own (rejected for its quotes) and the lines after it are read as records, so a
 * stray quote costs one record, not the rest of the file. A line that could close a field is never
 * taken as an opener. Shapes are told by regexes over the line (invalid UTF-8 replaced, as quotes
 * and commas are ASCII). Openers are few next to lines: they are paired on one array of them, and
 * each line finds the last record start at or before it with an ASOF join.
 */
export function csvRecords(lines: string): string {
  const shape = (re: string) => `match(toValidUTF8(raw), ${re})`;
  const body = `SELECT source, line, raw, toUInt8(0) AS k, position(raw, '"') > 0 AS quoted FROM (${lines}) WHERE line > 1`;
  const openers = `(SELECT groupArray(line) FROM (${body}) WHERE quoted AND ${shape(OPENS)} AND NOT ${shape(CLOSES)})`;
  const openerRows = `SELECT toUInt8(0) AS k, arrayJoin(${openers}) AS line`;
  // For each opener, the first later line that does not continue a quoted field, and whether it closes one.
  const ends = `
    SELECT o.line AS opener, min(t.line) AS end, argMin(t.closes, t.line) AS closes
    FROM (SELECT k, line, ${shape(CLOSES)} AS closes FROM (${body}) WHERE quoted AND NOT ${shape(CONTINUES)}) AS t
    ASOF JOIN (${openerRows}) AS o ON t.k = o.k AND t.line > o.line
    GROUP BY opener`;
  // Openers without such a line before the next opener share the next opener's end (filled from the
  // right); of the openers sharing an end, the first takes the record if the end closes the field.
  const ranges = `
    SELECT toUInt8(0) AS k, p.1 AS start, p.2 AS stop
    FROM (
      SELECT arraySort(groupArray((op.line, ifNull(e.end, 0), ifNull(e.closes, 0)))) AS found,
        arrayReverseFill(x -> x.2 != 0, found) AS filled,
        -- the previous opener's end by shifting (a lambda reading filled[i - 1] would copy the array per element)
        arrayFilter((x, prev) -> x.3 AND x.2 != prev, filled, arrayResize(arrayPushFront(arrayMap(x -> x.2, filled), 0), length(filled))) AS chosen
      FROM (${openerRows}) AS op LEFT JOIN (${ends}) AS e ON op.line = e.opener)
    ARRAY JOIN arrayMap(x -> (x.1, x.2), chosen) AS p`;
  const joined = `
    SELECT b.source AS source, b.line AS line, b.raw AS raw, r.start AS start, r.stop AS stop
    FROM (${body}) AS b ASOF LEFT JOIN (${ranges}) AS r ON b.k = r.k AND b.line >= r.start`;
  return `
    SELECT source, line, raw FROM (${joined}) WHERE (start = 0 OR line > stop) AND ${notBlank('raw')}
    UNION ALL
    SELECT source, start AS line, text AS raw FROM (
      -- (aliases named line/raw here would shadow the columns inside the aggregate and the filter)
      SELECT source, start, arrayStringConcat(arrayMap(x -> x.2, arraySort(groupArray((line, raw)))), '\\n') AS text
      FROM (${joined}) WHERE start > 0 AND line <= stop
      GROUP BY source, start)`;
}

export function csvParser(lines: string, cols: CsvColumns, params: SqlParams): string {
  const n = cols.header.length;
  const at = (i: number) => (i >= 0 ? `f[${i + 1}]` : `''`);
  return `
    SELECT source, line, toUInt32(1) AS seq, raw,
      multiIf(
        NOT isValidUTF8(raw), 'invalid UTF-8',
        NOT match(raw, ${RECORD}),
          if(match(raw, ${OPENS}), 'unbalanced quotes (a quoted field is never closed)',
            'malformed CSV quoting (a quote inside an unquoted field, or text after a closing quote)'),
        length(f) != ${n}, concat('expected ${n} columns, found ', toString(length(f))),
        '') AS parse_error,
      ${at(cols.name)} AS event_name,
      ${at(cols.id)} AS identifier,
      ${at(cols.ts)} AS ts_text,
      ${at(cols.customer)} AS customer_direct,
      arrayMap(p -> (p.1, toJSONString(p.2)),
               arrayFilter(p -> p.1 != '' AND p.2 != '', arrayZip(arrayResize(${params.add(cols.propertyKeys, 'Array(String)')}, length(f), ''), f))) AS props
    FROM (
      SELECT source, line, raw,
        arrayMap(g -> if(startsWith(g[1], '"'), replaceAll(substring(g[1], 2, length(g[1]) - 2), '""', '"'), g[1]),
                 extractAllGroups(concat(raw, ','), '(${FIELD}),')) AS f
      FROM (${csvRecords(lines)})
    )`;
}
