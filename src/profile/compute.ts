/**
 * Computes the whole profile report for a loaded run. Every figure is SQL over `events` (or over the
 * per-second table built from it); Node only picks keys, applies thresholds and assembles the model.
 * Reads of `events`, in order: volume+checks, per-second series, customers (2), properties (1, two more
 * only for keys beyond the exact limit), compound candidates, duplicates, file order, and --require
 * (2) when asked.
 */
import type { Store } from '../store/store.js';
import { PATH_LIMITS, capacityEventsPerSecond } from '../fit/limits.js';
import { capacityLoads } from '../fit/series.js';
import { ASSUMED_LATENCY_MS, fitPath } from '../fit/fit.js';
import type { EventDimensionCandidates, EventNameRate, FitResult, ProfileReport, PropertyProfile, SourceSummary, TimeProfile } from './model.js';
import { REPORT_SCHEMA_VERSION } from './model.js';
import { computeVolume, type VolumeResult } from './volume.js';
import { buildRateSeries, computeEventNameRates, computeRates, spanOf } from './rates.js';
import { computeCustomers } from './customers.js';
import { countCompounds, itemId, profileKeys, type KeyScan, type KeyShape, type ValueCounts, DISTINCT_ERROR } from './properties.js';
import { classify } from './classify.js';
import { buildCandidates, combinable, compoundsOf, singleCandidates } from './candidates.js';
import { measureKeyUsage, medianTimes, type KnownUsage } from './key-usage.js';
import { computeCutover } from './cutover.js';
import { adviceSettings, adviseReport, keyItemsOf, scoresOf } from '../advice/index.js';
import { computeIdentity, computeOrder } from './identity.js';
import { computeRequirements } from './require.js';
import { saveResults } from './results.js';
import { estimateSample, type SampleRun } from './sample.js';
import { refreshAdviceEstimates } from './sample-advice.js';

export const DEFAULT_EXACT_DISTINCT_LIMIT = 1_000_000;

export interface ProfileOptions {
  /** Reference time for stale/future checks (ISO); default the last event's time. */
  asOf?: string;
  /** Keys every event should carry (--require). */
  require?: string[];
  customerKey: string;
  valueKey: string;
  /** Distinct values counted exactly up to this many per key (default 1,000,000). */
  exactDistinctLimit?: number;
  /** --compound-group-keys: the advice also proposes combined group keys. */
  compoundGroupKeys?: boolean;
  /** --group-key: keys the advice keeps in the group keys whatever their figures. */
  groupKeys?: string[];
  /** Called when a computation phase starts (progress display). */
  onPhase?: (phase: string) => void;
  /** profile --sample: the run holds a sample; the report gains its estimates (sample.ts). */
  sample?: SampleRun;
}

