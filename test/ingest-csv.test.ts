/**
 * CSV per RFC 4180 on every path: quoted fields holding commas, "" and newlines are one record,
 * numbered by the line it starts on; a malformed record is one reject at its starting line and the
 * records after it are read as usual. Checked against csv-parse (a full RFC 4180 parser) for
 * well-formed files and against the independent record reading in support/csv-records.ts.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, tempDir } from './support/helpers.js';
import type { Store } from '../src/store/store.js';
import { loadEveryWay } from './support/load-paths.js';
import { csvRecordsOf, tidyLinesOf } from './support/csv-records.js';

let store: Store;
const dir = tempDir('meterscope-csv-');

beforeAll(async () => {
  store = await openTestStore();
});

const HEADER = 'timestamp,event_name,identifier,stripe_customer_id,value,note';
const props = (p: unknown) => Object.fromEntries(Object.entries(JSON.parse(String(p)) as Record<string, string>).map(([k, v]) => [k, JSON.parse(v)]));

describe('CSV records', () => {
  it('a well-formed export: one event per record, fields as csv-parse reads them', async () => {
    const text = [
      HEADER,
      '2024-05-01T10:00:00Z,api_call,c1,cus_1,5,"a, b"',
      '2024-05-01T10:00:01Z,api_call,c2,cus_2,6,"say ""hi""\r\nand ""bye"""',
      '',
      '2024-05-01T10:00:02Z,"multi',
      'line, name",c3,cus_3,7,"three',
      '',
      'lines"',
      '2024-05-01T10:00:03Z,api_call,c4,cus_4,,""',
      '"2024-05-01T10:00:04Z","api_call","c5","cus_5","8","é"',
    ].join('\r\n');
    const t = await loadEveryWay(store, dir, 'good.csv', Buffer.from(text));
    const want = (parseCsv(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[]).map((r): Record<string, string> => ({
      ...r,
      note: r.note.replace(/\r\n/g, '\n'), // line ends inside a field are read as \n
      event_name: r.event_name.replace(/\r\n/g, '\n'),
    }));
    expect(t.rejects).toEqual([]);
    expect(t.events.map((e) => ({ identifier: e.identifier, event_name: e.event_name, ...props(e.props) }))).toEqual(
      want.map((r) => ({
        identifier: r.identifier,
        event_name: r.event_name,
        stripe_customer_id: r.stripe_customer_id,
        ...(r.value !== '' ? { value: r.value } : {}),
        ...(r.note !== '' ? { note: r.note } : {}),
      })),
    );
    // Each record is numbered by the line it starts on.
    expect(t.events.map((e) => Number(e.line))).toEqual(csvRecordsOf(tidyLinesOf(Buffer.from(text)).slice(1)).map((r) => r.line));
    expect(t.events.map((e) => Number(e.line))).toEqual([2, 3, 6, 10, 11]);
  });

  it('malformed records: one reject each at its starting line, nothing after them lost', async () => {
    const lines = [
      HEADER,
      '2024-05-01T10:00:00Z,api_call,m1,cus_1,1,"unterminated', // opens a field no later line closes
      '2024-05-01T10:00:01Z,api_call,m2,cus_1,2,"fine, ""quoted"""',
      '2024-05-01T10:00:02Z,api"call,m3,cus_1,3,x', // a quote inside an unquoted field
      '2024-05-01T10:00:03Z,api_call,m4,cus_1,4,"closed"text', // text after a closing quote
      '2024-05-01T10:00:04Z,api_call,m5,cus_1,5,"two', // a multi-line record with a column too many
      'lines",extra',
      '2024-05-01T10:00:05Z,api_call,m6,cus_1,6',
      '2024-05-01T10:00:06Z,api_call,m7,cus_1,7,ok',
      '2024-05-01T10:00:07Z,api_call,m8,cus_1,8,"open at the end',
    ];
    const bytes = Buffer.from(lines.join('\n'));
    const t = await loadEveryWay(store, dir, 'bad.csv', bytes);
    expect(t.events.map((e) => [Number(e.line), e.identifier])).toEqual([
      [3, 'm2'],
      [9, 'm7'],
    ]);
    expect(t.rejects.map((r) => [Number(r.line), r.reason])).toEqual([
      [2, 'unbalanced quotes (a quoted field is never closed)'],
      [4, 'malformed CSV quoting (a quote inside an unquoted field, or text after a closing quote)'],
      [5, 'malformed CSV quoting (a quote inside an unquoted field, or text after a closing quote)'],
      [6, 'expected 6 columns, found 7'],
      [8, 'expected 6 columns, found 5'],
      [10, 'unbalanced quotes (a quoted field is never closed)'],
    ]);
    const records = csvRecordsOf(tidyLinesOf(bytes).slice(1));
    expect(records.map((r) => r.line)).toEqual([2, 3, 4, 5, 6, 8, 9, 10]);
    expect(t.events.length + t.rejects.length).toBe(records.length);
    const [multi] = await store.select<{ raw: string }>(`SELECT raw FROM rejects WHERE run_id = 'bad.csv-stdin' AND line = 6`);
    expect(multi.raw).toBe(records[4].text);
  });
});
