/**
 * Keeps the benchmark harness working: on a 10k-event dataset, meterscope, the chDB floor (in memory
 * and on disk), DuckDB and the naive script must compute exactly the same figures (no timings are asserted).
 * The naive script is itself checked against a brute-force count done here.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ensureDataset } from '../bench/dataset.js';
import { diffFigures } from '../bench/figures.js';
import { runSystem } from '../bench/systems.js';
import { benchFile } from '../bench/run.js';
import { tempDir } from './support/helpers.js';

const dir = tempDir('meterscope-bench-');
let naiveRun: ReturnType<typeof runSystem> | undefined;
/** The naive script's run on the dataset, shared by the tests that read its figures. */
const naive = (file: string) => (naiveRun ??= runSystem('naive', file));

describe('bench harness (10k events)', () => {
  it('generates (meterscope generate) a Stripe JSONL dataset with duplicates and the expected keys', async () => {
    const file = await ensureDataset(dir, 10_000);
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
    expect(lines).toHaveLength(10_000);
    const events = lines.map((l) => JSON.parse(l));
    expect(new Set(events.map((e) => e.event_name))).toEqual(new Set(['api_requests', 'llm_tokens', 'storage_gb_hours']));
    expect(new Set(events.map((e) => e.payload.stripe_customer_id)).size).toBeGreaterThan(1000);
    const ids = new Set(events.map((e) => e.identifier));
    expect(ids.size).toBeLessThan(10_000); // some identifiers are reused
    expect(events.every((e) => typeof e.payload.value === 'string')).toBe(true);
    // cached: a second call returns the same file without rewriting it
    const mtime = fs.statSync(file).mtimeMs;
    expect(await ensureDataset(dir, 10_000)).toBe(file);
    expect(fs.statSync(file).mtimeMs).toBe(mtime);
  });
});

// After the dataset exists: the harness run (mostly waiting, it samples the machine's load before
// each system) overlaps the checks of the naive script and of the diff.
describe.concurrent('bench harness on the dataset', () => {
  it('the naive script matches a brute-force count of the file', async () => {
    const file = await ensureDataset(dir, 10_000);
    const run = await naive(file);
    const events = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(run.figures.total).toBe(events.length);
    const perSecond = new Map<number, number>();
    for (const e of events) perSecond.set(e.timestamp, (perSecond.get(e.timestamp) ?? 0) + 1);
    const peak = Math.max(...perSecond.values());
    expect(run.figures.peaks[0]).toEqual({ w: 1, events: peak, at: Math.min(...[...perSecond].filter(([, c]) => c === peak).map(([s]) => s)) });
    const users = new Set(events.filter((e) => e.event_name === 'api_requests' && 'user_id' in e.payload).map((e) => e.payload.user_id));
    expect(run.figures.properties['api_requests\tuser_id'].distinct).toBe(users.size);
    const byId = new Map<string, number>();
    for (const e of events) byId.set(e.identifier, (byId.get(e.identifier) ?? 0) + 1);
    expect(run.figures.identity.reused).toBe([...byId.values()].filter((c) => c > 1).length);
    expect(run.figures.identity.dup34d).toBe([...byId.values()].reduce((s, c) => s + c - 1, 0));
  });

  it('every system agrees on every figure', async () => {
    const file = await ensureDataset(dir, 10_000);
    const result = await benchFile(file, 10_000, { systems: ['meterscope', 'floor', 'floor-disk', 'duckdb', 'naive'], repeat: 1 });
    expect(result.systems.map((s) => s.system).sort()).toEqual(['duckdb', 'floor', 'floor-disk', 'meterscope', 'naive']);
    for (const s of result.systems) {
      expect(s.wallSeconds).toHaveLength(1);
      expect(s.peakRssBytes[0]).toBeGreaterThan(0);
    }
  });

  it('a disagreement is reported, not ignored', async () => {
    const file = await ensureDataset(dir, 10_000);
    const { figures } = await naive(file);
    const tampered = structuredClone(figures);
    tampered.peaks[1].events += 1;
    tampered.properties['llm_tokens\tmodel'].distinct -= 1;
    const diff = diffFigures(figures, tampered);
    expect(diff).toHaveLength(2);
    expect(diff.join('\n')).toMatch(/peaks/);
    expect(diff.join('\n')).toMatch(/llm_tokens\.model\.distinct/);
  });
});