export async function computeProfile(store: Store, runId: string, command: string, sources: SourceSummary[], opts: ProfileOptions): Promise<ProfileReport> {
  const started = Date.now();
  const limit = opts.exactDistinctLimit ?? DEFAULT_EXACT_DISTINCT_LIMIT;
  const phase = (p: string) => opts.onPhase?.(p);

  phase('volume and timestamp checks');
  const asOfMs = opts.asOf === undefined ? undefined : Date.parse(opts.asOf);
  const volume = await computeVolume(store, runId, asOfMs);
  const total = volume.events.total;
  const span = spanOf(volume.events.first, volume.events.last);

  phase('rates');
  await buildRateSeries(store, runId);
  const rate = await computeRates(store, runId, total, span);
  const eventNames = await computeEventNameRates(store, runId, volume.names, total);

  phase('customers');
  const customers = await computeCustomers(store, runId, total, customerLabel(sources, opts.customerKey), volume.checks?.withoutCustomer ?? 0);

  phase('properties');
  const { properties, known } = await propertiesOf(store, runId, volume, limit, { customer: opts.customerKey, value: opts.valueKey });

  phase('dimension candidates');
  const advice = adviceSettings({ compoundGroupKeys: opts.compoundGroupKeys, groupKeys: opts.groupKeys });
  const { keyUsage, dimensionCandidates } = await candidatesOf(store, runId, eventNames, properties, advice, known);
  const requirements = opts.require?.length ? await computeRequirements(store, runId, opts.require, volume.names, properties) : null;

  phase('identifiers and ordering');
  const identity = await computeIdentity(store, runId, volume.checks?.withoutIdentifier ?? 0);
  const time = await timeProfile(store, runId, volume, asOfMs);

  phase('cut-over checks');
  const cutover = await computeCutover(store, runId, ASSUMED_LATENCY_MS, total);

  phase('fit');
  const fit = await fitOf(store, runId, span, { avgEps: rate.avgEps, peak1s: rate.peak['1s'].events, total, time, identity, customerMeter: cutover.customerMeter });

  const report: ProfileReport = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    runId,
    command,
    generatedAt: new Date().toISOString(),
    store: store.label,
    settings: {
      asOf: opts.asOf ?? null,
      customerKey: opts.customerKey,
      valueKey: opts.valueKey,
      require: opts.require ?? [],
      exactDistinctLimit: limit,
    },
    sources,
    events: volume.events,
    rejects: volume.rejects,
    rate,
    eventNames,
    customers,
    properties,
    keyUsage,
    filterCoverage: [],
    dimensionCandidates,
    requirements,
    identity,
    time,
    cutover,
    fit,
    advice: { settings: advice, stripeMeters: null, scores: [], plans: [], drafts: [], unbilled: { events: 0, eventsShare: 0, value: 0, valueShare: 0 } },
    computeSeconds: 0,
  };
  phase('group keys and drafts');
  await adviseReport(store, report, advice, known);
  if (opts.sample) {
    phase('sample estimates');
    report.sample = await estimateSample(store, runId, report, opts.sample);
    refreshAdviceEstimates(report);
  }
  phase('saving results');
  await saveResults(store, report);
  report.computeSeconds = (Date.now() - started) / 1000;
  return report;
}

/**
 * The payload properties, median times first: the value pass counts each key's values first seen
 * before them, and key usage reuses those counts (`known`).
 */
async function propertiesOf(store: Store, runId: string, volume: VolumeResult, limit: number, roles: { customer: string; value: string }) {
  const names = volume.names.map((n) => n.name);
  const eventsOf = new Map(volume.names.map((n) => [n.name, n.count]));
  const mids = volume.events.total ? await medianTimes(store, runId, names) : new Map<string, number>();
  const { scans, exact, estimated, large, usage } = await profileKeys(store, runId, limit, mids);
  const properties = scans
    .map((s) => toProperty(s, eventsOf.get(s.name) ?? 0, roles, large.has(itemId(s.name, [s.key])) ? estimated : exact))
    .sort((a, b) => cmp(a.eventName, b.eventName) || b.presence - a.presence || cmp(a.key, b.key));
  const known: KnownUsage = { mids, counted: usage };
  return { properties, known };
}

/** Only if a key vanished between passes (never within one run); keeps the model total. */
const EMPTY_SHAPE: KeyShape = {
  types: { number: 0, string: 0, boolean: 0, null: 0, object: 0 },
  numericCount: 0,
  min: null,
  max: null,
  mean: null,
  avgLength: 0,
  spaceShare: 0,
};

function toProperty(s: KeyScan, events: number, roles: { customer: string; value: string }, counts: ValueCounts): PropertyProfile {
  const id = itemId(s.name, [s.key]);
  // Keys within the exact limit have a count from the value pass; the others keep the estimate.
  const exactCount = counts.items.get(id);
  const shape = counts.shapes.get(id) ?? EMPTY_SHAPE;
  const distinctExact = exactCount !== undefined;
  const distinct = exactCount?.distinct ?? s.approxDistinct;
  const role = s.key === roles.customer ? 'customer' : s.key === roles.value ? 'value' : null;
  const numericShare = s.present ? shape.numericCount / s.present : 0;
  const cls = classify({
    key: s.key,
    present: s.present,
    distinct,
    numericShare,
    objectShare: s.present ? shape.types.object / s.present : 0,
    spaceShare: shape.spaceShare,
    avgLength: shape.avgLength,
    role,
  });
  const q = counts.quantiles.get(id);
  return {
    eventName: s.name,
    key: s.key,
    events,
    present: s.present,
    presence: events ? s.present / events : 0,
    distinct,
    distinctExact,
    distinctError: distinctExact ? null : DISTINCT_ERROR,
    types: shape.types,
    numericShare,
    numeric:
      shape.numericCount > 0 && shape.min !== null && shape.max !== null && shape.mean !== null
        ? {
            count: shape.numericCount,
            min: shape.min,
            max: shape.max,
            mean: shape.mean,
            p50: q?.p50 ?? shape.min,
            p99: q?.p99 ?? shape.max,
            quantilesExact: distinctExact,
          }
        : null,
    topValues: (counts.top.get(id) ?? []).map((t) => ({ value: t.value, count: t.count, share: s.present ? t.count / s.present : 0 })),
    topValuesExact: distinctExact,
    avgLength: shape.avgLength,
    class: cls.class,
    classReason: cls.reason,
    role,
  };
}

