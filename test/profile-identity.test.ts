/**
 * Identity and time checks against brute force: duplicates within 24 h (Stripe) vs 34 days
 * (Metronome) at and around the window edges, missing identifiers, stale/future events relative to
 * --as-of and to the last event, and events out of file order (per source).
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, tempDir } from './support/helpers.js';
import type { Store } from '../src/store/store.js';
import { resolveSources } from '../src/ingest/source.js';
import { loadSources } from '../src/ingest/load.js';
import { DEFAULT_MAPPING } from '../src/ingest/formats.js';
import { computeProfile } from '../src/profile/compute.js';
import type { ProfileReport } from '../src/profile/model.js';
import { mulberry32 } from '../src/util/seeded-random.js';

const H = 3_600_000;
const D = 24 * H;
const T0 = Date.UTC(2024, 3, 1, 0, 0, 0);
const AS_OF = T0 + 60 * D;

interface Ev {
  id: string | null;
  ms: number;
  source: string;
  line: number;
}

const rng = mulberry32;

/** Two files of (identifier, time) pairs, in file order. */
function generate(): [Omit<Ev, 'source' | 'line'>[], Omit<Ev, 'source' | 'line'>[]] {
  const r = rng(99);
  const a: Omit<Ev, 'source' | 'line'>[] = [];
  const b: Omit<Ev, 'source' | 'line'>[] = [];
  const at = (id: string | null, ms: number, to = a) => to.push({ id, ms });
  // Window edges.
  at('same-ms', T0 + 1 * D);
  at('same-ms', T0 + 1 * D);
  at('just-under-24h', T0 + 2 * D);
  at('just-under-24h', T0 + 3 * D - 60_000);
  at('exactly-24h', T0 + 3 * D);
  at('exactly-24h', T0 + 4 * D);
  at('24h-plus-1ms', T0 + 5 * D);
  at('24h-plus-1ms', T0 + 6 * D + 1);
  at('ten-days', T0 + 7 * D);
  at('ten-days', T0 + 17 * D);
  at('exactly-34d', T0 + 8 * D);
  at('exactly-34d', T0 + 42 * D);
  at('34d-plus-1ms', T0 + 9 * D);
  at('34d-plus-1ms', T0 + 43 * D + 1);
  // A chain: each use is within 24 h of the previous one, not of the first.
  at('chain', T0 + 10 * D);
  at('chain', T0 + 10 * D + 20 * H);
  at('chain', T0 + 10 * D + 40 * H);
  // Later in the file but earlier in time: the file's first occurrence is the duplicate.
  at('reversed', T0 + 20 * D + 5 * H);
  at('reversed', T0 + 20 * D);
  // Same identifier and time in both files: the source order decides which one is first.
  at('cross-file', T0 + 21 * D);
  at('cross-file', T0 + 21 * D, b);
  // Missing identifiers.
  for (let i = 0; i < 7; i++) at('', T0 + 22 * D + i * 1000);
  for (let i = 0; i < 5; i++) at(null, T0 + 23 * D + i * 1000);
  // Stale / future edges relative to AS_OF.
  at('stale-edge-1', AS_OF - 35 * D);
  at('stale-edge-2', AS_OF - 35 * D - 1);
  at('stale-34-1', AS_OF - 34 * D);
  at('stale-34-2', AS_OF - 34 * D - 1);
  at('future-edge-1', AS_OF + 5 * 60_000);
  at('future-edge-2', AS_OF + 5 * 60_000 + 1);
  at('future-24h-1', AS_OF + D);
  at('future-24h-2', AS_OF + D + 1);
  // Background: unique ids and a small reused pool, at random times over 80 days, both files.
  for (let i = 0; i < 1500; i++) at(`u${i}`, T0 + Math.floor(r() * 80 * D), r() < 0.3 ? b : a);
  for (let i = 0; i < 400; i++) at(`pool${Math.floor(r() * 60)}`, T0 + Math.floor(r() * 80 * D), r() < 0.5 ? b : a);
  // A few events in time order so that "out of order" is not everything.
  for (let i = 0; i < 50; i++) at(`seq${i}`, T0 + 30 * D + i * 1000, b);
  return [a, b];
}

