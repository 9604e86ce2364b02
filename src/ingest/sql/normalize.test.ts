import { describe, expect, it } from 'vitest';
import { HOSTILE, expectAllBound, expectOnlyBound, flat, placeholders } from '../../../test/support/queries.js';
import { SqlParams, type Query } from '../../store/sql.js';
import { DEFAULT_MAPPING, type FieldMapping, type FormatName } from '../formats.js';
import { buildIngestQuery, type ParserChoice } from './normalize.js';
import type { CsvColumns, JsonPaths } from './parsers.js';

const REL = 'SELECT source, line, raw FROM lines_table';
const build = (choice: ParserChoice, runId = 'run_1'): Query => {
  const params = new SqlParams();
  const sql = buildIngestQuery(runId, choice, REL, params);
  return { sql, params: params.values };
};
const values = (q: Query) => new Set(Object.values(q.params).map((v) => (typeof v === 'string' ? v : JSON.stringify(v))));

const JSON_PATHS: JsonPaths = { name: ['kind'], id: ['uid'], ts: ['at'], customer: ['meta', 'customer', 'id'], props: ['attrs'] };
const CSV: CsvColumns = { header: ['ts', 'name', 'region'], propertyKeys: ['', '', 'region'], name: 1, id: -1, ts: 0, customer: -1 };

// The built-in JSON formats: the typed fast path, the general parse only for the lines it leaves.
const FAST = "WITH JSONExtractKeysAndValuesRaw(if(fast, '', raw)) AS top_pairs";

// Which parser each format gets, told by the parser's distinctive step; and the path keys it binds.
const FORMATS: [FormatName, Partial<ParserChoice>, string, string[]][] = [
  ['stripe-json', {}, FAST, ['event_name', 'identifier', 'timestamp', 'payload']],
  ['stripe-v2-stream', {}, FAST, ['event_name', 'identifier', 'timestamp', 'payload']],
  ['metronome', {}, FAST, ['event_type', 'transaction_id', 'timestamp', 'customer_id', 'properties']],
  ['cloudevents', {}, FAST, ['type', 'id', 'time', 'subject', 'data']],
  ['json', { jsonPaths: JSON_PATHS }, 'WITH JSONExtractKeysAndValuesRaw(raw) AS top_pairs', ['kind', 'uid', 'at', 'meta', 'customer', 'id', 'attrs']],
  ['stripe-v1-form', {}, 'decodeURLFormComponent', []],
  ['csv', { csv: CSV }, "extractAllGroups(concat(raw, ','),", ['["","","region"]']],
];

