/**
 * The one SELECT that produces the output text: one row per event, in arrival order, each row
 * carrying its own delimiters (newline, batch brackets, a malformed line after a batch), so the
 * rows concatenated as RawBLOB are the file. Also the cheap counting query for the summary.
 */
import { SqlParams } from '../store/sql.js';
import type { ResolvedOptions } from './options.js';
import { type Schedule, scheduleSql } from './schedule.js';
import { TAG, hashSql, uniformSql } from './random.js';
import { Writer } from './codec.js';
import { eventSql } from './fields.js';
import { ENCODERS, type EventTimes } from './encoders.js';

const BAD_TIMESTAMPS = ['yesterday', 'not-a-timestamp', 'NaN', 'soon'];

/** Whether event `x` re-sends an earlier one (SQL). */
const isDupSql = (o: ResolvedOptions, x: string) => `(${x} > 0 AND ${uniformSql(o.seed, TAG.duplicate, x)} < ${o.duplicateRate})`;

/** The event a duplicate re-sends: one of the 1000 before it, unless that one is itself a duplicate. */
function srcSql(o: ResolvedOptions): string {
  if (o.duplicateRate === 0) return 'i';
  const j = `(i - 1 - (${hashSql(o.seed, TAG.duplicateOf, 'i')} % greatest(toUInt64(1), least(i, toUInt64(1000)))))`;
  return `if(${isDupSql(o, 'i')} AND NOT ${isDupSql(o, j)}, ${j}, i)`;
}

const isLateSql = (o: ResolvedOptions, x: string) => (o.lateRate === 0 ? '0' : `${uniformSql(o.seed, TAG.late, x)} < ${o.lateRate}`);

/** Malformed lines come per line unit (an event, or a batch): probability rate × events in it. */
const isBadSql = (o: ResolvedOptions, unit: string, len: string) =>
  o.malformedRate === 0 ? '0' : `${uniformSql(o.seed, TAG.malformed, unit)} < ${o.malformedRate} * ${len}`;

export interface BuiltQuery {
  sql: string;
  params: SqlParams;
}

export function generationSql(sc: Schedule, o: ResolvedOptions): BuiltQuery {
  const params = new SqlParams();
  const enc = ENCODERS[o.format];
  const w = new Writer(enc.codec, params);
  const e = eventSql(w, o, 'src');
  const B = o.batchSize;
  const N = sc.events;
  const batched = B > 1;
  const needPos = batched || o.format === 'csv';

  const t: EventTimes = {
    unix: 'toString(intDiv(ev_ms, 1000))',
    iso: `concat(formatDateTime(toDateTime(intDiv(ev_ms, 1000), 'UTC'), '%Y-%m-%dT%H:%i:%S'), '.', leftPad(toString(ev_ms % 1000), 3, '0'), 'Z')`,
    createdUnix: 'toString(intDiv(arr_ms, 1000))',
    // Letters only: the same text in every syntax.
    bad: `arrayElement(${params.add(BAD_TIMESTAMPS, 'Array(String)')}, 1 + ${hashSql(o.seed, TAG.badTimestamp, 'unit')} % ${BAD_TIMESTAMPS.length})`,
  };

  const good = enc.event(w, e, t, 'good');
  const wrap = (x: string) => (batched ? `concat(${w.raw(enc.open)}, ${x}, ${w.raw(enc.close)})` : x);
  const cutU = uniformSql(o.seed, TAG.cut, 'unit');
  const truncated = enc.truncate
    ? enc.truncate(w, e, t, cutU)
    : `substringUTF8(${wrap(good)}, 1, intDiv(lengthUTF8(${wrap(good)}), 3) + toUInt64(floor(${cutU} * (lengthUTF8(${wrap(good)}) - intDiv(lengthUTF8(${wrap(good)}), 3)))))`;
  const badLine = `multiIf(bad_kind = 0, ${truncated}, bad_kind = 1, ${wrap(enc.event(w, e, t, 'badTs'))}, ${wrap(enc.event(w, e, t, 'noName'))})`;

  const unit = batched ? `intDiv(pos, ${B})` : 'i';
  const unitLen = batched ? `least(toUInt64(${B}), ${N} - intDiv(pos, ${B}) * ${B})` : '1';
  const isClose = batched ? `(pos % ${B} = ${B - 1} OR pos = ${N - 1})` : '1';
  const tail = `if(bad, concat('\\n', ${badLine}), '')`;
  const body = batched
    ? `concat(if(pos % ${B} = 0, ${w.raw(enc.open)}, ','), ${good}, if(${isClose}, concat(${w.raw(enc.close)}, ${tail}, '\\n'), ''))`
    : `concat(${good}, ${tail}, '\\n')`;
  const line = o.format === 'csv' ? `concat(if(pos = 0, ${w.raw(`${enc.header!(e)}\n`)}, ''), ${body})` : body;

  const lateDelay = o.lateRate === 0 ? '0' : `if(${isLateSql(o, 'i')}, toUInt64(1000 * pow(${o.lateMax}, ${uniformSql(o.seed, TAG.lateDelay, 'i')})), 0)`;
  const sql = `
    SELECT ${line} AS line
    FROM (
      SELECT *, ${unit} AS unit, ${isBadSql(o, 'unit', unitLen)} AS bad,
        ${hashSql(o.seed, TAG.malformedKind, 'unit')} % 3 AS bad_kind
      FROM (
        SELECT i, src, ev_ms, arr_ms${needPos ? ', toUInt64(row_number() OVER (ORDER BY arr_ms ASC, i ASC) - 1) AS pos' : ''}
        FROM (
          SELECT i, ev_ms, ev_ms + ${lateDelay} AS arr_ms, ${srcSql(o)} AS src
          FROM (
            SELECT before + k AS i, (${sc.startSec} + s) * 1000 + ${hashSql(o.seed, TAG.millis, 'i')} % 1000 AS ev_ms
            FROM (${scheduleSql(sc, o)})
            ARRAY JOIN range(cnt) AS k
          )
        )
        ORDER BY arr_ms ASC, i ASC
      )
    )`;
  return { sql, params };
}

export interface Counts {
  duplicates: number;
  late: number;
  malformed: number;
}

/** Counts what the generation query will emit, from the same per-row draws (no text built). */
export function countsSql(sc: Schedule, o: ResolvedOptions): string {
  const N = sc.events;
  const B = o.batchSize;
  const units = Math.ceil(N / B);
  const dup = o.duplicateRate === 0 ? '0' : `(SELECT countIf(src != i) FROM (SELECT number AS i, ${srcSql(o)} AS src FROM numbers(${N})))`;
  const late = o.lateRate === 0 ? '0' : `(SELECT countIf(${isLateSql(o, 'number')}) FROM numbers(${N}))`;
  const bad =
    o.malformedRate === 0
      ? '0'
      : `(SELECT countIf(${isBadSql(o, 'unit', `least(toUInt64(${B}), ${N} - unit * ${B})`)}) FROM (SELECT number AS unit FROM numbers(${units})))`;
  return `SELECT ${dup} AS duplicates, ${late} AS late, ${bad} AS malformed`;
}
