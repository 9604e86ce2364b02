/**
 * Every profile query through the distributed planner, in process (no server): a generated log is
 * profiled on one node, then `events` / `rejects` become Distributed tables over a cluster whose two
 * shards are the same local table (test/support/doubling-cluster.ts) and the real profile code runs
 * again. Every row is read twice, so additive figures (counts, sums, per-second rates and peaks)
 * must be exactly double, exact distinct counts unchanged, shares unchanged — and no query may be
 * refused (error 288: a subquery over a Distributed table without GLOBAL).
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../src/store/open.js';
import { EMBEDDED_DATABASE } from '../src/store/embedded.js';
import { resolveSources } from '../src/ingest/source.js';
import { DEFAULT_MAPPING } from '../src/ingest/formats.js';
import { runProfileSession } from '../src/jobs/profile.js';
import { computeProfile } from '../src/profile/compute.js';
import type { ProfileReport } from '../src/profile/model.js';
import { computeBill } from '../src/bill/compute.js';
import { validateMetrics } from '../src/bill/metrics.js';
import type { BillModel } from '../src/bill/model.js';
import { tempDir } from './support/helpers.js';
import { generateLog } from './support/generate-log.js';
import { parseFile } from './support/parse-events.js';
import { DOUBLING, doublingClusterConfig, shardOverDoubling } from './support/doubling-cluster.js';
import { clusterDiskBytesQuery, prepareCluster } from '../src/store/cluster.js';
import { clusterLayout } from '../src/store/layout.js';
import { runSizes } from '../src/store/run-sizes.js';

let store: Store;
let single: ProfileReport;
let doubled: ProfileReport;
let withId: number;
const bills: Record<'single' | 'doubled', Record<'none' | 'metronome', BillModel>> = { single: {} as never, doubled: {} as never };
const METRICS = validateMetrics(
  [
    { name: 'calls', aggregation_type: 'COUNT' },
    { name: 'value', aggregation_type: 'SUM', aggregation_key: 'value', property_filters: [{ name: 'value', exists: true }] },
    { name: 'regions', aggregation_type: 'UNIQUE', aggregation_key: 'region', property_filters: [{ name: 'region', exists: true }] },
  ],
  'test',
);

async function billBoth(which: 'single' | 'doubled', runId: string): Promise<void> {
  for (const dedup of ['none', 'metronome'] as const) bills[which][dedup] = await computeBill(store, runId, METRICS, { period: 'month', dedup });
}
let distinctIds: number;

beforeAll(async () => {
  const dir = tempDir('meterscope-doubling-');
  const file = path.join(dir, 'log.jsonl');
  await generateLog(file, { events: 20_000, seed: 11, duplicateRate: 0.03, malformedRate: 0.01 });
  const parsed = parseFile(fs.readFileSync(file, 'utf8'), 'stripe-json');
  const ids = parsed.events.map((e) => e.identifier).filter((id) => id !== '');
  withId = ids.length;
  distinctIds = new Set(ids).size;

  store = await openStore({ dataDir: path.join(dir, 'store'), engineConfig: doublingClusterConfig() });
  single = await runProfileSession(store, { sources: await resolveSources([file]), mapping: DEFAULT_MAPPING, runOptions: {} });
  await billBoth('single', single.runId);
  await shardOverDoubling(store, EMBEDDED_DATABASE);
  doubled = await computeProfile(store, single.runId, 'profile', single.sources, DEFAULT_MAPPING);
  await billBoth('doubled', single.runId);
}, 300_000);

describe('the doubling cluster', () => {
  it('reads every row twice through the Distributed tables', async () => {
    const [row] = await store.select<{ d: string; l: string; rd: string; rl: string }>(
      `SELECT (SELECT count() FROM events) AS d, (SELECT count() FROM events_local) AS l,
              (SELECT count() FROM rejects) AS rd, (SELECT count() FROM rejects_local) AS rl`,
    );
    expect(Number(row.l)).toBe(single.events.total);
    expect(Number(row.d)).toBe(2 * Number(row.l));
    expect(Number(row.rd)).toBe(2 * Number(row.rl));
  });

  it('refuses a subquery over the Distributed table without GLOBAL (so the profile would fail if it had one)', async () => {
    await expect(store.select('SELECT count() FROM events WHERE identifier IN (SELECT identifier FROM events)')).rejects.toThrow(
      /Double-distributed|288|DISTRIBUTED_IN_JOIN/,
    );
  });
});

describe('the cluster checks before a store opens, in process', () => {
  it('find the cluster and the database on every node, so nothing is created', async () => {
    await expect(prepareCluster(store, DOUBLING, EMBEDDED_DATABASE, 'http://node')).resolves.toBeUndefined();
  });

  it('name the clusters the node knows when asked for another', async () => {
    await expect(prepareCluster(store, 'analytics', EMBEDDED_DATABASE, 'http://node')).rejects.toThrow(/has no cluster "analytics" .*it knows .*"doubling"/);
  });

  it('create a database missing on a node ON CLUSTER (which needs Keeper: chDB refuses it)', async () => {
    await expect(prepareCluster(store, DOUBLING, 'not_there_yet', 'http://node')).rejects.toThrow(/Replicated DDL queries are disabled/);
  });

  it("size a run from every node's parts, its events in the shard tables", async () => {
    // The same store seen with the cluster layout: events through events_local, on every node
    // (one here). The single-node view lists events_local itself, so both must agree.
    const asCluster = Object.create(store, { layout: { value: clusterLayout(DOUBLING, EMBEDDED_DATABASE) } }) as Store;
    const [one, all] = [await runSizes(store, [single.runId]), await runSizes(asCluster, [single.runId])];
    const [events] = await store.select<{ b: string }>(`SELECT sum(bytes_on_disk) AS b FROM system.parts WHERE table = 'events_local' AND active`);
    expect(all.get(single.runId)).toBeGreaterThan(Number(events.b));
    expect(all.get(single.runId)).toBe(one.get(single.runId));
  });

  it('count the disk of every node once (both shards here are this one node)', async () => {
    const [local] = await store.select<{ b: string }>('SELECT sum(bytes_on_disk) AS b FROM system.parts WHERE database = currentDatabase()');
    const [all] = await store.select<{ bytes: string }>(clusterDiskBytesQuery(DOUBLING, EMBEDDED_DATABASE));
    expect(Number(local.b)).toBeGreaterThan(0);
    expect(Number(all.bytes)).toBe(Number(local.b));
  });
});

describe('profile figures over the doubling cluster', () => {
  it('counts, values and rejects double', () => {
    expect(single.events.total).toBeGreaterThan(10_000);
    expect(doubled.events.total).toBe(2 * single.events.total);
    expect(doubled.events.rejected).toBe(2 * single.events.rejected);
    expect(doubled.rejects.byReason.map((r) => r.count)).toEqual(single.rejects.byReason.map((r) => 2 * r.count));
    expect(doubled.events.first).toBe(single.events.first);
    expect(doubled.events.last).toBe(single.events.last);
    expect(doubled.cutover.totalValue).toBe(2 * single.cutover.totalValue);
  });

  it('per-second counts are merged across shards before the windows: every rate and peak doubles', () => {
    expect(doubled.rate.spanSeconds).toBe(single.rate.spanSeconds);
    expect(doubled.rate.activeSeconds).toBe(single.rate.activeSeconds);
    expect(doubled.rate.avgEps).toBeCloseTo(2 * single.rate.avgEps, 9);
    for (const w of ['1s', '10s', '60s'] as const) {
      expect(doubled.rate.peak[w].events).toBe(2 * single.rate.peak[w].events);
      expect(doubled.rate.peak[w].at).toBe(single.rate.peak[w].at);
    }
    for (const p of ['p50', 'p90', 'p99', 'max'] as const) expect(doubled.rate.percentiles[p]).toBe(2 * single.rate.percentiles[p]);
    expect(doubled.rate.series.points.map((p) => [p.events, p.peak1s])).toEqual(single.rate.series.points.map((p) => [2 * p.events, 2 * p.peak1s]));
    expect(doubled.rate.hourOfDay.map((h) => h.events)).toEqual(single.rate.hourOfDay.map((h) => 2 * h.events));
    expect(doubled.eventNames.map((n) => [n.name, n.count, n.share, n.peak1s])).toEqual(single.eventNames.map((n) => [n.name, 2 * n.count, n.share, 2 * n.peak1s]));
    for (const [i, f] of single.fit.entries()) expect(doubled.fit[i].need.peakEventsPerSecond).toBe(2 * f.need.peakEventsPerSecond);
  });

  it('exact distinct counts do not change; counts behind them double', () => {
    expect(doubled.customers.distinct).toBe(single.customers.distinct);
    expect(doubled.customers.top.map((c) => [c.customer, c.count, c.share])).toEqual(single.customers.top.map((c) => [c.customer, 2 * c.count, c.share]));
    expect(doubled.properties.length).toBe(single.properties.length);
    for (const [i, p] of single.properties.entries()) {
      const d = doubled.properties[i];
      expect([d.eventName, d.key, d.distinct, d.distinctExact, d.presence]).toEqual([p.eventName, p.key, p.distinct, p.distinctExact, p.presence]);
      expect([d.events, d.present]).toEqual([2 * p.events, 2 * p.present]);
      expect(d.topValues.map((v) => [v.value, v.count])).toEqual(p.topValues.map((v) => [v.value, 2 * v.count]));
    }
    for (const [i, k] of single.keyUsage.entries()) {
      const d = doubled.keyUsage[i];
      expect([d.keys, d.distinct, d.customers, d.present, d.value]).toEqual([k.keys, k.distinct, k.customers, 2 * k.present, 2 * k.value]);
    }
    for (const [i, c] of single.dimensionCandidates.entries()) {
      expect(doubled.dimensionCandidates[i].events).toBe(2 * c.events);
      expect(doubled.dimensionCandidates[i].candidates.map((x) => [x.keys, x.combinations, x.present])).toEqual(
        c.candidates.map((x) => [x.keys, x.combinations, 2 * x.present]),
      );
    }
  });

  it('duplicate checks see both copies of every identifier (the window runs over the merged rows)', () => {
    // Independent: every identifier now has a copy at the same instant, so each is reused, and of
    // its 2k uses all but the first are duplicates within 24 h: 2 * (events with one) - distinct.
    expect(single.identity.duplicates24h).toBe(withId - distinctIds);
    expect(doubled.identity.reusedIdentifiers).toBe(distinctIds);
    expect(doubled.identity.duplicates24h).toBe(2 * withId - distinctIds);
    expect(doubled.identity.duplicates34d).toBe(2 * withId - distinctIds);
    expect(doubled.time.outOfOrder).toBe(single.time.outOfOrder);
  });
});

describe('bill over the doubling cluster', () => {
  const quantities = (b: BillModel, metric: string) => b.usage.filter((u) => u.metric === metric).map((u) => [u.customer, u.periodStart, u.quantity]);

  it('without dedup: counts and sums double, unique counts do not change', () => {
    const [s, d] = [bills.single.none, bills.doubled.none];
    expect(d.events).toBe(2 * s.events);
    expect(quantities(d, 'calls')).toEqual(quantities(s, 'calls').map(([c, p, q]) => [c, p, 2 * Number(q)]));
    const sums = quantities(s, 'value');
    expect(sums.length).toBeGreaterThan(0);
    for (const [i, [c, p, q]] of quantities(d, 'value').entries()) {
      expect([c, p]).toEqual(sums[i].slice(0, 2));
      expect(Number(q)).toBeCloseTo(2 * Number(sums[i][2]), 6);
    }
    expect(quantities(d, 'regions')).toEqual(quantities(s, 'regions'));
  });

  it('with dedup: the duplicate query runs over both shards (its GLOBAL IN sets built once)', () => {
    // The two copies of an event share (source, line, seq), the key dropped duplicates are matched
    // by, so here every copy of an event with an identifier is dropped (on a real cluster rows are
    // unique); what counts is that the query ran and every event is accounted for.
    const [s, d] = [bills.single.metronome, bills.doubled.metronome];
    expect(single.identity.withoutIdentifier).toBe(0);
    for (const m of METRICS) {
      const [ms, md] = [s.metrics.find((x) => x.name === m.name)!, d.metrics.find((x) => x.name === m.name)!];
      expect(ms.billedEvents, m.name).toBeGreaterThan(0);
      expect(md.billedEvents, m.name).toBe(0);
      expect(md.excluded.events).toBe(2 * (ms.billedEvents + ms.excluded.events));
    }
  });
});