const cmpEv = (x: Ev, y: Ev) => x.ms - y.ms || (x.source < y.source ? -1 : x.source > y.source ? 1 : 0) || x.line - y.line;

/** For each event with an identifier: gap (ms) to the previous use of it in (time, source, line) order. */
function reuseGaps(evs: Ev[]): { ev: Ev; prev: Ev; gap: number }[] {
  const sorted = evs.filter((e) => e.id).sort(cmpEv);
  const last = new Map<string, Ev>();
  const out: { ev: Ev; prev: Ev; gap: number }[] = [];
  for (const e of sorted) {
    // Independent check of "any earlier use within the window": scan every earlier use.
    const prev = last.get(e.id!);
    if (prev) out.push({ ev: e, prev, gap: e.ms - prev.ms });
    last.set(e.id!, e);
  }
  return out;
}

function anyEarlierWithin(evs: Ev[], windowMs: number): number {
  const sorted = evs.filter((e) => e.id).sort(cmpEv);
  let n = 0;
  for (let i = 0; i < sorted.length; i++) {
    for (let j = 0; j < i; j++) {
      if (sorted[j].id === sorted[i].id && sorted[i].ms - sorted[j].ms <= windowMs) {
        n++;
        break;
      }
    }
  }
  return n;
}

let store: Store;
let evs: Ev[];
let files: string[];
let report: ProfileReport;

async function profileOf(runId: string, asOf?: string): Promise<ProfileReport> {
  const loads = await loadSources(store, runId, await resolveSources(files), { mapping: DEFAULT_MAPPING });
  return computeProfile(store, runId, 'profile', loads, { customerKey: 'stripe_customer_id', valueKey: 'value', asOf });
}

beforeAll(async () => {
  const dir = tempDir();
  const [a, b] = generate();
  files = [path.join(dir, 'a.jsonl'), path.join(dir, 'b.jsonl')];
  evs = [];
  [a, b].forEach((list, f) => {
    const lines = list.map((e, i) => {
      evs.push({ ...e, source: files[f], line: i + 1 });
      const obj: Record<string, unknown> = { timestamp: e.ms, event_name: 'call', payload: { stripe_customer_id: 'cus_1', value: 1 } };
      if (e.id !== null) obj.identifier = e.id;
      return JSON.stringify(obj);
    });
    fs.writeFileSync(files[f], lines.join('\n'));
  });
  store = await openTestStore();
  report = await profileOf('ident', new Date(AS_OF).toISOString());
}, 120_000);

describe('identity', () => {
  it('counts events without an identifier', () => {
    expect(report.identity.withoutIdentifier).toBe(evs.filter((e) => !e.id).length);
    expect(report.identity.withoutIdentifier).toBe(12);
  });

  it('duplicates within 24 h and within 34 days, "any earlier use within the window"', () => {
    const d24 = anyEarlierWithin(evs, D);
    const d34 = anyEarlierWithin(evs, 34 * D);
    expect(report.identity.duplicates24h).toBe(d24);
    expect(report.identity.duplicates34d).toBe(d34);
    expect(d24).toBeLessThan(d34);
    const reused = new Set(reuseGaps(evs).map((g) => g.ev.id));
    expect(report.identity.reusedIdentifiers).toBe(reused.size);
  });

  it('window edges: 24 h and 34 days are inclusive, 1 ms more is outside', () => {
    const ids = (xs: { identifier: string }[]) => new Set(xs.map((x) => x.identifier));
    const gaps = reuseGaps(evs);
    const kind = (id: string) => {
      const g = gaps.filter((x) => x.ev.id === id);
      return g.map((x) => (x.gap <= D ? '24h' : x.gap <= 34 * D ? '34d' : 'none'));
    };
    expect(kind('same-ms')).toEqual(['24h']);
    expect(kind('just-under-24h')).toEqual(['24h']);
    expect(kind('exactly-24h')).toEqual(['24h']);
    expect(kind('24h-plus-1ms')).toEqual(['34d']);
    expect(kind('ten-days')).toEqual(['34d']);
    expect(kind('exactly-34d')).toEqual(['34d']);
    expect(kind('34d-plus-1ms')).toEqual(['none']);
    expect(kind('chain')).toEqual(['24h', '24h']);
    // Examples: the earliest five of each kind, same as brute force.
    const ex24 = gaps
      .filter((g) => g.gap <= D)
      .sort((x, y) => cmpEv(x.ev, y.ev))
      .slice(0, 5);
    const ex34 = gaps
      .filter((g) => g.gap > D && g.gap <= 34 * D)
      .sort((x, y) => cmpEv(x.ev, y.ev))
      .slice(0, 5);
    const shape = (g: { ev: Ev; prev: Ev; gap: number }) => ({
      identifier: g.ev.id,
      gapSeconds: g.gap / 1000,
      first: { at: new Date(g.prev.ms).toISOString(), source: g.prev.source, line: g.prev.line },
      duplicate: { at: new Date(g.ev.ms).toISOString(), source: g.ev.source, line: g.ev.line },
    });
    expect(report.identity.examples24h).toEqual(ex24.map(shape));
    expect(report.identity.examples34d).toEqual(ex34.map(shape));
    expect(ids(report.identity.examples24h).has('same-ms')).toBe(true);
  });

  it('the reversed pair and the cross-file tie are ordered by time, then source and line', () => {
    const gaps = reuseGaps(evs);
    const rev = gaps.find((g) => g.ev.id === 'reversed')!;
    expect(rev.ev.line).toBeLessThan(rev.prev.line); // the earlier line is the duplicate
    const cross = gaps.find((g) => g.ev.id === 'cross-file')!;
    expect([cross.prev.source, cross.ev.source]).toEqual([files[0], files[1]]);
  });
});

