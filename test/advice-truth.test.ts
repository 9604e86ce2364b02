/**
 * The advice on a log whose truth is known (test/support/advice-logs.ts): a key at 80 % presence is
 * never a group key and its dropped share is exact; a key with one value at 97 % is near-constant;
 * an identifier-like key is in no draft unless asked; per-customer combinations, growth,
 * near-duplicates and identity limits equal a brute force; Stripe meters win over the heuristics;
 * the rate chart draws every empty bucket at zero and the overview's average; the answers state no
 * number their figures do not hold.
 */
import path from 'node:path';
import fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, tempDir } from './support/helpers.js';
import type { Ev } from './support/report-support.js';
import { nearDuplicates, truthLog } from './support/advice-logs.js';
import { unexplainedNumbers } from './support/answers-check.js';
import type { Store } from '../src/store/store.js';
import { resolveSources } from '../src/ingest/source.js';
import { loadSources } from '../src/ingest/load.js';
import { DEFAULT_MAPPING } from '../src/ingest/formats.js';
import { computeProfile } from '../src/profile/compute.js';
import type { ProfileReport } from '../src/profile/model.js';
import { adviceSettings, adviseReport } from '../src/advice/index.js';
import { requestProblems } from '../src/advice/drafts.js';
import { billableMetricDrafts } from '../src/report/drafts.js';
import { meteringAnswers } from '../src/report/answers.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { rateOverTime } from '../src/report/charts/rates.js';
import { normalizeMeter } from '../src/stripe/meters.js';
import { checkRun } from '../src/stripe/check.js';

let store: Store;
let evs: Ev[];
let plain: ProfileReport;
let asked: ProfileReport;

async function profile(runId: string, opts: { compoundGroupKeys?: boolean; groupKeys?: string[] } = {}): Promise<ProfileReport> {
  const dir = tempDir();
  const file = path.join(dir, 'truth.jsonl');
  fs.writeFileSync(file, `${evs.map((e) => JSON.stringify(e)).join('\n')}\n`);
  const loads = await loadSources(store, runId, await resolveSources([file]), { mapping: DEFAULT_MAPPING });
  return computeProfile(store, runId, 'profile', loads, { customerKey: 'stripe_customer_id', valueKey: 'value', ...opts });
}

const api = () => evs.filter((e) => e.event_name === 'api');
const hasValue = (e: Ev) => e.payload.value !== undefined;
// An event without a value adds nothing to a sum (the engine's ifNull(value, 0)).
const valueOf = (e: Ev) => (hasValue(e) ? Number(e.payload.value) : 0);
const sum = (xs: Ev[]) => xs.reduce((a, e) => a + valueOf(e), 0);
const nearestRank = (sorted: number[], q: number) => sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1];

beforeAll(async () => {
  store = await openTestStore();
  evs = truthLog();
  plain = await profile('truth1');
  asked = await profile('truth2', { compoundGroupKeys: true, groupKeys: ['user_id'] });
}, 180_000);

