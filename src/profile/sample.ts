/**
 * The sample section of a sampled profile (profile --sample): the whole input's figures estimated
 * from the sample, each with its 95 % interval (estimators.ts; docs/sampling.md), what cannot be
 * scaled (distinct counts: at least the sample's), what is not estimated and why, and the fit
 * verdicts judged on the interval of the peak.
 */
import type { Store } from '../store/store.js';
import { num } from '../store/sql.js';
import { sampleRate, samplePercentText, type SampleSpec } from '../util/sample.js';
import type { ProfileReport, SampleEstimate, SampleSection } from './model.js';
import { countInterval, peakInterval, proportionInterval, ratioInterval, totalInterval, type Design, type Interval } from './estimators.js';
import { customerSumsQuery, duplicateSumsQuery, presenceBySourceQuery, unitSumsQuery } from './sample-sql.js';
import { sampledFit } from '../fit/sampled.js';

export interface SampleRun {
  spec: SampleSpec;
  /** Object sampling: sources read of those matched. */
  objects: { read: number; total: number } | null;
}

type Est = Omit<SampleEstimate, keyof Interval | 'observed'>;
const est = (e: Est, observed: number, i: Interval): SampleEstimate => ({ ...e, observed, estimate: i.estimate, low: i.low, high: i.high });

/** Figures a check column of unitSumsQuery estimates (whole-run row). */
const CHECK_FIGURES: [string, string][] = [
  ['no_customer', 'customers.missing'],
  ['no_id', 'identity.withoutIdentifier'],
  ['no_value', 'cutover.withoutValue'],
  ['stale35', 'time.staleOver35d'],
  ['stale34', 'time.staleOver34d'],
  ['future5m', 'time.futureOver5m'],
  ['future24h', 'time.futureOver24h'],
];

export async function estimateSample(store: Store, runId: string, r: ProfileReport, run: SampleRun): Promise<SampleSection> {
  const p = sampleRate(run.spec);
  const byObject = run.spec.by === 'object';
  const objects = run.objects ?? { read: 0, total: 0 };
  const design: Design = byObject ? { kind: 'objects', n: objects.read, M: objects.total } : { kind: 'bernoulli', p };
  const estimates: SampleEstimate[] = [];
  if (r.events.total > 0) {
    estimates.push(...(await countEstimates(store, runId, r, run.spec, design)));
    estimates.push(...(await customerEstimates(store, runId, r, run.spec, design)));
    if (!byObject) estimates.push(...(await duplicateEstimates(store, runId, r, p)), ...peakEstimates(r, p));
    estimates.push(...(byObject ? await presenceByObject(store, runId, r, objects) : presenceByEvent(r)));
  }
  const peak = estimates.find((e) => e.figure === 'rate.peak.1s');
  const cm = r.cutover.customerMeter;
  const pairs = Math.max(1, r.customers.distinct) * Math.max(1, r.eventNames.length);
  const section: SampleSection = {
    percent: Number(samplePercentText(run.spec)),
    by: run.spec.by,
    rate: p,
    objects: run.objects,
    estimates,
    atLeast: [
      { figure: 'customers.distinct', observed: r.customers.distinct },
      { figure: 'identity.reusedIdentifiers', observed: r.identity.reusedIdentifiers },
    ],
    notEstimated: notEstimated(run.spec),
    fit: sampledFit(r, {
      low: peak?.low ?? r.rate.peak['1s'].events,
      high: peak?.high ?? null,
      customerMeter: { low: cm.peakEvents, high: byObject ? null : peakInterval(cm.peakEvents, r.rate.spanSeconds * pairs, p).high },
    }),
  };
  return section;
}

/** Event counts (whole run, per name, per check), the value's sum and the average rate. */
async function countEstimates(store: Store, runId: string, r: ProfileReport, spec: SampleSpec, design: Design): Promise<SampleEstimate[]> {
  const asOf = Date.parse(r.time.asOf ?? r.events.last ?? '');
  const rows = await store.select<Record<string, string | number>>(unitSumsQuery(runId, spec.by, asOf));
  const out: SampleEstimate[] = [];
  const total = rows.find((row) => num(row.is_total) === 1);
  if (!total) return out;
  const events = totalInterval(design, num(total.x_n), num(total.s_n), true);
  out.push(est({ figure: 'events.total', kind: 'count' }, num(total.x_n), events));
  if (spec.by === 'event' && r.rate.spanSeconds > 0) {
    const s = r.rate.spanSeconds;
    out.push(est({ figure: 'rate.avgEps', kind: 'rate' }, r.rate.avgEps, { estimate: events.estimate / s, low: events.low / s, high: events.high / s }));
  }
  for (const row of rows.filter((x) => num(x.is_total) === 0)) {
    out.push(est({ figure: 'eventNames.count', of: [String(row.name)], kind: 'count' }, num(row.x_n), totalInterval(design, num(row.x_n), num(row.s_n), true)));
  }
  for (const [col, figure] of CHECK_FIGURES) {
    out.push(est({ figure, kind: 'count' }, num(total[`x_${col}`]), totalInterval(design, num(total[`x_${col}`]), num(total[`s_${col}`]), true)));
  }
  out.push(est({ figure: 'cutover.totalValue', kind: 'sum' }, Number(total.x_v), totalInterval(design, Number(total.x_v), Number(total.s_v), false)));
  return out;
}

