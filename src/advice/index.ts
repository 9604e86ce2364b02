/**
 * The advice section of a profile report: scores, group-key plans and billable-metric drafts.
 * `planAdvice` is pure (it reads the model, and what it has not measured stays null); `adviseReport`
 * first measures what the plan needs and the model lacks (compound keys, the drafts' filter keys,
 * a Stripe meter's dimensions) and then plans from complete figures.
 */
import type { Store } from '../store/store.js';
import type { FilterCoverage, KeyUsage, ProfileReport, PropertyProfile } from '../profile/model.js';
import type { StripeMeter } from '../stripe/meters.js';
import { keyItemId, measureKeyUsage, uniqueItems, type KeyItem, type KnownUsage } from '../profile/key-usage.js';
import { measureFilterCoverage } from '../profile/filter-coverage.js';
import type { AdviceSection, AdviceSettings, GroupKeyPlan, MetricDraft } from './model.js';
import { PRICING_MIN_PRESENCE, scoreKeys, type NameTotals } from './score.js';
import { planGroupKeys } from './planner.js';
import { draftFor, filterKeysOf } from './drafts.js';

export function adviceSettings(opts: { compoundGroupKeys?: boolean; groupKeys?: string[] } = {}): AdviceSettings {
  return { compoundGroupKeys: opts.compoundGroupKeys ?? false, groupKeys: opts.groupKeys ?? [], pricingMinPresence: PRICING_MIN_PRESENCE };
}

const itemOf = (eventName: string, keys: string[]): KeyItem => ({ eventName, keys: [...keys].sort() });

/** The first measurement: every name as a whole and each key that could be a dimension (or is asked for). */
export function keyItemsOf(names: string[], props: PropertyProfile[], settings: AdviceSettings): KeyItem[] {
  const wanted = (p: PropertyProfile) =>
    settings.groupKeys.includes(p.key) || (p.role === null && (p.class === 'dimension' || p.class === 'identifier-like' || p.class === 'constant'));
  return [...names.map((n) => itemOf(n, [])), ...props.filter(wanted).map((p) => itemOf(p.eventName, [p.key]))];
}

/** The Stripe meter billing an event name: the active one, else an inactive one (its formula still says what was meant). */
function meterFinder(meters: StripeMeter[]): (name: string) => StripeMeter | null {
  return (name) => meters.find((m) => m.eventName === name && m.status === 'active') ?? meters.find((m) => m.eventName === name) ?? null;
}

type Measured = Pick<ProfileReport, 'properties' | 'eventNames'> & { keyUsage?: KeyUsage[]; filterCoverage?: FilterCoverage[] };

const idOf = (u: FilterCoverage) => keyItemId(itemOf(u.eventName, u.keys));

function measuredOf(r: Measured) {
  const measured = new Map((r.keyUsage ?? []).map((u) => [idOf(u), u]));
  const covered = new Map<string, FilterCoverage>([...(r.filterCoverage ?? []), ...(r.keyUsage ?? [])].map((u) => [idOf(u), u]));
  const totals = new Map<string, NameTotals>(r.eventNames.map((n) => [n.name, { events: n.count, value: measured.get(keyItemId(itemOf(n.name, [])))?.value ?? 0 }]));
  return { measured, covered, totals };
}

/** Every key that could be a dimension, scored, per name best first. */
export function scoresOf(r: Measured) {
  const { measured, totals } = measuredOf(r);
  return scoreKeys(r.properties, measured, totals);
}