/** What "customer" means for these sources: the payload key (Stripe formats), the format's or the mapped field. */
function customerLabel(sources: SourceSummary[], customerKey: string): string {
  const field: Record<string, string> = { metronome: 'customer_id', cloudevents: 'subject' };
  const labels = sources.map((s) => s.customerField ?? field[s.format] ?? `payload.${customerKey}`);
  return [...new Set(labels)].join(', ') || `payload.${customerKey}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Key usage (observed combinations, growth) and the scored dimension candidates per event name. */
async function candidatesOf(
  store: Store,
  runId: string,
  eventNames: EventNameRate[],
  properties: PropertyProfile[],
  advice: ReturnType<typeof adviceSettings>,
  known: KnownUsage,
) {
  const keyUsage = await measureKeyUsage(
    store,
    runId,
    keyItemsOf(
      eventNames.map((n) => n.name),
      properties,
      advice,
    ),
    known,
  );
  const scores = scoresOf({ properties, eventNames, keyUsage });
  const compounds = new Map<string, string[][]>();
  for (const n of eventNames) {
    const singles = singleCandidates(
      properties.filter((p) => p.eventName === n.name),
      scores,
    );
    compounds.set(n.name, compoundsOf(combinable(singles, scores)));
  }
  const combinations = await countCompounds(store, runId, compounds);
  const dimensionCandidates: EventDimensionCandidates[] = eventNames.map((n) =>
    buildCandidates(
      n.name,
      n.count,
      properties.filter((p) => p.eventName === n.name),
      combinations,
      scores,
    ),
  );
  return { keyUsage, dimensionCandidates };
}

/** The timestamp checks: stale and future against the reference time, and file order. */
async function timeProfile(store: Store, runId: string, volume: VolumeResult, asOfMs: number | undefined): Promise<TimeProfile> {
  const checks = volume.checks;
  const total = volume.events.total;
  const order = total ? await computeOrder(store, runId) : { outOfOrder: 0, maxBackwardsSeconds: 0 };
  return {
    asOf: checks?.asOf ?? (asOfMs !== undefined ? new Date(asOfMs).toISOString() : null),
    asOfSource: asOfMs === undefined ? ('last-event' as const) : ('flag' as const),
    staleOver35d: checks?.staleOver35d ?? 0,
    staleOver34d: checks?.staleOver34d ?? 0,
    futureOver5m: checks?.futureOver5m ?? 0,
    futureOver24h: checks?.futureOver24h ?? 0,
    outOfOrder: order.outOfOrder,
    outOfOrderShare: total ? order.outOfOrder / total : 0,
    maxBackwardsSeconds: order.maxBackwardsSeconds,
  };
}

/** Each published path judged against the measured traffic (seconds over each limit from the per-second series). */
async function fitOf(store: Store, runId: string, span: ReturnType<typeof spanOf>, m: Omit<Parameters<typeof fitPath>[1], 'load'>): Promise<FitResult[]> {
  const loads = span
    ? await capacityLoads(store, runId, span.firstSecond, PATH_LIMITS.map(capacityEventsPerSecond))
    : PATH_LIMITS.map(() => ({ secondsOver: 0, queueDelaySeconds: 0 }));
  return PATH_LIMITS.map((l, i) => fitPath(l, { ...m, load: loads[i] }));
}
