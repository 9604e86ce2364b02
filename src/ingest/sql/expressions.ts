/**
 * SQL snippets shared by the per-format parsers. Each takes SQL expressions and returns one.
 * Payload values are kept as raw JSON text (strings keep their quotes) so types survive.
 */

/**
 * Raw JSON value -> plain text (strings unquoted and unescaped; numbers/booleans/objects as written).
 * A string without backslashes is just cut out of its quotes; only escaped ones pay for a JSON parse.
 */
export const plain = (rawJson: string) =>
  `if(startsWith(${rawJson}, '"'), if(position(${rawJson}, '\\\\') = 0, substring(${rawJson}, 2, length(${rawJson}) - 2), JSONExtractString(${rawJson})), ${rawJson})`;

/**
 * Timestamp text -> Nullable(DateTime64(3,'UTC')).
 * Numbers are unix time; the unit is told by magnitude (s, ms, µs, ns), as exporters differ.
 * Strings are RFC 3339 / ISO 8601 (anything parseDateTime64BestEffort reads that has a 4-digit year).
 * Times outside 1990..2200 are treated as unparseable: they are almost always unit mix-ups.
 */
export function parseTimestamp(tsText: string): string {
  const x = `toFloat64OrZero(${tsText})`;
  const ms = `multiIf(abs(${x}) >= 1e17, ${x} / 1e6, abs(${x}) >= 1e14, ${x} / 1e3, abs(${x}) >= 1e11, ${x}, ${x} * 1000)`;
  const isNumber = `match(${tsText}, '^-?[0-9]+(\\\\.[0-9]*)?$')`;
  const best = `parseDateTime64BestEffortOrNull(${tsText}, 3, 'UTC')`;
  // ClickHouse evaluates if() branches lazily, row subsets at a time; with the unit conversion nested
  // inside such a branch this cost 10x the arithmetic itself (5M numbers: 1.5 s -> 0.15 s of CPU).
  // So the number test is a bitAnd (both sides computed for every row, unlike AND) and only cheap work is left
  // in the branches; the best-effort parse still runs only for text timestamps.
  return `if(bitAnd(${isNumber}, ${ms} BETWEEN 631152000000 AND 7258118400000),
      fromUnixTimestamp64Milli(toInt64(round(${ms})), 'UTC'),
      if(${isNumber} OR NOT match(${tsText}, '[0-9]{4}'), NULL,
        if(${best} BETWEEN toDateTime64('1990-01-01 00:00:00', 3, 'UTC') AND toDateTime64('2200-01-01 00:00:00', 3, 'UTC'), ${best}, NULL)))`;
}

/** Text without its leading spaces and tabs (trimLeft removes spaces only). */
export const unindent = (text: string) => `trim(LEADING ' \\t' FROM ${text})`;

/**
 * JSON text of a line -> the array of event objects it carries (a batch, an envelope, or itself).
 * Cheap substring tests guard the envelope checks so a plain object line is not parsed for them;
 * an invalid array line stays one element so it is rejected, not lost. A batch may be indented.
 */
export function jsonElements(raw: string): string {
  return `multiIf(
    startsWith(${raw}, '[') OR ((startsWith(${raw}, ' ') OR startsWith(${raw}, '\\t')) AND startsWith(${unindent(raw)}, '[')),
      if(isValidJSON(${raw}), JSONExtractArrayRaw(${raw}), [${raw}]),
    position(${raw}, '"events"') > 0 AND JSONType(${raw}, 'events') = 'Array', JSONExtractArrayRaw(${raw}, 'events'),
    position(${raw}, '"list"') > 0 AND JSONType(${raw}, 'data') = 'Array' AND JSONExtractString(${raw}, 'object') = 'list',
      JSONExtractArrayRaw(${raw}, 'data'),
    [${raw}])`;
}

/** Array(Tuple(key, rawJson)) -> Map(String, String) (tupleElement over the array: no lambdas). */
export const toMap = (pairs: string) => `mapFromArrays(tupleElement(${pairs}, 1), tupleElement(${pairs}, 2))`;
