import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openTestStore, rows, tempDir } from './support/helpers.js';
import { resolveSources } from '../src/ingest/source.js';
import { loadSources } from '../src/ingest/load.js';
import { DEFAULT_MAPPING } from '../src/ingest/formats.js';

describe('ingest: Stripe JSON lines', () => {
  it('loads good lines, rejects bad ones with the right line numbers and reasons', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'events.jsonl');
    const lines = [
      JSON.stringify({ identifier: 'a1', timestamp: 1700000000, event_name: 'api_call', payload: { stripe_customer_id: 'cus_1', value: '5', region: 'eu' } }),
      JSON.stringify({ identifier: 'a2', timestamp: 1700000001, event_name: 'api_call', payload: { stripe_customer_id: 'cus_2', value: 3 } }),
      JSON.stringify({ identifier: 'a3', timestamp: 'yesterday', event_name: 'api_call', payload: {} }),
      '{"identifier":"a4","timestamp":1700000002,"event_na',
      '',
      JSON.stringify({ identifier: 'a5', timestamp: 1700000003, payload: {} }),
      JSON.stringify({ identifier: 'a6', timestamp: 1700000003, event_name: 'x', payload: 'nope' }),
    ];
    fs.writeFileSync(file, lines.join('\n'));
    const store = await openTestStore();
    const [load] = await loadSources(store, 'r1', await resolveSources([file]), { mapping: DEFAULT_MAPPING });
    expect(load.format).toBe('stripe-json');
    expect(load.events).toBe(2);
    expect(load.rejects).toBe(4);
    const ev = await rows<{ identifier: string; customer: string; value: number; line: string }>(
      store,
      `SELECT identifier, customer, value, line FROM events WHERE run_id = 'r1' ORDER BY line`,
    );
    expect(ev.map((e) => [e.identifier, e.customer, e.value, Number(e.line)])).toEqual([
      ['a1', 'cus_1', 5, 1],
      ['a2', 'cus_2', 3, 2],
    ]);
    const rj = await rows<{ line: string; reason: string }>(store, `SELECT line, reason FROM rejects WHERE run_id = 'r1' ORDER BY line`);
    expect(rj.map((r) => [Number(r.line), r.reason])).toEqual([
      [3, 'unparseable timestamp: yesterday'],
      [4, 'invalid JSON'],
      [6, 'missing event name'],
      [7, 'payload must be an object'],
    ]);
  });
});

describe('ingest: meter keys and inputs', () => {
  it("honours the meter's customer and value keys, and reads globs in order", async () => {
    const dir = tempDir();
    const mk = (name: string, from: number) =>
      fs.writeFileSync(
        path.join(dir, name),
        [0, 1, 2]
          .map((i) =>
            JSON.stringify({
              identifier: `${name}-${i}`,
              timestamp: 1_700_000_000 + from + i,
              event_name: 'gpu',
              payload: { org: `org_${i}`, seconds: String(i * 1.5), stripe_customer_id: 'cus_ignored' },
            }),
          )
          .join('\n'),
      );
    mk('a.jsonl', 0);
    mk('b.jsonl', 10);
    const store = await openTestStore();
    const loads = await loadSources(store, 'keys', await resolveSources([path.join(dir, '*.jsonl')]), {
      mapping: { ...DEFAULT_MAPPING, customerKey: 'org', valueKey: 'seconds' },
    });
    expect(loads.map((l) => path.basename(l.source))).toEqual(['a.jsonl', 'b.jsonl']);
    const ev = await rows<{ customer: string; value: number }>(store, `SELECT customer, value FROM events WHERE run_id = 'keys' ORDER BY event_time`);
    expect(ev).toEqual([0, 1, 2, 0, 1, 2].map((i) => ({ customer: `org_${i}`, value: i * 1.5 })));
  });
});