describe('time', () => {
  it('stale and future counts relative to --as-of', () => {
    const t = report.time;
    expect(t.asOf).toBe(new Date(AS_OF).toISOString());
    expect(t.asOfSource).toBe('flag');
    expect(t.staleOver35d).toBe(evs.filter((e) => AS_OF - e.ms > 35 * D).length);
    expect(t.staleOver34d).toBe(evs.filter((e) => AS_OF - e.ms > 34 * D).length);
    expect(t.futureOver5m).toBe(evs.filter((e) => e.ms - AS_OF > 5 * 60_000).length);
    expect(t.futureOver24h).toBe(evs.filter((e) => e.ms - AS_OF > D).length);
    expect(t.staleOver35d).toBeLessThan(t.staleOver34d);
    const v1 = report.fit.find((f) => f.path === 'stripe-v1')!;
    const metronome = report.fit.find((f) => f.path === 'metronome-ingest')!;
    expect(v1.timestamps.tooOld).toBe(t.staleOver35d);
    expect(v1.timestamps.tooFarInFuture).toBe(t.futureOver5m);
    expect(v1.dedup.duplicates).toBe(report.identity.duplicates24h);
    expect(metronome.timestamps.tooOld).toBe(t.staleOver34d);
    expect(metronome.timestamps.tooFarInFuture).toBe(t.futureOver24h);
    expect(metronome.dedup.duplicates).toBe(report.identity.duplicates34d);
  });

  it('defaults --as-of to the last event', async () => {
    const r = await profileOf('ident-default');
    const last = Math.max(...evs.map((e) => e.ms));
    expect(r.time.asOf).toBe(new Date(last).toISOString());
    expect(r.time.asOfSource).toBe('last-event');
    expect(r.time.staleOver35d).toBe(evs.filter((e) => last - e.ms > 35 * D).length);
    expect(r.time.futureOver5m).toBe(0);
  }, 120_000);

  it('share out of file order, per source', () => {
    let n = 0;
    let back = 0;
    for (const f of files) {
      const mine = evs.filter((e) => e.source === f).sort((x, y) => x.line - y.line);
      for (let i = 1; i < mine.length; i++) {
        if (mine[i].ms < mine[i - 1].ms) {
          n++;
          back = Math.max(back, mine[i - 1].ms - mine[i].ms);
        }
      }
    }
    expect(report.time.outOfOrder).toBe(n);
    expect(report.time.outOfOrderShare).toBeCloseTo(n / evs.length, 12);
    expect(report.time.maxBackwardsSeconds).toBe(back / 1000);
  });
});
