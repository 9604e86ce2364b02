/**
 * One result whatever the way in: a plain, gzip or zstd file (read by the engine) and stdin (streamed
 * through the staging table) give the same events and rejects for the same bytes, including a
 * UTF-8 BOM, CRLF line ends, invalid UTF-8, NUL bytes and whitespace-only lines; and those tables
 * match a plain-JS reading of the bytes. (Server mode: test/server-mode.test.ts.)
 */
import { isUtf8 } from 'node:buffer';
import { beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, tempDir } from './support/helpers.js';
import type { Store } from '../src/store/store.js';
import type { FormatName } from '../src/ingest/formats.js';
import { loadEveryWay as loadAll } from './support/load-paths.js';
import { isBlank, tidyLinesOf } from './support/csv-records.js';

let store: Store;
const dir = tempDir('meterscope-paths-');

beforeAll(async () => {
  store = await openTestStore();
});

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const ev = (id: string, t: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ identifier: id, timestamp: t, event_name: 'api_call', payload: { stripe_customer_id: 'cus_1', value: 1, ...extra } });

const loadEveryWay = (name: string, bytes: Buffer, format?: FormatName) => loadAll(store, dir, name, bytes, { format });

/** Plain-JS reading of Stripe JSON lines: (line, identifier) of events and (line, reason) of rejects. */
function readStripeJson(bytes: Buffer): { events: [number, string][]; rejects: [number, string][] } {
  const out = { events: [] as [number, string][], rejects: [] as [number, string][] };
  for (const { line, text } of tidyLinesOf(bytes)) {
    if (isBlank(text)) continue;
    const raw = Buffer.from(text, 'latin1');
    if (!isUtf8(raw)) {
      out.rejects.push([line, 'invalid UTF-8']);
      continue;
    }
    try {
      const o = JSON.parse(raw.toString('utf8')) as { identifier: string };
      out.events.push([line, o.identifier]);
    } catch {
      out.rejects.push([line, 'invalid JSON']);
    }
  }
  return out;
}

describe('the same bytes give the same tables on every path', () => {
  it('JSON lines with a BOM, CRLF, invalid UTF-8, NUL bytes and whitespace-only lines', async () => {
    const bytes = Buffer.concat([
      BOM,
      Buffer.from(`${ev('a1', 1700000000)}\r\n`),
      Buffer.from('\t\r\n   \n\f\v\n\r\n'),
      Buffer.from(`${ev('a2', 1700000001, { note: 'tab\there, back\\slash' })}\r\n`),
      Buffer.from(ev('a3', 1700000002).replace('cus_1', 'cus_\u00e9')),
      Buffer.from('\n'),
      Buffer.concat([Buffer.from(ev('bad1', 1700000003).slice(0, 40)), Buffer.from([0xff, 0xfe]), Buffer.from(ev('x', 1).slice(40)), Buffer.from('\n')]),
      Buffer.concat([Buffer.from(ev('bad2', 1700000004).slice(0, 30)), Buffer.from([0xc3]), Buffer.from('"}\n')]),
      Buffer.concat([Buffer.from(ev('bad3', 1700000005).slice(0, 20)), Buffer.from([0]), Buffer.from(ev('x', 1).slice(20)), Buffer.from('\r\n')]),
      Buffer.from(ev('a4', 1700000006)), // no newline at the end
    ]);
    const t = await loadEveryWay('hostile.jsonl', bytes);
    const want = readStripeJson(bytes);
    expect(want.events.map((e) => e[1])).toEqual(['a1', 'a2', 'a3', 'a4']); // the reading itself is right
    expect(t.events.map((e) => [Number(e.line), e.identifier])).toEqual(want.events);
    expect(t.rejects.map((r) => [Number(r.line), r.reason])).toEqual(want.rejects);
    expect(want.rejects.map((r) => r[1])).toEqual(['invalid UTF-8', 'invalid UTF-8', 'invalid JSON']);
    // A reject keeps its bytes exactly: the invalid ones are not replaced on any path.
    const [first] = await store.select<{ h: string }>(`SELECT hex(raw) AS h FROM rejects WHERE run_id = 'hostile.jsonl-stdin' ORDER BY line LIMIT 1`);
    expect(first.h).toContain('FFFE');
    const a2 = JSON.parse(String(t.events.find((e) => e.identifier === 'a2')!.props)) as Record<string, string>;
    expect(JSON.parse(a2.note)).toBe('tab\there, back\\slash');
  });

  it('a form-encoded log with a BOM and CRLF: the first line is an event', async () => {
    const lines = [
      'event_name=api_call&identifier=f1&timestamp=1700000000&payload[value]=3',
      'event_name=api_call&identifier=f2&timestamp=1700000001&payload[value]=%C3%A9',
    ];
    const t = await loadEveryWay('bom.form', Buffer.concat([BOM, Buffer.from(`${lines.join('\r\n')}\r\n`)]), 'stripe-v1-form');
    expect(t.events.map((e) => [Number(e.line), e.identifier, e.props])).toEqual([
      [1, 'f1', '{"value":"\\"3\\""}'],
      [2, 'f2', '{"value":"\\"é\\""}'],
    ]);
    expect(t.rejects).toEqual([]);
  });

  it('a CSV export with a BOM and CRLF: the header is read, no field keeps a CR', async () => {
    const csv = ['timestamp,event_name,identifier,region', '2024-05-01T10:00:00Z,api_call,c1,eu', '2024-05-01T10:00:01Z,api_call,c2,"us,\r\neast"', ''].join('\r\n');
    const t = await loadEveryWay('bom.csv', Buffer.concat([BOM, Buffer.from(csv)]));
    expect(t.events.map((e) => [Number(e.line), e.identifier, e.props])).toEqual([
      [2, 'c1', '{"region":"\\"eu\\""}'],
      [3, 'c2', '{"region":"\\"us,\\\\neast\\""}'],
    ]);
  });
});
