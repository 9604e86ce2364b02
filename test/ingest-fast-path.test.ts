/**
 * The typed fast path of the JSON parsers (src/ingest/sql/fast-json.ts) against the general parser:
 * the same adversarial file through both must give the same events and rejects, row for row, and
 * the fast path must actually take the ordinary lines.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openTestStore, rows, tempDir } from './support/helpers.js';
import { SqlParams } from '../src/store/sql.js';
import { DEFAULT_MAPPING, type FormatName } from '../src/ingest/formats.js';
import { buildIngestQuery } from '../src/ingest/sql/normalize.js';
import { fastPath } from '../src/ingest/sql/fast-json.js';
import { METRONOME_PATHS, STRIPE_PATHS } from '../src/ingest/sql/parsers.js';
import { INGEST_SETTINGS, FILE_READ_SETTINGS } from '../src/ingest/ingest-settings.js';
import type { Store } from '../src/store/store.js';

const ok = { event_name: 'api', identifier: 'id', timestamp: 1700000000, payload: { stripe_customer_id: 'cus_1', value: '5' } };
const line = (o: Record<string, unknown>) => JSON.stringify({ ...ok, ...o });
const VALUES = [1, -0, 1.5, 1.5e3, 1e-7, 1e308, true, false, null, {}, [], { a: [1, { b: null }] }, [1, 'x'], '', 'text', 'é ☃', '"q"'];

/** Every shape the general parser distinguishes, in the fields the fast path reads. */
function adversarialLines(): string[] {
  const out: string[] = [];
  for (const v of VALUES) {
    out.push(line({ event_name: v }), line({ identifier: v }), line({ timestamp: v }), line({ payload: v }));
    out.push(line({ payload: { stripe_customer_id: v, value: v, other: v, nested: { v } } }));
  }
  out.push(
    ...['18446744073709551615', '-9223372036854775808', '1.50', '1E5', '-0.0'].flatMap((n) => [
      `{"event_name":"a","identifier":${n},"timestamp":${n},"payload":{"value":${n}}}`,
      `{"event_name":${n},"identifier":"x","timestamp":1700000000,"payload":{"value":"1"}}`,
    ]),
    line({}),
    line({ timestamp: 1700000000123 }),
    line({ timestamp: '2024-03-01T10:00:00.5+02:00' }),
    line({ timestamp: '1700000000' }),
    line({ timestamp: 1.7e9 }),
    line({ timestamp: 'yesterday' }),
    line({ timestamp: 99999999999999 }),
    line({ event_name: '3d_render' }),
    line({ event_name: '-x' }),
    line({ event_name: 'true' }),
    line({ event_name: '{x' }),
    line({ identifier: '12' }),
    line({ identifier: 12.0 }),
    line({ identifier: 'a\nb' }),
    line({ event_name: 'caf\u00e9 "x"' }),
    '{"event_name":"a","event_name":"b","identifier":"d1","timestamp":1700000000,"payload":{"value":"1"}}',
    '{"event_name":5,"event_name":"b","identifier":"d2","timestamp":1700000000,"payload":{"value":"1"}}',
    '{"event_name":"a","identifier":"d3","identifier":7,"timestamp":1700000000,"payload":{"value":"1"}}',
    '{"event_name":"a","identifier":"d4","timestamp":true,"timestamp":1700000000,"payload":{"value":"1"}}',
    '{"event_name":"a","identifier":"d5","timestamp":1700000000,"payload":{"value":"1"},"payload":{"value":"2"}}',
    '{"event_name":"a","identifier":"d6","timestamp":1700000000,"payload":{"value":"1","value":"2","k":1.50,"k":2}}',
    '{"event\\u005fname":5,"identifier":"e1","timestamp":1700000000,"payload":{"event_name":"x"}}',
    '{"event_name":"a\\u0062","identifier":"e\\"2","timestamp":"17000\\u00300000","payload":{"k\\u0031":"v\\n"}}',
    '{ "event_name" : "a" , "identifier" : "w1" , "timestamp" : 1700000000 , "payload" : { "value" : 1.50 , "x" : [ 1 , 2 ] } }',
    '  {"event_name":"a","identifier":"w2","timestamp":1700000000,"payload":{"value":"1"}}',
    '{"event_name":"a","identifier":"p1","timestamp":1700000000,"payload":{"events":1,"list":2}}',
    '{"object":"list","data":[{"event_name":"a","identifier":"l1","timestamp":1700000000,"payload":{"value":"1"}},{"event_name":"b"}]}',
    '{"events":[{"event_name":"a","identifier":"v1","timestamp":1700000000,"payload":{"value":"1"}},5,"x"]}',
    '[{"event_name":"a","identifier":"b1","timestamp":1700000000,"payload":{"value":"1"}},{"event_name":2}]',
    '[{"event_name":"a"',
    // Events of batches and envelopes take the fast path too: texts the general parser never splits again.
    '[ {"event_name":"a","identifier":"b3","timestamp":1700000000,"payload":{"events":[1],"list":"x"}} , {"event_name":"a","identifier":"b4","timestamp":"2024-01-01T00:00:00Z","payload":{"v":true}} ]',
    '[{"events":[{"event_name":"a","identifier":"b5","timestamp":1,"payload":{"v":1}}]},{"object":"list","data":[]}]',
    '{"events":[{"event_name":"a","identifier":"v2","timestamp":1700000000,"payload":{"k":"x\\"y"}},{"event_name":"b","identifier":"v3","timestamp":1700000000,"payload":{}},{"event_name":7,"identifier":"v4","timestamp":1700000000,"payload":{"k":1}}]}',
    '{"event_name":"a","identifier":"big","timestamp":1e400,"payload":{"v":1}}',
    '{"event_name":"a","identifier":"t1","timestamp":1700000000,"payload":{"value":"1"}} trailing',
    '{"event_name":"a","identifier":"t2","timestamp":1700000000,"payload":{"value":"1"}}}',
    '{"event_name":"a",}',
    'null',
    '5',
    '"s"',
    '{}',
    '{"event_name":"a","identifier":"n1","timestamp":1700000000,"payload":{"value":123456789012345678901234}}',
    '{"event_name":"a","identifier":"u1","timestamp":1700000000,"payload":{"value":"\u2028"}}',
    '   ',
    '',
  );
  return out;
}

