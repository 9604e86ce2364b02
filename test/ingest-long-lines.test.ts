/**
 * Long lines are events, not fatal errors: a line over MAX_LINE_BYTES is one reject
 * "line too long (N bytes)" keeping its first KiB, on every path (file, stdin, server staging, tail),
 * and the lines around it load with their own line numbers. N is the line's byte count as written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, rows, runCli, tempDir, sqlRows } from './support/helpers.js';
import { tailReportLine } from './support/tail-support.js';
import { resolveSources, type Source } from '../src/ingest/source.js';
import { loadSources } from '../src/ingest/load.js';
import { DEFAULT_MAPPING } from '../src/ingest/formats.js';
import { KEPT_BYTES, MAX_LINE_BYTES } from '../src/ingest/long-lines.js';
import type { Store } from '../src/store/store.js';

let store: Store;
let streamed: Store;
const dir = tempDir('meterscope-long-');

beforeAll(async () => {
  store = await openTestStore();
  streamed = Object.create(store, { capabilities: { value: { readsLocalFiles: false, pausesMerges: false, isCluster: false } } }) as Store;
});

const event = (i: number, pad = '') =>
  JSON.stringify({
    identifier: `id${i}`,
    timestamp: 1_741_000_000 + i,
    event_name: 'api_call',
    payload: { stripe_customer_id: 'cus_1', value: '1', ...(pad ? { pad } : {}) },
  });

/** An event line of exactly `bytes` bytes (é is two bytes, so the count is bytes, not characters). */
function eventOfBytes(i: number, bytes: number): string {
  const base = Buffer.byteLength(event(i, 'é'));
  const line = event(i, `é${'x'.repeat(bytes - base)}`);
  expect(Buffer.byteLength(line)).toBe(bytes);
  return line;
}

const LINES = [event(1), event(2), eventOfBytes(3, 20 << 20), event(4), eventOfBytes(5, MAX_LINE_BYTES), eventOfBytes(6, MAX_LINE_BYTES + 1), event(7)];
const LONG = [3, 6]; // 1-based lines over the limit

describe('long lines', () => {
  const file = path.join(dir, 'long.jsonl');
  beforeAll(() => fs.writeFileSync(file, `${LINES.join('\n')}\n`));

  for (const how of ['file', 'stdin', 'staging'] as const) {
    it(`${how}: the long lines are rejected as too long, the others load at their own line numbers`, async () => {
      const run = `long-${how}`;
      const srcs: Source[] = how === 'stdin' ? [{ name: '-', kind: 'stdin', compression: 'none' }] : await resolveSources([file]);
      // Small stream chunks on stdin: a long line arrives in many pieces.
      const stdin = how === 'stdin' ? Readable.from(chunks(Buffer.from(`${LINES.join('\n')}\n`), 64 * 1024)) : undefined;
      const [loaded] = await loadSources(how === 'staging' ? streamed : store, run, srcs, { mapping: DEFAULT_MAPPING, stdin });
      expect(loaded).toMatchObject({ events: LINES.length - LONG.length, rejects: LONG.length, lines: LINES.length });
      const ev = await rows<{ line: string; identifier: string; pad: number }>(
        store,
        `SELECT line, identifier, length(properties['pad']) AS pad FROM events WHERE run_id = {run:String} ORDER BY line`,
        { run },
      );
      expect(ev.map((e) => [Number(e.line), e.identifier])).toEqual([1, 2, 4, 5, 7].map((i) => [i, `id${i}`]));
      const rj = await rows<{ line: string; reason: string; raw: string }>(store, `SELECT line, reason, raw FROM rejects WHERE run_id = {run:String} ORDER BY line`, {
        run,
      });
      expect(rj.map((r) => [Number(r.line), r.reason])).toEqual(LONG.map((l) => [l, `line too long (${Buffer.byteLength(LINES[l - 1])} bytes)`]));
      for (const r of rj)
        expect(r.raw).toBe(
          Buffer.from(LINES[Number(r.line) - 1])
            .subarray(0, KEPT_BYTES)
            .toString('utf8'),
        );
    });
  }

  it('tail: one reject per long line, no split, later line numbers unshifted', async () => {
    const data = tempDir('meterscope-long-tail-');
    const res = await runCli(['tail', file, '--from', 'start', '--idle-exit', '1', '--json', '--data-dir', data]);
    expect(res.code, res.stderr).toBe(0);
    const runId = tailReportLine(res.stdout).runId;
    const ev = await sqlRows<{ line: string }>(data, `SELECT line FROM events WHERE run_id = {run:String} ORDER BY line`, { run: runId });
    expect(ev.map((e) => Number(e.line))).toEqual([1, 2, 4, 5, 7]);
    const rj = await sqlRows<{ line: string; reason: string }>(data, `SELECT line, reason FROM rejects WHERE run_id = {run:String} ORDER BY line`, { run: runId });
    expect(rj.map((r) => [Number(r.line), r.reason])).toEqual(LONG.map((l) => [l, `line too long (${Buffer.byteLength(LINES[l - 1])} bytes)`]));
  });
});

describe('long events in whole-file JSON', () => {
  it('an event over the limit in a pretty array is one reject "event too long (N bytes)"; the others load', async () => {
    const evs = [1, 2, 3].map((i) => JSON.parse(event(i, i === 2 ? 'y'.repeat(MAX_LINE_BYTES) : '')) as unknown);
    const file = path.join(dir, 'long-array.json');
    fs.writeFileSync(file, JSON.stringify(evs, null, 2));
    const element = `  ${JSON.stringify(evs[1], null, 2).replace(/\n/g, '\n  ')}`.trimStart(); // as written inside the array
    const startLine =
      1 +
      JSON.stringify(evs, null, 2)
        .slice(0, JSON.stringify(evs, null, 2).indexOf(element))
        .split('\n').length -
      1;
    for (const s of [store, streamed]) {
      const run = `long-array-${s === store ? 'file' : 'staging'}`;
      await loadSources(s, run, await resolveSources([file]), { mapping: DEFAULT_MAPPING });
      const ev = await rows<{ seq: number; identifier: string }>(store, `SELECT seq, identifier FROM events WHERE run_id = {run:String} ORDER BY seq`, { run });
      expect(ev).toEqual([
        { seq: 1, identifier: 'id1' },
        { seq: 3, identifier: 'id3' },
      ]);
      const rj = await rows<{ line: string; seq: number; reason: string; raw: string }>(store, `SELECT line, seq, reason, raw FROM rejects WHERE run_id = {run:String}`, {
        run,
      });
      expect(rj.map((r) => [Number(r.line), r.seq, r.reason])).toEqual([[startLine, 2, `event too long (${Buffer.byteLength(element)} bytes)`]]);
      expect(rj[0].raw).toBe(element.slice(0, KEPT_BYTES));
    }
  });
});

function* chunks(b: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}
