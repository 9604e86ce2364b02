/**
 * Timestamps: units told by magnitude, RFC 3339 text, and a reason of its own for times that parse
 * but lie outside the accepted range (epoch 0, year 9999, negative numbers), naming the range.
 * Expected values come from a plain-JS reading of the documented rule.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, tempDir } from './support/helpers.js';
import type { Store } from '../src/store/store.js';
import { loadEveryWay } from './support/load-paths.js';
import { ACCEPTED_FROM, ACCEPTED_TO } from '../src/ingest/sql/timestamps.js';

let store: Store;
const dir = tempDir('meterscope-ts-');

beforeAll(async () => {
  store = await openTestStore();
});

const FROM = Date.UTC(1990, 0, 1);
const TO = Date.UTC(2200, 0, 1);
const OUT = 'timestamp out of range (accepted 1990-01-01 … 2200-01-01 UTC): ';

/** The documented rule, in JS: [event time in ms] or [reason]. */
function expected(ts: unknown): [number] | [string] {
  if (ts === null || ts === '') return ['missing timestamp'];
  // A JSON number's text as ClickHouse prints it back (1e+30 as 1e30).
  const text = typeof ts === 'number' ? JSON.stringify(ts).replace('e+', 'e') : String(ts);
  if (/^-?\d+(\.\d*)?([eE][-+]?\d+)?$/.test(text)) {
    const x = Number(text);
    const a = Math.abs(x);
    const ms = a >= 1e17 ? x / 1e6 : a >= 1e14 ? x / 1e3 : a >= 1e11 ? x : x * 1000;
    return ms >= FROM && ms <= TO ? [Math.round(ms)] : [OUT + text];
  }
  const t = Date.parse(text);
  if (Number.isNaN(t)) return [`unparseable timestamp: ${text}`];
  return t >= FROM && t <= TO ? [t] : [OUT + text];
}

// A nanosecond timestamp as a JS number is imprecise on purpose: that is what such a log holds once parsed.
/* eslint-disable no-loss-of-precision */
const VALUES: unknown[] = [
  1700000000,
  1700000000.25,
  1700000000123,
  1700000000123456,
  1700000000123456789,
  1.7e9,
  '1700000000',
  631152000,
  7258118400,
  '1990-01-01T00:00:00Z',
  '2200-01-01T00:00:00Z',
  '2024-05-01T10:00:00.5+02:00',
  0,
  -1,
  -1700000000,
  1e30,
  253402300799,
  7258118401,
  '0',
  '-5',
  '9999-12-31T23:59:59Z',
  '1970-01-01T00:00:00Z',
  '1989-12-31T23:59:59Z',
  '2200-01-01T00:00:00.001Z',
  '0001-01-01T00:00:00Z',
  'soon',
  'NaN',
  '',
  null,
];
/* eslint-enable no-loss-of-precision */

describe('timestamps', () => {
  it('the accepted range is what the reason names', () => {
    expect([ACCEPTED_FROM, ACCEPTED_TO]).toEqual(['1990-01-01', '2200-01-01']);
  });

  it('accepts times in range, names the range for those outside it, on every path', async () => {
    const lines = VALUES.map((ts, i) => JSON.stringify({ identifier: `t${i}`, timestamp: ts, event_name: 'api_call', payload: {} }));
    const t = await loadEveryWay(store, dir, 'times.jsonl', Buffer.from(lines.join('\n')));
    const got = new Map<number, number | string>();
    for (const e of t.events) got.set(Number(e.line), Date.parse(`${String(e.t).replace(' ', 'T')}Z`));
    for (const r of t.rejects) got.set(Number(r.line), String(r.reason));
    expect(VALUES.map((_, i) => got.get(i + 1))).toEqual(VALUES.map((v) => expected(v)[0]));
    expect(t.events.length).toBe(12);
    expect(t.rejects.filter((r) => String(r.reason).startsWith(OUT)).length).toBe(13);
  });
});