describe('scores and the group-key plan', () => {
  it('a key in 80 % of events is no group key by default; the events and value it would drop are exact', () => {
    const plan = plain.advice.plans.find((p) => p.eventName === 'api')!;
    const lacking = api().filter((e) => !('model' in e.payload));
    expect(lacking.length / api().length).toBeCloseTo(0.2, 2);
    const row = plan.rows.find((r) => r.dimension.join() === 'model')!;
    expect(row.inGroupKeys).toBe(false);
    expect(row.dropped).toEqual({ events: lacking.length, eventsShare: lacking.length / api().length, value: sum(lacking), valueShare: sum(lacking) / sum(api()) });
    expect(plain.advice.scores.find((s) => s.eventName === 'api' && s.key === 'model')!.verdict).toBe('too sparse');
    // Standalone keys for the candidates present in every event: region and tier (method is near-constant, user_id an identifier).
    expect(plan.groupKeys.map((g) => g.join()).sort()).toEqual(['region', 'tier']);
  });

  it('a key with one value in 97 % of events is near-constant, never in a group key', () => {
    const s = plain.advice.scores.find((x) => x.eventName === 'api' && x.key === 'method')!;
    const share = api().filter((e) => e.payload.method === 'GET').length / api().length;
    expect(s).toMatchObject({ verdict: 'near-constant', topShare: share });
    expect(share).toBeGreaterThanOrEqual(0.95);
    expect(s.score).toBeLessThan(0.5);
    for (const d of [...plain.advice.drafts, ...asked.advice.drafts]) expect(d.request.group_keys?.flat() ?? []).not.toContain('method');
  });

  it('an identifier-like key is in no draft, unless --group-key names it; it grows with usage (new values after the median time)', () => {
    for (const d of plain.advice.drafts) expect(d.request.group_keys?.flat() ?? []).not.toContain('user_id');
    const s = plain.advice.scores.find((x) => x.eventName === 'api' && x.key === 'user_id')!;
    expect(s).toMatchObject({ verdict: 'identifier-like', growsWithUsage: true });
    // Brute force of the growth figure: values first seen at or after the lower-median time.
    const times = api()
      .map((e) => e.timestamp)
      .sort((a, b) => a - b);
    const mid = times[Math.floor((times.length - 1) / 2)];
    const u = plain.keyUsage.find((x) => x.eventName === 'api' && x.keys.join() === 'user_id')!;
    const withKey = api().filter((e) => 'user_id' in e.payload);
    expect(u.firstHalfDistinct).toBe(new Set(withKey.filter((e) => e.timestamp < mid).map((e) => e.payload.user_id)).size);
    expect(s.newInSecondHalf).toBe(u.distinct - u.firstHalfDistinct);
    const region = plain.keyUsage.find((x) => x.eventName === 'api' && x.keys.join() === 'region')!;
    expect(region.firstHalfDistinct).toBe(region.distinct);
    const d = asked.advice.drafts.find((x) => x.eventName === 'api')!;
    expect(d.request.group_keys).toContainEqual(['user_id']);
    expect(d.sources.groupKeys).toBe('flag');
    expect(d.flags.map((f) => f.kind)).toContain('identifier-like');
  });

  it('per-customer combinations of every measured key and compound equal a brute force (observed, not the cross product)', () => {
    const compounds = asked.keyUsage.filter((u) => u.keys.length > 1);
    expect(compounds.map((u) => u.keys.join())).toEqual(expect.arrayContaining(['region,tier', 'region,tier,user_id']));
    for (const u of asked.keyUsage) {
      const mine = evs.filter((e) => e.event_name === u.eventName && u.keys.every((k) => k in e.payload));
      const combo = (e: Ev) => JSON.stringify(u.keys.map((k) => JSON.stringify(e.payload[k])));
      const per = new Map<string, Set<string>>();
      for (const e of mine) per.set(String(e.payload.stripe_customer_id), (per.get(String(e.payload.stripe_customer_id)) ?? new Set()).add(combo(e)));
      const sizes = [...per.values()].map((x) => x.size).sort((a, b) => a - b);
      const label = `${u.eventName} [${u.keys.join(', ')}]`;
      expect([u.present, u.value, u.distinct, u.customers], label).toEqual([mine.length, sum(mine), new Set(mine.map(combo)).size, per.size]);
      const times = evs
        .filter((e) => e.event_name === u.eventName)
        .map((e) => e.timestamp)
        .sort((a, b) => a - b);
      const mid = times[Math.floor((times.length - 1) / 2)];
      expect(u.firstHalfDistinct, label).toBe(new Set(mine.filter((e) => e.timestamp < mid).map(combo)).size);
      expect(u.perCustomer, label).toEqual({ p50: nearestRank(sizes, 0.5), p99: nearestRank(sizes, 0.99), max: sizes[sizes.length - 1] });
    }
    const plan = asked.advice.plans.find((p) => p.eventName === 'api')!;
    const row = plan.rows.find((r) => r.dimension.join() === 'tier,region,user_id')!;
    expect(row.flags).toContain('> 1,000 combined values');
  });

  it("every draft passes Metronome's filter rules and states the share it bills, exactly", () => {
    for (const r of [plain, asked]) {
      for (const d of r.advice.drafts) {
        expect(requestProblems(d.request), d.eventName).toEqual([]);
        const keys = (d.request.property_filters ?? []).map((p) => p.name);
        const mine = evs.filter((e) => e.event_name === d.eventName);
        const billed = mine.filter((e) => keys.every((k) => k in e.payload));
        expect(d.billed).toMatchObject({ events: billed.length, eventsShare: billed.length / mine.length, value: sum(billed) });
        // Each filter key events lack is flagged with how many lack it, the value key's included.
        const lacking = keys.map((k) => [k, mine.filter((e) => !(k in e.payload)).length] as const).filter(([, n]) => n > 0);
        const flagged = d.flags.filter((f) => f.kind === 'missing-key').map((f) => [f.key, Number(/^([\d,]+) of/.exec(f.text)![1].replace(/,/g, ''))]);
        expect(flagged, d.eventName).toEqual(lacking);
      }
      const unbilled = r.advice.drafts.reduce((a, d) => a + d.events - d.billed!.events, 0);
      expect(r.advice.unbilled.events).toBe(unbilled);
      // The filter lists key usage lacks are counted from key sets: each against its own brute force.
      expect(r.filterCoverage!.length).toBeGreaterThan(0);
      for (const c of r.filterCoverage!) {
        const mine = evs.filter((e) => e.event_name === c.eventName && c.keys.every((k) => k in e.payload));
        expect([c.present, c.value], `${c.eventName} [${c.keys.join(', ')}]`).toEqual([mine.length, sum(mine)]);
      }
    }
    // --group-key user_id: 100 % of api events carry it, so nothing is dropped; billed = all.
    expect(asked.advice.drafts.find((d) => d.eventName === 'api')!.billed!.eventsShare).toBe(1);
  });
});

