/**
 * profile --sample: a generated log (duplicates, malformed lines, events without identifiers) is
 * profiled exactly and at 20 % by event; every estimate's 95 % interval must hold the exact figure,
 * rejects must be counted in full, and the sampled rows must be exactly those an independent query
 * over the raw file picks by cityHash64(identifier) % 10000 < 2000. Object sampling reads the files
 * whose names hash below the bound. The sampling is a hash, not a random draw: the outcome is fixed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, runCli, tempDir } from './support/helpers.js';
import type { Store } from '../src/store/store.js';
import { resolveSources } from '../src/ingest/source.js';
import { DEFAULT_MAPPING } from '../src/ingest/formats.js';
import { runProfileSession } from '../src/jobs/profile.js';
import type { ProfileReport, SampleEstimate } from '../src/profile/model.js';
import type { SampleSpec } from '../src/util/sample.js';
import { t975 } from '../src/profile/estimators.js';

const dir = tempDir('meterscope-sample-');
const file = path.join(dir, 'events.jsonl');
const ID_LESS = 400;
let store: Store;
let exact: ProfileReport;
let sampled: ProfileReport;

/**
 * The hashes depend on the names the sources are recorded under (id-less events by their place,
 * objects by their name), and the temporary directory's name changes from run to run: the sources
 * are recorded under fixed names (`as/<file name>`), so every run draws the same sample.
 */
async function profile(inputs: string[], sample?: SampleSpec, options: Record<string, unknown> = {}): Promise<ProfileReport> {
  const sources = (await resolveSources(inputs)).map((s) => ({ ...s, name: fixedName(s.name) }));
  return runProfileSession(store, { sources, mapping: DEFAULT_MAPPING, runOptions: options, sample });
}

const fixedName = (p: string) => `as/${path.basename(p)}`;

beforeAll(async () => {
  const gen = await runCli(['generate', '-n', '30000', '--duplicate-rate', '0.03', '--malformed-rate', '0.01', '--seed', '7', '-o', file, '-q', '--data-dir', tempDir()]);
  expect(gen.code, gen.stderr).toBe(0);
  // Events without an identifier are sampled one by one, by their place in the file.
  const idLess = Array.from({ length: ID_LESS }, (_, i) =>
    JSON.stringify({ event_name: 'no_id', timestamp: 1735689600 + i * 7, payload: { stripe_customer_id: `cus_anon${i % 9}`, value: String(1 + (i % 5)) } }),
  );
  fs.appendFileSync(file, `${idLess.join('\n')}\n`);
  store = await openTestStore();
  exact = await profile([file]);
  sampled = await profile([file], { buckets: 2000, by: 'event' }, { sample: '20%' });
}, 300_000);

/** The exact figure an estimate is of (null: the exact run's advice has no such row). */
async function truth(e: SampleEstimate): Promise<number | null> {
  const [a, b] = e.of ?? [];
  const peaks = { 'rate.peak.1s': '1s', 'rate.peak.10s': '10s', 'rate.peak.60s': '60s' } as const;
  if (e.figure in peaks) return exact.rate.peak[peaks[e.figure as keyof typeof peaks]].eps;
  switch (e.figure) {
    case 'events.total':
      return exact.events.total;
    case 'rate.avgEps':
      return exact.rate.avgEps;
    case 'eventNames.count':
      return exact.eventNames.find((n) => n.name === a)!.count;
    case 'eventNames.peak1s':
      return exact.eventNames.find((n) => n.name === a)!.peak1s;
    case 'customers.top.count': {
      const [r] = await store.select<{ n: string }>('SELECT count() AS n FROM events WHERE run_id = {run:String} AND customer = {c:String}', { run: exact.runId, c: a });
      return Number(r.n);
    }
    case 'properties.presence':
      return exact.properties.find((p) => p.eventName === a && p.key === b)!.presence;
    case 'advice.dropped.eventsShare': {
      const plan = exact.advice.plans.find((p) => p.eventName === a);
      return plan?.rows.find((row) => row.dimension.join(' + ') === b)?.dropped?.eventsShare ?? null;
    }
    case 'advice.billed.eventsShare':
      return exact.advice.drafts.find((d) => d.eventName === a)?.billed?.eventsShare ?? null;
    default: {
      const [section, field] = e.figure.split('.');
      return (exact as unknown as Record<string, Record<string, number>>)[section][field];
    }
  }
}

