/**
 * Stripe v1 request logs: a form-encoded body (event_name=…&payload[value]=…) as people log it —
 * the value of a body=/data=/params= field (bare, or JSON-quoted as logfmt writers quote it), or a
 * bare a=b&c=d field of the line. When the body has no timestamp, Stripe uses the request time, and
 * so does this parser: it is read from the start of the line (see requestTime).
 */
import { notBlank } from './lines.js';

/** Reject reasons naming where the parser looked (no colons: reports group by the text before one). */
export const FORM_MISSING = {
  body: 'not a form-encoded body (looked for the value of body=/data=/params= or a bare field with event_name=, payload[…]=, identifier= or timestamp=)',
  name: 'missing event name (looked for event_name= in the form body, taken from body=/data=/params= or a bare a=b&c=d field)',
  timestamp: 'missing timestamp (no timestamp= in the form body and no request time before it in ISO 8601, time=/ts=, [01/Mar/2025…] or syslog "Mar  1 10…" form)',
};

const BAD_ESCAPE = `'%([^0-9A-Fa-f]|[0-9A-Fa-f][^0-9A-Fa-f]|[0-9A-Fa-f]?$)'`;

export function formParser(lines: string): string {
  return `
    SELECT source, line, toUInt32(1) AS seq, raw,
      multiIf(
        NOT isValidUTF8(raw), 'invalid UTF-8',
        body = '', '${FORM_MISSING.body}',
        match(body, ${BAD_ESCAPE}), 'invalid percent-escape in the form body',
        NOT isValidUTF8(decodeURLFormComponent(body)), 'invalid UTF-8 in the form body after percent-decoding',
        '') AS parse_error,
      kv['event_name'] AS event_name,
      kv['identifier'] AS identifier,
      if(kv['timestamp'] != '', kv['timestamp'], ${requestTime('raw')}) AS ts_text,
      '' AS customer_direct,
      arrayMap(p -> (extract(p.1, '^payload\\\\[(.*)\\\\]$'), toJSONString(p.2)),
               arrayFilter(p -> match(p.1, '^payload\\\\[.+\\\\]$'), pairs)) AS props
    FROM (
      SELECT source, line, raw, body, pairs,
        mapFromArrays(arrayMap(p -> p.1, pairs), arrayMap(p -> p.2, pairs)) AS kv
      FROM (
        SELECT source, line, raw, body,
          arrayMap(t -> (decodeURLFormComponent(splitByChar('=', t)[1]), decodeURLFormComponent(substring(t, position(t, '=') + 1))),
                   arrayFilter(t -> position(t, '=') > 0, splitByChar('&', body))) AS pairs
        FROM (SELECT source, line, raw, ${formBody('raw')} AS body FROM (${lines}) WHERE ${notBlank('raw')})
      )
    )`;
}

/**
 * The form body of a log line: the value of a body=/data=/params= field — JSON-quoted ("…", unescaped),
 * single-quoted ('…' or Python's b'…', unquoted) or bare — else the first whitespace-separated field
 * that looks like a meter-event body.
 */
function formBody(raw: string): string {
  const keyed = `extract(${raw}, '(?:^|\\\\s)(?:body|data|params)=("(?:[^"\\\\\\\\]|\\\\\\\\.)*"|b?\\'[^\\']*\\'|[^\\\\s"\\']\\\\S*)')`;
  const bare = `arrayFirst(t -> match(t, '(^|&)(event_name|payload(\\\\[|%5B)|identifier|timestamp)'), splitByWhitespace(${raw}))`;
  return `multiIf(${keyed} = '', ${bare},
      startsWith(${keyed}, '"'), JSONExtractString(${keyed}),
      endsWith(${keyed}, '\\''), replaceRegexpOne(${keyed}, '^b?\\'(.*)\\'$', '\\\\1'),
      ${keyed})`;
}

const MONTH_LIST = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTHS = `[${MONTH_LIST.map((m) => `'${m}'`).join(',')}]`;
/** A month name as logs write it (any case); nothing else is taken for one. */
const MONTH_NAME = `(?i:${MONTH_LIST.join('|')})`;
const two = (x: string) => `leftPad(${x}, 2, '0')`;
const monthNo = (name: string) => two(`toString(indexOf(${MONTHS}, concat(upper(substring(${name}, 1, 1)), lower(substring(${name}, 2)))))`);
const ISO = `[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?(?: ?Z| ?[+-][0-9]{2}:?[0-9]{2}| UTC)?)?`;

/**
 * The request time of a log line as ISO text ('' when there is none), first found of:
 * an ISO 8601 time at the start (optionally in brackets or after a syslog <priority>version),
 * a logfmt time=/ts= field, an Apache/nginx [01/Mar/2025:10:00:02 +0000] time, or a syslog
 * "Mar  1 10:00:02" time at the start. Syslog times have no year or zone: they are read as UTC in
 * the current year, or the year before when that would put them more than a day in the future.
 */
export function requestTime(raw: string): string {
  const iso = `extract(${raw}, '^(?:<[0-9]+>[0-9]* ?)?\\\\[?(${ISO})')`;
  const logfmt = `extract(${raw}, '(?:^|\\\\s)(?:time|ts)="?(${ISO})')`;
  const clf = `extractGroups(${raw}, '\\\\[([0-9]{2})/(${MONTH_NAME})/([0-9]{4}):([0-9]{2}:[0-9]{2}:[0-9]{2})(?: ([+-][0-9]{2})([0-9]{2}))?\\\\]')`;
  const clfIso = (g: string) => `concat(${g}[3], '-', ${monthNo(`${g}[2]`)}, '-', ${g}[1], 'T', ${g}[4], if(${g}[5] = '', 'Z', concat(${g}[5], ':', ${g}[6])))`;
  const sys = `extractGroups(${raw}, '^(${MONTH_NAME}) +([0-9]{1,2}) ([0-9]{2}:[0-9]{2}:[0-9]{2})\\\\s')`;
  const sysIn = (g: string, year: string) => `concat(toString(${year}), '-', ${monthNo(`${g}[1]`)}, '-', ${two(`${g}[2]`)}, 'T', ${g}[3], 'Z')`;
  const thisYear = `toYear(now('UTC'))`;
  const sysIso = (g: string) =>
    `if(parseDateTime64BestEffortOrNull(${sysIn(g, thisYear)}, 3, 'UTC') > now64(3, 'UTC') + INTERVAL 1 DAY, ${sysIn(g, `${thisYear} - 1`)}, ${sysIn(g, thisYear)})`;
  return `multiIf(
      ${iso} != '', ${iso},
      ${logfmt} != '', ${logfmt},
      notEmpty(${clf}), ${clfIso(clf)},
      notEmpty(${sys}), ${sysIso(sys)},
      '')`;
}