describe('cut-over checks', () => {
  it('near-duplicates (a retry that minted a new identifier) are counted exactly; exact re-sends are not', () => {
    const truth = nearDuplicates(evs);
    expect(truth.events).toBeGreaterThan(20);
    expect(plain.cutover.nearDuplicates).toMatchObject({ groups: truth.groups, events: truth.events, value: truth.value });
    expect(plain.cutover.nearDuplicates.valueShare).toBeCloseTo(truth.value / sum(evs), 12);
    expect(plain.cutover.nearDuplicates.examples.length).toBe(5);
  });

  it('identifiers over 100 and 128 characters, and values that are not whole numbers', () => {
    expect(plain.cutover.identifiersOverStripeLimit).toBe(evs.filter((e) => (e.identifier ?? '').length > 100).length);
    expect(plain.cutover.identifiersOverMetronomeLimit).toBe(evs.filter((e) => (e.identifier ?? '').length > 128).length);
    expect(plain.cutover.identifiersOverMetronomeLimit).toBeGreaterThan(0);
    expect(plain.cutover.fractionalValues).toBe(evs.filter((e) => hasValue(e) && !Number.isInteger(valueOf(e))).length);
    expect(plain.cutover.withoutValue).toBe(evs.filter((e) => !hasValue(e)).length);
    expect(plain.cutover.withoutValue).toBeGreaterThan(0);
    expect(plain.cutover.totalValue).toBe(sum(evs));
  });
});

