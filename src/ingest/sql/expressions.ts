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
