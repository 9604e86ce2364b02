/**
 * The one place lines are tidied before any parser sees them, so the file() path and the streamed
 * (staging table) path start from the same text: both hand over the line's raw bytes.
 */

/**
 * Line relation (source, line, raw) -> the same with one trailing CR removed (CRLF files) and a
 * UTF-8 byte order mark removed from line 1.
 */
export function tidyLines(rel: string): string {
  return `
    SELECT source, line, if(line = 1 AND startsWith(l0, '\\xEF\\xBB\\xBF'), substring(l0, 4), l0) AS raw
    FROM (SELECT source, line, if(endsWith(raw, '\\r'), substring(raw, 1, length(raw) - 1), raw) AS l0 FROM (${rel}))`;
}

/** True for text with something besides spaces, tabs, CR, FF and VT (blank lines are skipped, not rejected). */
export const notBlank = (raw: string) => `NOT match(${raw}, '^[ \\\\t\\\\r\\\\f\\\\v]*$')`;
