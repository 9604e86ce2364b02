/**
 * Round trip, format by format: a generated file (with malformed lines, duplicates, late events)
 * loads into `events` / `rejects` exactly as an independent JS reading of the same file says.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, rows, tempDir } from './support/helpers.js';
import { resolveSources } from '../src/ingest/source.js';
import { loadSources } from '../src/ingest/load.js';
import { DEFAULT_MAPPING, FORMATS, type FormatName } from '../src/ingest/formats.js';
import { generate, type GenerateOptions } from '../src/generate/index.js';
import type { Store } from '../src/store/store.js';
import { parseFile, type ParsedEvent } from './support/parse-events.js';

let store: Store;
const dir = tempDir('meterscope-formats-');

beforeAll(async () => {
  store = await openTestStore();
});

interface DbEvent {
  line: string;
  seq: number;
  t: string;
  event_name: string;
  customer: string;
  identifier: string;
  value: number | null;
  properties: Record<string, string>;
  format: string;
}

const BASE: Omit<GenerateOptions, 'format'> = {
  events: 3000,
  duration: 1800,
  start: Date.UTC(2025, 2, 3, 10),
  customers: 40,
  malformedRate: 0.02,
  duplicateRate: 0.03,
  lateRate: 0.03,
  lateMax: 300,
  properties: [
    { key: 'region', cardinality: 5, presence: 1, kind: 'string' },
    { key: 'user_id', cardinality: 500, presence: 0.7, kind: 'string' },
    { key: 'gpu_count', cardinality: 8, presence: 0.5, kind: 'int' },
    { key: 'label', cardinality: 3, presence: 0.3, kind: 'string' },
  ],
  eventNames: [
    { name: 'api_request', weight: 5 },
    { name: 'tokens "in" & out', weight: 2 }, // quotes and & need escaping in JSON and form bodies
    { name: 'gpu, séconds', weight: 1 }, // a comma needs quoting in CSV; é is two bytes
  ],
  valueMin: 1,
  valueMax: 500,
  seed: 7,
};

const CASES: { label: string; format: FormatName; extra?: Partial<GenerateOptions> }[] = [
  ...FORMATS.map((format) => ({ label: format, format })),
  { label: 'metronome arrays', format: 'metronome', extra: { batchSize: 25 } },
  {
    label: 'stripe-json arrays, decimals, custom keys',
    format: 'stripe-json',
    extra: { batchSize: 7, valueDecimals: 2, customerKey: 'account', valueKey: 'qty', seed: 9 },
  },
];

const REASONS: Record<string, RegExp[]> = {
  json: [/^invalid JSON$/, /^unparseable timestamp: /, /^missing event name$/],
  'stripe-v1-form': [/^(missing timestamp|not a form-encoded body) \(/, /^unparseable timestamp: /, /^missing event name \(looked for event_name= /],
  csv: [/^expected 9 columns, found \d$/, /^unparseable timestamp: /, /^missing event name$/],
};

describe.each(CASES)('generate → load round trip: $label', ({ label, format, extra }) => {
  it('loads exactly the events and rejects an independent reading of the file finds', async () => {
    const file = path.join(dir, `${label.replace(/\W+/g, '-')}.log`);
    const opts: GenerateOptions = { ...BASE, format, ...extra };
    const gen = await generate(store, opts, file);
    const keys = { customerKey: opts.customerKey ?? 'stripe_customer_id', valueKey: opts.valueKey ?? 'value' };
    const text = fs.readFileSync(file, 'utf8');
    const expected = parseFile(text, format, keys);

    // What the generator says it wrote matches the file.
    expect(expected.events.length).toBe(3000);
    expect(gen.events).toBe(3000);
    expect(expected.lines).toBe(gen.lines);
    expect(expected.rejects.length).toBe(gen.malformed);
    // The damage counts are random draws (checked exactly above and below against the file); the
    // floors only make sure each kind of damage is there to be found.
    expect(gen.malformed).toBeGreaterThan(10);
    const ids = expected.events.map((e) => e.identifier);
    expect(ids.length - new Set(ids).size).toBe(gen.duplicates);
    expect(gen.duplicates).toBeGreaterThan(20);
    let outOfOrder = 0;
    expected.events.reduce((max, e) => (e.time < max ? (outOfOrder++, max) : e.time), 0);
    expect(outOfOrder).toBeGreaterThan(10);
    expect(outOfOrder).toBeLessThanOrEqual(gen.late);

    const runId = `fmt-${label}`;
    const [load] = await loadSources(store, runId, await resolveSources([file]), { mapping: { ...DEFAULT_MAPPING, ...keys } });
    expect(load.format).toBe(format); // detected, not forced
    expect(load.events).toBe(3000);
    expect(load.rejects).toBe(gen.malformed);

    const db = await rows<DbEvent>(
      store,
      `SELECT line, seq, toString(toUnixTimestamp64Milli(event_time)) AS t, event_name, customer, identifier, value, properties, format
      FROM events WHERE run_id = {run:String} ORDER BY line, seq`,
      { run: runId },
    );
    const got = db.map((r) => ({
      line: Number(r.line),
      seq: Number(r.seq),
      time: Number(r.t),
      name: r.event_name,
      customer: r.customer,
      identifier: r.identifier,
      value: r.value,
      props: Object.fromEntries(Object.entries(r.properties).map(([k, v]) => [k, JSON.parse(v)])),
    }));
    const want = [...expected.events].sort((a, b) => a.line - b.line || a.seq - b.seq);
    expect(got).toEqual(want satisfies ParsedEvent[]);

    const rj = await rows<{ line: string; seq: number; reason: string }>(store, `SELECT line, seq, reason FROM rejects WHERE run_id = {run:String} ORDER BY line, seq`, {
      run: runId,
    });
    expect(rj.map((r) => ({ line: Number(r.line), seq: Number(r.seq) }))).toEqual(expected.rejects);
    // Every kind of damage shows up, each with its reason.
    const reasons = REASONS[format] ?? REASONS.json;
    for (const re of reasons)
      expect(
        rj.some((r) => re.test(r.reason)),
        `a reject matching ${re}`,
      ).toBe(true);
    expect(
      rj.every((r) => reasons.some((re) => re.test(r.reason))),
      rj.map((r) => r.reason).join('; '),
    ).toBe(true);

    // Duplicates re-send an earlier event: same identifier, same name, customer, value and payload.
    const byId = new Map<string, ParsedEvent>();
    for (const e of expected.events) {
      const first = byId.get(e.identifier);
      if (first) expect({ ...e, line: 0, seq: 0, time: 0 }).toEqual({ ...first, line: 0, seq: 0, time: 0 });
      else byId.set(e.identifier, e);
    }
  });
});

describe('batch formats', () => {
  it('stripe-v2-stream writes bodies of at most 100 events, full but for the last', async () => {
    const file = path.join(dir, 'v2.jsonl');
    await generate(store, { ...BASE, format: 'stripe-v2-stream', events: 2345, malformedRate: 0.01 }, file);
    const sizes = fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .flatMap((l) => {
        try {
          return [(JSON.parse(l) as { events: unknown[] }).events.length];
        } catch {
          return [];
        }
      });
    const full = sizes.filter((n) => n === 100).length;
    const singles = sizes.filter((n) => n === 1).length; // the malformed-but-parseable single-event bodies
    expect(full).toBe(23);
    expect(sizes.filter((n) => n !== 100 && n !== 1)).toEqual([45]);
    expect(full * 100 + 45 + singles).toBe(sizes.reduce((a, b) => a + b, 0));
  });
});

describe('a damaged first line', () => {
  // A file may start with a broken line; detection and field guessing must look past it.
  it.each(['stripe-json', 'metronome', 'json'] as FormatName[])('%s: a first line without an event name does not change the format', async (format) => {
    const file = path.join(dir, `first-${format}.jsonl`);
    await generate(store, { ...BASE, format, events: 200, malformedRate: 0, duplicateRate: 0, lateRate: 0 }, file);
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    const nameKey = { 'stripe-json': 'event_name', metronome: 'event_type', json: 'event' }[format as string]!;
    const nameless = JSON.parse(lines[0]) as Record<string, unknown>;
    delete nameless[nameKey];
    const nulled = { ...(JSON.parse(lines[1]) as Record<string, unknown>), [nameKey]: null };
    fs.writeFileSync(file, [JSON.stringify(nameless), JSON.stringify(nulled), ...lines.slice(2)].join('\n'));
    const runId = `first-${format}`;
    const [load] = await loadSources(store, runId, await resolveSources([file]), { mapping: DEFAULT_MAPPING });
    expect(load.format).toBe(format);
    expect(load.events).toBe(198);
    const rj = await rows<{ line: string; reason: string }>(store, `SELECT line, reason FROM rejects WHERE run_id = {run:String} ORDER BY line`, { run: runId });
    expect(rj.map((r) => [Number(r.line), r.reason])).toEqual([
      [1, 'missing event name'],
      [2, 'missing event name'],
    ]);
  });
});