describe('Stripe meters win over the heuristics', () => {
  it('event name, customer mapping, value key, aggregation and dimension_payload_keys come from the meter, each field says so', async () => {
    const meters = [
      {
        id: 'mtr_api',
        display_name: 'API',
        event_name: 'api',
        status: 'active',
        default_aggregation: { formula: 'sum' },
        customer_mapping: { event_payload_key: 'stripe_customer_id', type: 'by_id' },
        value_settings: { event_payload_key: 'value' },
        dimension_payload_keys: ['model', 'tier'],
      },
      { id: 'mtr_job', display_name: 'Jobs', event_name: 'job', status: 'active', default_aggregation: { formula: 'count' } },
    ].map(normalizeMeter);
    const r: ProfileReport = { ...plain, stripe: { source: 'file', fetchedAt: '2025-05-06T00:00:00.000Z', meters, check: await checkRun(store, plain.runId, meters) } };
    // Drafts read before planning again already follow the meters (planned from the model)…
    expect(billableMetricDrafts(r).find((d) => d.eventName === 'api')!.request.group_keys).toEqual([['model', 'tier']]);
    // …and planning with the store measures what the meters' dimensions bill.
    await adviseReport(store, r, adviceSettings());
    const d = r.advice.drafts.find((x) => x.eventName === 'api')!;
    expect(d.request).toMatchObject({
      name: 'API',
      event_type_filter: { in_values: ['api'] },
      aggregation_type: 'SUM',
      aggregation_key: 'value',
      group_keys: [['model', 'tier']],
    });
    expect(d.sources).toEqual({ eventName: 'stripe-meter', customer: 'stripe-meter', aggregation: 'stripe-meter', groupKeys: 'stripe-meter' });
    const billed = api().filter((e) => 'model' in e.payload);
    expect(d.billed).toMatchObject({ events: billed.length, value: sum(billed) });
    expect(d.flags.find((f) => f.kind === 'missing-key' && f.key === 'model')).toBeDefined();
    const job = r.advice.drafts.find((x) => x.eventName === 'job')!;
    expect(job.request).toMatchObject({ name: 'Jobs', aggregation_type: 'COUNT' });
    expect(job.request.group_keys).toBeUndefined();
    expect(r.advice.plans.find((p) => p.eventName === 'api')!.source).toBe('stripe-meter');
    const dims = meteringAnswers(r).find((a) => a.id === 'dimensions')!;
    expect(dims.answer).not.toMatch(/need.* more than Stripe/);
    expect(dims.figures).toMatchObject({ metricsFromStripeMeters: 2, stripeMetersWithDimensions: 1 });
  });
});

describe('charts and answers do not mislead', () => {
  it("the rate chart has a point (zero) for every empty bucket and the overview's average as a line", () => {
    const { series } = plain.rate;
    const b = series.bucketSeconds;
    const first = Math.floor(Math.min(...evs.map((e) => e.timestamp)) / b) * b;
    const last = Math.floor(Math.max(...evs.map((e) => e.timestamp)) / b) * b;
    expect(series.points.map((p) => Date.parse(p.at) / 1000)).toEqual(Array.from({ length: (last - first) / b + 1 }, (_, k) => first + k * b));
    const perBucket = new Map<number, number>();
    for (const e of evs) perBucket.set(Math.floor(e.timestamp / b) * b, (perBucket.get(Math.floor(e.timestamp / b) * b) ?? 0) + 1);
    for (const p of series.points) expect(p.events).toBe(perBucket.get(Date.parse(p.at) / 1000) ?? 0);
    expect(series.points.filter((p) => p.events === 0).length).toBeGreaterThan(series.points.length / 2);
    const spec = rateOverTime(plain).spec as { layer: { data: { values: { t?: string; eps: number; series?: string }[] } }[] };
    const rows = spec.layer[0].data.values;
    const averages = rows.filter((x) => x.series !== 'busiest second');
    expect(averages).toHaveLength(series.points.length);
    expect(averages.filter((x) => x.eps === 0)).toHaveLength(series.points.filter((p) => p.events === 0).length);
    const avgLine = spec.layer.map((l) => l.data.values).find((v) => v.length === 1 && v[0].eps === plain.rate.avgEps);
    expect(avgLine).toBeDefined();
  });

  it('every number in every answer is one of its figures', () => {
    for (const r of [plain, asked]) expect(unexplainedNumbers(meteringAnswers(r))).toEqual([]);
    // The check catches a sentence that counts something else.
    const [first] = meteringAnswers(plain);
    expect(unexplainedNumbers([{ ...first, answer: `${first.answer} 7,777 meters need more than 4,242 dimension keys.` }])).toHaveLength(2);
    const md = renderMarkdown(asked);
    expect(md).toContain('## Group keys: confirmation table');
    expect(md).toContain(
      '| dimension | in group_keys? | role | cardinality (observed) | per customer p50 / p99 / max | grows with usage? | events (share) / value dropped | why |',
    );
  });
});