describe('buildIngestQuery', () => {
  it.each(FORMATS)('%s: its parser, over the given relation, with its field keys bound', (format, extra, marker, keys) => {
    const q = build({ format, mapping: DEFAULT_MAPPING, ...extra });
    expect(q.sql).toContain(marker);
    expect(q.sql).toContain(`FROM (${REL})`);
    const bound = values(q);
    for (const v of ['run_1', format, 'value', 'stripe_customer_id', ...keys]) expect(bound).toContain(v);
    expect(flat(q.sql)).toMatch(/^INSERT INTO ingest_rows \(run_id, source, line, seq, format, event_time,/);
    expectAllBound(q);
  });

  it('each parser appears only for its own formats', () => {
    const form = build({ format: 'stripe-v1-form', mapping: DEFAULT_MAPPING }).sql;
    expect(form).not.toContain('JSONExtractKeysAndValuesRaw(raw)');
    expect(form).not.toContain('extractAllGroups');
    expect(build({ format: 'csv', mapping: DEFAULT_MAPPING, csv: CSV }).sql).not.toContain('decodeURLFormComponent');
  });

  it('the run, format and mapping keys go in as parameters; the value and customer read the mapped payload keys', () => {
    const q = build({ format: 'stripe-json', mapping: { customerKey: 'acct', valueKey: 'tokens' } });
    const name = (v: string) => Object.entries(q.params).find(([, x]) => x === v)![0];
    const s = flat(q.sql);
    expect(s).toContain(`SELECT {${name('run_1')}:String}, source, line, seq, {${name('stripe-json')}:String}, event_time`);
    expect(s).toContain(`toFloat64OrNull(if(startsWith(properties[{${name('tokens')}:String}], '"')`);
    expect(s).toContain(`if(customer_direct != '', customer_direct, if(startsWith(properties[{${name('acct')}:String}], '"')`);
  });

  it('a default event name is used only when given, and only for events without one', () => {
    expect(flat(build({ format: 'csv', mapping: DEFAULT_MAPPING, csv: CSV }).sql)).toContain(', event_name AS ev_name,');
    const q = build({ format: 'csv', mapping: { ...DEFAULT_MAPPING, eventName: 'fallback' }, csv: CSV });
    expect(flat(q.sql)).toMatch(/, if\(event_name = '', \{p\d+:String\}, event_name\) AS ev_name,/);
    expectOnlyBound(q, 'fallback');
  });

  it('no user string is ever inlined: run id, mapping keys, event name, JSON paths, CSV property names', () => {
    const mapping: FieldMapping = { customerKey: `c${HOSTILE}`, valueKey: `v${HOSTILE}`, eventName: `e${HOSTILE}` };
    const paths: JsonPaths = { name: [`n${HOSTILE}`], id: [`i${HOSTILE}`], ts: ['deep', `t${HOSTILE}`], customer: [`u${HOSTILE}`] };
    const csv: CsvColumns = { ...CSV, header: ['ts', 'name', HOSTILE], propertyKeys: ['', '', `p${HOSTILE}`] };
    const choices: ParserChoice[] = [
      { format: 'stripe-json', mapping },
      { format: 'stripe-v1-form', mapping },
      { format: 'json', mapping, jsonPaths: paths },
      { format: 'csv', mapping, csv },
    ];
    for (const choice of choices) {
      const q = build(choice, `r${HOSTILE}`);
      for (const v of [`r${HOSTILE}`, `c${HOSTILE}`, `v${HOSTILE}`, `e${HOSTILE}`]) expectOnlyBound(q, v);
      expectAllBound(q);
    }
    const json = build({ format: 'json', mapping, jsonPaths: paths });
    for (const v of [`n${HOSTILE}`, `i${HOSTILE}`, `t${HOSTILE}`, `u${HOSTILE}`]) expectOnlyBound(json, v);
    expectOnlyBound(build({ format: 'csv', mapping, csv }), `p${HOSTILE}`);
  });

  it('generic JSON: deeper paths parse again with bound keys; without a payload object the unmapped top-level keys are the payload', () => {
    const q = build({ format: 'json', mapping: DEFAULT_MAPPING, jsonPaths: { name: ['kind'], id: ['uid'], ts: ['at'], customer: ['meta', 'customer', 'id'] } });
    expect(flat(q.sql)).toMatch(/JSONExtractRaw\(raw, \{p\d+:String\}, \{p\d+:String\}, \{p\d+:String\}\) AS cust_raw/);
    const filter = /arrayFilter\(x -> x\.1 NOT IN \{(p\d+):Array\(String\)\}, top_pairs\)/.exec(q.sql);
    expect(filter).not.toBeNull();
    // The customer path is nested, so only the three top-level keys are left out of the payload.
    expect(q.params[filter![1]]).toEqual(['kind', 'uid', 'at']);
    expect(placeholders(q.sql).get(filter![1])).toBe('Array(String)');
  });

  it('CSV: the column count is checked against the header; the property names are one bound array', () => {
    const q = build({ format: 'csv', mapping: DEFAULT_MAPPING, csv: CSV });
    expect(flat(q.sql)).toContain("length(f) != 3, concat('expected 3 columns, found ', toString(length(f))), '') AS parse_error");
    expect(q.sql).toContain('WHERE line > 1');
    expect(flat(q.sql)).toContain("f[2] AS event_name, '' AS identifier, f[1] AS ts_text, '' AS customer_direct");
  });

  it('generic formats refuse to build without their resolved fields', () => {
    expect(() => build({ format: 'json', mapping: DEFAULT_MAPPING })).toThrow('generic JSON needs resolved field paths');
    expect(() => build({ format: 'csv', mapping: DEFAULT_MAPPING })).toThrow('CSV needs a resolved header');
  });
});