async function customerEstimates(store: Store, runId: string, r: ProfileReport, spec: SampleSpec, design: Design): Promise<SampleEstimate[]> {
  const names = r.customers.top.map((c) => c.customer);
  if (!names.length) return [];
  const rows = await store.select<{ customer: string; x: string; s: string }>(customerSumsQuery(runId, spec.by, names));
  const by = new Map(rows.map((row) => [row.customer, row]));
  return names.map((c) => {
    const row = by.get(c);
    return est({ figure: 'customers.top.count', of: [c], kind: 'count' }, num(row?.x), totalInterval(design, num(row?.x), num(row?.s), true));
  });
}

/** Event sampling keeps every copy of an identifier together, so its reuses scale with the identifiers. */
async function duplicateEstimates(store: Store, runId: string, r: ProfileReport, p: number): Promise<SampleEstimate[]> {
  if (r.identity.reusedIdentifiers === 0) {
    const none = countInterval(0, 0, p);
    return [est({ figure: 'identity.duplicates24h', kind: 'count' }, 0, none), est({ figure: 'identity.duplicates34d', kind: 'count' }, 0, none)];
  }
  const [row] = await store.select<Record<string, string>>(duplicateSumsQuery(runId));
  return [
    est({ figure: 'identity.duplicates24h', kind: 'count' }, num(row?.x24), countInterval(num(row?.x24), num(row?.s24), p)),
    est({ figure: 'identity.duplicates34d', kind: 'count' }, num(row?.x34), countInterval(num(row?.x34), num(row?.s34), p)),
  ];
}

/** The busiest windows, overall and per event name, with intervals that hold over every window of the span. */
function peakEstimates(r: ProfileReport, p: number): SampleEstimate[] {
  const out: SampleEstimate[] = [];
  const span = r.rate.spanSeconds;
  for (const w of ['1s', '10s', '60s'] as const) {
    const peak = r.rate.peak[w];
    if (peak.windowSeconds > span) continue;
    const i = peakInterval(peak.events, span, p);
    const perSecond = (v: number) => v / peak.windowSeconds;
    out.push(est({ figure: `rate.peak.${w}`, kind: 'peak' }, peak.eps, { estimate: perSecond(i.estimate), low: perSecond(i.low), high: perSecond(i.high) }));
  }
  for (const n of r.eventNames) {
    out.push(est({ figure: 'eventNames.peak1s', of: [n.name], kind: 'peak' }, n.peak1s, peakInterval(n.peak1s, n.spanSeconds, p)));
  }
  return out;
}

/** Event sampling: each key's presence is a share of its name's events (Wilson). */
function presenceByEvent(r: ProfileReport): SampleEstimate[] {
  return r.properties.map((x) => est({ figure: 'properties.presence', of: [x.eventName, x.key], kind: 'share' }, x.presence, proportionInterval(x.present, x.events)));
}

/** Object sampling: presence as a ratio over the sources read (each source one unit: those without the key, or without events, too). */
async function presenceByObject(store: Store, runId: string, r: ProfileReport, objects: { read: number; total: number }): Promise<SampleEstimate[]> {
  const rows = await store.select<{ source: string; name: string; keyed: string | number; key: string; n: string }>(presenceBySourceQuery(runId));
  const sources = [...new Set(rows.map((row) => row.source))];
  const events = new Map<string, number>();
  const present = new Map<string, Map<string, number>>();
  for (const row of rows) {
    if (num(row.keyed) === 0) {
      events.set(JSON.stringify([row.source, row.name]), num(row.n));
      continue;
    }
    const id = JSON.stringify([row.name, row.key]);
    if (!present.has(id)) present.set(id, new Map());
    present.get(id)!.set(row.source, num(row.n));
  }
  return r.properties.map((x) => {
    const bySource = present.get(JSON.stringify([x.eventName, x.key]));
    const units = sources.map((s) => ({ a: bySource?.get(s) ?? 0, b: events.get(JSON.stringify([s, x.eventName])) ?? 0 }));
    const empty = Array.from({ length: Math.max(0, objects.read - sources.length) }, () => ({ a: 0, b: 0 }));
    return est({ figure: 'properties.presence', of: [x.eventName, x.key], kind: 'share' }, x.presence, ratioInterval([...units, ...empty], objects.total));
  });
}

/** What the sample does not estimate, and why. */
function notEstimated(spec: SampleSpec): { figure: string; reason: string }[] {
  const both = [
    { figure: 'rate.percentiles', reason: 'per-second percentiles and the histogram describe the thinned series; they do not scale' },
    { figure: 'properties.distinct', reason: "distinct values per key are the sample's: the input has at least as many" },
    { figure: 'cutover.customerMeter', reason: "the busiest customer × event name second is the sample's (a lower bound)" },
  ];
  if (spec.by === 'event') {
    return [...both, { figure: 'rate.hourOfDay', reason: "hour-of-day and weekday shares are the sample's shares (unbiased; no interval given)" }];
  }
  const files = 'whole files were sampled';
  return [
    ...both,
    { figure: 'rate.avgEps', reason: `${files}: those read may cover a shorter span than the input` },
    { figure: 'rate.peak', reason: `${files}: a busy second in a file not read is missed` },
    { figure: 'rate.hourOfDay', reason: `${files}: files cover different times of day` },
    { figure: 'identity.duplicates', reason: `${files}: copies in a file not read are missed` },
  ];
}