export function planAdvice(r: ProfileReport, settings: AdviceSettings = r.advice?.settings ?? adviceSettings()): AdviceSection {
  const { measured, covered, totals } = measuredOf(r);
  const usageOf = (name: string) => (keys: string[]) => measured.get(keyItemId(itemOf(name, keys)));
  const coverageOf = (name: string) => (keys: string[]) => covered.get(keyItemId(itemOf(name, keys)));
  const scores = scoreKeys(r.properties, measured, totals);
  const meterOf = meterFinder(r.stripe?.meters ?? []);
  const plans: GroupKeyPlan[] = r.eventNames.map((n) =>
    planGroupKeys({
      eventName: n.name,
      events: n.count,
      value: totals.get(n.name)!.value,
      props: r.properties.filter((p) => p.eventName === n.name),
      scores: scores.filter((s) => s.eventName === n.name),
      usage: usageOf(n.name),
      meter: meterOf(n.name),
      settings,
    }),
  );
  const drafts: MetricDraft[] = plans.map((plan) =>
    draftFor({
      plan,
      props: r.properties.filter((p) => p.eventName === plan.eventName),
      meter: meterOf(plan.eventName),
      metersRead: r.stripe !== undefined,
      customerKey: r.settings.customerKey,
      valueKey: r.settings.valueKey,
      usage: coverageOf(plan.eventName),
      insistedKeys: settings.groupKeys,
    }),
  );
  const events = r.events.total;
  const value = [...totals.values()].reduce((a, t) => a + t.value, 0);
  const unbilledEvents = drafts.reduce((a, d) => a + (d.billed ? d.events - d.billed.events : 0), 0);
  const unbilledValue = drafts.reduce((a, d, i) => a + (d.billed ? plans[i].value - d.billed.value : 0), 0);
  return {
    settings,
    stripeMeters: r.stripe ? r.stripe.meters.length : null,
    scores,
    plans,
    drafts,
    unbilled: { events: unbilledEvents, eventsShare: events ? unbilledEvents / events : 0, value: unbilledValue, valueShare: value ? unbilledValue / value : 0 },
  };
}

/**
 * What a plan needs measured that the model lacks: in full (`usage`), the keys of its table and compound
 * group keys; only what their exists filter keeps (`coverage`), each draft's filter keys.
 */
export function missingItems(r: ProfileReport, advice: AdviceSection): { usage: KeyItem[]; coverage: KeyItem[] } {
  const { measured, covered } = measuredOf(r);
  const usage: KeyItem[] = [];
  for (const plan of advice.plans) {
    for (const row of plan.rows) usage.push(itemOf(plan.eventName, row.dimension));
    usage.push(itemOf(plan.eventName, []));
  }
  const full = uniqueItems(usage.filter((i) => !measured.has(keyItemId(i))));
  const wanted = new Set(full.map(keyItemId));
  const filters = advice.drafts.map((d) => itemOf(d.eventName, filterKeysOf(d.request)));
  return { usage: full, coverage: uniqueItems(filters.filter((i) => !covered.has(keyItemId(i)) && !wanted.has(keyItemId(i)))) };
}

/**
 * Measures what the plan needs, then sets `r.advice` (appending the new measurements to `r.keyUsage`
 * and `r.filterCoverage`). `known`: what the profile already measured (median times, the property
 * pass's counts), not measured again.
 */
export async function adviseReport(store: Store, r: ProfileReport, settings: AdviceSettings, known?: KnownUsage): Promise<void> {
  const first = planAdvice(r, settings);
  const missing = missingItems(r, first);
  if (missing.usage.length) r.keyUsage = [...(r.keyUsage ?? []), ...(await measureKeyUsage(store, r.runId, missing.usage, known))];
  if (missing.coverage.length) r.filterCoverage = [...(r.filterCoverage ?? []), ...(await measureFilterCoverage(store, r.runId, missing.coverage))];
  r.advice = missing.usage.length || missing.coverage.length ? planAdvice(r, settings) : first;
}

/**
 * A report's advice: as stored, else planned from what it measured (a report stored before advice
 * existed, or one whose Stripe meters were attached after it was planned).
 */
export function adviceOf(r: ProfileReport): AdviceSection {
  const current = r.advice && r.advice.stripeMeters === (r.stripe ? r.stripe.meters.length : null);
  return current ? r.advice : planAdvice(r);
}

export function draftsOf(r: ProfileReport): MetricDraft[] {
  return adviceOf(r).drafts;
}