async function load(store: Store, runId: string, file: string, format: FormatName, fast: boolean): Promise<void> {
  const params = new SqlParams();
  const rel = `SELECT 'f' AS source, toUInt64(_row_number + 1) AS line, l AS raw FROM file(${params.add(file)}, 'LineAsString', 'l String', 'none')`;
  const sql = buildIngestQuery(runId, { format, mapping: DEFAULT_MAPPING, fastPath: fast }, rel, params);
  await store.exec(sql, params.values, { ...INGEST_SETTINGS, ...FILE_READ_SETTINGS });
}

const EVENT_COLS = 'line, seq, event_time, event_name, customer, identifier, value, toString(properties) AS props, format';
const REJECT_COLS = 'line, seq, reason, raw, format';

async function both(store: Store, name: string, format: FormatName, bytes: Buffer) {
  const file = path.join(tempDir(), name);
  fs.writeFileSync(file, bytes);
  await load(store, `${name}-fast`, file, format, true);
  await load(store, `${name}-general`, file, format, false);
  const get = (cols: string, table: string, run: string) => rows(store, `SELECT ${cols} FROM ${table} WHERE run_id = {r:String} ORDER BY line, seq`, { r: run });
  return {
    file,
    fast: { events: await get(EVENT_COLS, 'events', `${name}-fast`), rejects: await get(REJECT_COLS, 'rejects', `${name}-fast`) },
    general: { events: await get(EVENT_COLS, 'events', `${name}-general`), rejects: await get(REJECT_COLS, 'rejects', `${name}-general`) },
  };
}

/** How many lines of the file the fast path's guard takes (each line as one event text, unsplit). */
async function fastLines(store: Store, file: string, paths = STRIPE_PATHS): Promise<number> {
  const params = new SqlParams();
  const fp = fastPath(paths, params)!;
  const lines = `SELECT 'f' AS source, toUInt64(_row_number + 1) AS line, toUInt32(1) AS seq, l AS raw FROM file(${params.add(file)}, 'LineAsString', 'l String', 'none')`;
  const [r] = await rows<{ n: string }>(store, `SELECT countIf(fast) AS n FROM (${fp.select(lines)})`, params.values);
  return Number(r.n);
}

describe('ingest: the typed fast path gives what the general JSON parser gives', () => {
  it('Stripe JSON: events and rejects equal row for row over an adversarial file', async () => {
    const store = await openTestStore();
    const text = adversarialLines();
    const bytes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(text.join('\r\n') + '\n'),
      Buffer.from('{"event_name":"a","identifier":"bad'),
      Buffer.from([0xff]),
      Buffer.from('","timestamp":1,"payload":{"v":1}}\n'),
    ]);
    const r = await both(store, 'stripe', 'stripe-json', bytes);
    expect(r.fast.events.length).toBeGreaterThan(60);
    expect(r.fast.rejects.length).toBeGreaterThan(40);
    expect(r.fast.events).toEqual(r.general.events);
    expect(r.fast.rejects).toEqual(r.general.rejects);
    // The fast path really is taken for the ordinary lines (and not for all of them).
    const taken = await fastLines(store, r.file);
    expect(taken).toBeGreaterThan(40);
    expect(taken).toBeLessThan(text.length - 40);
  });

  it('Metronome JSON (a mapped customer field): equal row for row', async () => {
    const store = await openTestStore();
    const m = (o: Record<string, unknown>) =>
      JSON.stringify({ event_type: 'api', transaction_id: 't', timestamp: '2024-03-01T10:00:00Z', customer_id: 'c1', properties: { value: 2 }, ...o });
    const text = VALUES.flatMap((v) => [m({ customer_id: v }), m({ transaction_id: v }), m({ properties: { v } }), m({ event_type: v })]);
    const r = await both(store, 'metronome', 'metronome', Buffer.from(text.join('\n')));
    expect(r.fast.events.length).toBeGreaterThan(30);
    expect(r.fast.events).toEqual(r.general.events);
    expect(r.fast.rejects).toEqual(r.general.rejects);
    expect(await fastLines(store, r.file, METRONOME_PATHS)).toBeGreaterThan(30);
  });
});