describe('profile --sample 20% by event', () => {
  it('every estimate has a 95 % interval; the whole-run ones hold the exact figure, and at least 90 % of the per-item ones', async () => {
    const s = sampled.sample!;
    expect(s).toMatchObject({ percent: 20, by: 'event', rate: 0.2, objects: null });
    expect(s.estimates.length).toBeGreaterThan(40);
    const missed: string[] = [];
    const items = { held: 0, all: 0 };
    for (const e of s.estimates) {
      const t = await truth(e);
      expect(e.low, e.figure).toBeLessThanOrEqual(e.estimate);
      if (t === null) continue;
      expect(e.high, e.figure).toBeGreaterThanOrEqual(e.estimate);
      // A share's bounds may differ from the figure in the last binary digit.
      const held = e.low - 1e-9 <= t && t <= e.high + 1e-9;
      // Dozens of 95 % intervals over event names, customers and keys: a few misses are expected
      // (top customers are also chosen by their sampled counts, which favours lucky ones).
      if (e.of) {
        items.all++;
        if (held) items.held++;
      } else if (!held) missed.push(`${e.figure}: ${t} outside ${e.low}–${e.high}`);
    }
    expect(missed).toEqual([]);
    expect(items.all).toBeGreaterThan(30);
    expect(items.held / items.all).toBeGreaterThanOrEqual(0.9);
    // The figures the run depends on are really estimated (not just wide).
    const total = s.estimates.find((e) => e.figure === 'events.total')!;
    expect(total.high - total.low).toBeLessThan(0.1 * exact.events.total);
    expect(s.estimates.find((e) => e.figure === 'identity.duplicates24h')!.observed).toBeGreaterThan(0);
    expect(s.estimates.find((e) => e.figure === 'identity.withoutIdentifier')!.observed).toBeGreaterThan(0);
    expect(s.atLeast.find((a) => a.figure === 'customers.distinct')!.observed).toBe(sampled.customers.distinct);
  });

  it('rejects are never sampled away', () => {
    expect(exact.rejects.total).toBeGreaterThan(100);
    expect(sampled.rejects.total).toBe(exact.rejects.total);
    expect(sampled.rejects.byReason).toEqual(exact.rejects.byReason);
  });

  it('keeps exactly the events whose identifier (or, without one, place) hashes below 2000 of 10000', async () => {
    // Independent of the ingest: identifiers read from the raw file by JSONExtract, hashed here; an
    // event without one by (source, line, position in its line: 1 for one event per line).
    const picked = await store.select<{ line: string }>(
      `SELECT toUInt64(_row_number + 1) AS line FROM file({path:String}, 'LineAsString', 'l String')
       WHERE if(JSONExtractString(l, 'identifier') != '', cityHash64(JSONExtractString(l, 'identifier')),
                cityHash64({name:String}, toUInt64(_row_number + 1), toUInt32(1))) % 10000 < 2000`,
      { path: file, name: fixedName(file) },
    );
    const accepted = new Set((await linesOf(exact.runId)).map(String));
    const expected = picked.map((r) => String(r.line)).filter((l) => accepted.has(l));
    const kept = (await linesOf(sampled.runId)).map(String);
    expect(kept.sort()).toEqual(expected.sort());
    expect(kept.length).toBeGreaterThan(0.15 * accepted.size);
    expect(kept.length).toBeLessThan(0.25 * accepted.size);
    // Every copy of a sampled identifier is in the sample.
    const [split] = await store.select<{ n: string }>(
      `SELECT count() AS n FROM (SELECT identifier FROM events WHERE run_id = {all:String} AND identifier != '' GROUP BY identifier
         HAVING countIf(cityHash64(identifier) % 10000 < 2000) > 0) AS a
       WHERE identifier NOT IN (SELECT identifier FROM events WHERE run_id = {some:String})`,
      { all: exact.runId, some: sampled.runId },
    );
    expect(Number(split.n)).toBe(0);
  });

  it('fit verdicts judge the interval of the peak', () => {
    const s = sampled.sample!;
    expect(s.fit.map((f) => f.path)).toEqual(exact.fit.map((f) => f.path));
    for (const f of s.fit) {
      const truthVerdict = exact.fit.find((x) => x.path === f.path)!.verdict;
      if (f.verdict !== 'inconclusive') expect(f.verdict, f.path).toBe(truthVerdict);
    }
  });
});

describe('profile --sample by object', () => {
  it('reads the files whose name hashes below the bound and estimates from them', async () => {
    const parts = path.join(dir, 'parts');
    fs.mkdirSync(parts);
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    const n = 16;
    for (let i = 0; i < n; i++) {
      fs.writeFileSync(path.join(parts, `part-${String(i).padStart(2, '0')}.jsonl`), `${lines.filter((_, j) => j % n === i).join('\n')}\n`);
    }
    const names = fs.readdirSync(parts).map(fixedName);
    const hashes = await store.select<{ name: string; h: string }>('SELECT arrayJoin({names:Array(String)}) AS name, toString(cityHash64(name) % 10000) AS h', { names });
    const expected = hashes
      .filter((r) => Number(r.h) < 5000)
      .map((r) => r.name)
      .sort();
    const report = await profile([path.join(parts, '*.jsonl')], { buckets: 5000, by: 'object' });
    expect(report.sources.map((s) => s.source).sort()).toEqual(expected);
    expect(report.sample!.objects).toEqual({ read: expected.length, total: n });
    const total = report.sample!.estimates.find((e) => e.figure === 'events.total')!;
    expect(total.low).toBeLessThanOrEqual(exact.events.total);
    expect(total.high).toBeGreaterThanOrEqual(exact.events.total);
    // M × the mean file, ± t · M · √((1 − n/M) s² / n), from the files' own event counts.
    const perFile = report.sources.map((x) => x.events);
    const read = perFile.length;
    const mean = perFile.reduce((a, b) => a + b, 0) / read;
    const variance = perFile.reduce((a, b) => a + (b - mean) ** 2, 0) / (read - 1);
    expect(total.estimate).toBeCloseTo(n * mean, 6);
    expect(total.high - total.estimate).toBeCloseTo(t975(read - 1) * n * Math.sqrt(((1 - read / n) * variance) / read), 6);
    expect(report.sample!.notEstimated.map((x) => x.figure)).toEqual(expect.arrayContaining(['rate.peak', 'rate.hourOfDay', 'identity.duplicates']));
    expect(report.sample!.estimates.some((e) => e.figure.startsWith('rate.'))).toBe(false);
  });
});

describe('sampled runs in the CLI', () => {
  it('refuses a bad percentage, object sampling of one file, and billing, replaying or reconciling a sampled run, each in one sentence', async () => {
    const data = tempDir();
    const bad = await runCli(['profile', file, '--sample', '0%', '--data-dir', data]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--sample must be a percentage/);
    const one = await runCli(['profile', file, '--sample', '10%', '--sample-by', 'object', '--data-dir', data]);
    expect(one.code).toBe(2);
    expect(one.stderr).toMatch(/samples whole files/);
    const ok = await runCli(['profile', file, '--sample', '10%', '--json', '--data-dir', data]);
    expect(ok.code, ok.stderr).toBe(0);
    const runId = (JSON.parse(ok.stdout) as ProfileReport).runId;
    const text = await runCli(['report', runId, '--data-dir', data]);
    expect(text.stdout).toContain('sampled 10 % of events by identifier hash: figures are estimates');
    expect(text.stdout).toMatch(/≈ [\d,]+ \(95 %: [\d,]+–[\d,]+\)/);
    const bill = await runCli(['bill', runId, '--data-dir', data]);
    expect(bill.code).toBe(2);
    expect(bill.stderr.trim().split('\n')).toHaveLength(1);
    expect(bill.stderr).toMatch(/holds a 10% sample/);
    // Nothing is sent: the refusal comes before any request (the target is a closed loopback port).
    const replay = await runCli(['replay', runId, '--protocol', 'raw', '--target', 'http://127.0.0.1:9', '--data-dir', data]);
    expect(replay.code).toBe(2);
    expect(replay.stderr).toMatch(/a replay needs every event/);
    const reconcile = await runCli(['stripe', 'reconcile', runId, '--data-dir', data], { env: { STRIPE_API_KEY: 'rk_test_sample' } });
    expect(reconcile.code).toBe(2);
    expect(reconcile.stderr).toMatch(/reconciling with Stripe needs every event/);
  }, 200_000);
});

async function linesOf(runId: string): Promise<string[]> {
  return (await store.select<{ line: string }>('SELECT toString(line) AS line FROM events WHERE run_id = {run:String}', { run: runId })).map((r) => r.line);
}
