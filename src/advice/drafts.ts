/**
 * Billable-metric drafts: one create-billable-metric request per event name, from the group-key plan
 * and — when `profile --stripe` read one — the Stripe meter's event name, customer mapping, value key,
 * aggregation and dimensions. Each draft says where every field came from and exactly which share of
 * the name's events and value its filters bill (Metronome needs an exists filter on the aggregation
 * key and on every group key, so an event lacking one is never billed).
 */
import type { FilterCoverage, PropertyProfile } from '../profile/model.js';
import type { StripeMeter } from '../stripe/meters.js';
import type { BilledShare, DraftFlag, GroupKeyPlan, MetricDraft, MetricRequest } from './model.js';
import { chooseAggregation } from './aggregation.js';
import { int, pct } from '../util/format.js';

export interface DraftInputs {
  plan: GroupKeyPlan;
  props: PropertyProfile[];
  meter: StripeMeter | null;
  /** True when `profile --stripe` read the meters (a name without one is then flagged). */
  metersRead: boolean;
  customerKey: string;
  valueKey: string;
  /** Events and value carrying every key (key usage or filter coverage). */
  usage: (keys: string[]) => FilterCoverage | undefined;
  insistedKeys: string[];
}

/** The keys a request must filter on: the aggregation key, then every group key. */
export function filterKeysOf(request: Pick<MetricRequest, 'aggregation_key' | 'group_keys'>): string[] {
  return [...new Set([...(request.aggregation_key ? [request.aggregation_key] : []), ...(request.group_keys ?? []).flat()])];
}

export function draftFor(x: DraftInputs): MetricDraft {
  const { plan, meter } = x;
  const props = new Map(x.props.map((p) => [p.key, p]));
  const customerKey = meter?.customerKey ?? x.customerKey;
  const valueKey = meter?.valueKey ?? x.valueKey;
  const agg = chooseAggregation(plan.eventName, valueKey, props.get(valueKey), meter);
  const why = [agg.why];
  const flags: DraftFlag[] = [...agg.flags];
  const groupKeys = plan.groupKeys.map((g) => g.filter((k) => k !== customerKey && k !== agg.aggregationKey)).filter((g) => g.length);
  why.push(groupKeysWhy(plan, groupKeys));
  why.push(`The customer (${customerKey}${meter ? `, the meter's customer mapping` : ''}) becomes the event's customer_id, not a property.`);
  if (x.metersRead && !meter) {
    flags.push({
      key: null,
      kind: 'unmetered',
      text: `no Stripe meter bills ${plan.eventName} today: this draft would start billing ${int(plan.events)} events; without any metric Metronome accepts and ignores them`,
    });
  }
  for (const row of plan.rows) {
    if (!row.inGroupKeys) continue;
    const label = row.dimension.join(' × ');
    if (row.flags.includes('identifier-like') || row.flags.includes('grows with usage')) {
      flags.push({
        key: label,
        kind: row.flags.includes('identifier-like') ? 'identifier-like' : 'grows-with-usage',
        text: `${label}: ${row.reason}; each value is its own usage bucket`,
      });
    }
    if (row.flags.includes('> 1,000 combined values'))
      flags.push({ key: null, kind: 'many-combinations', text: `[${label}] ${row.reason}: above Metronome's ~1,000 combined values` });
    if (row.flags.includes('~1,000 values per customer')) {
      flags.push({
        key: label,
        kind: 'per-customer-cardinality',
        text: `${label} reaches ${int(row.perCustomer?.max ?? 0)} values for one customer: flag it to Metronome support before launch`,
      });
    }
  }
  const filterKeys = filterKeysOf({ aggregation_key: agg.aggregationKey, group_keys: groupKeys });
  const request: MetricRequest = {
    name: meter?.displayName ?? plan.eventName,
    event_type_filter: { in_values: [meter?.eventName ?? plan.eventName] },
    ...(filterKeys.length ? { property_filters: filterKeys.map((k) => ({ name: k, exists: true })) } : {}),
    aggregation_type: agg.aggregation,
    ...(agg.aggregationKey ? { aggregation_key: agg.aggregationKey } : {}),
    ...(groupKeys.length ? { group_keys: groupKeys } : {}),
  };
  for (const k of filterKeys) {
    // The value key is a role, so key usage does not measure it; its property counts the same events.
    const present = x.usage([k])?.present ?? props.get(k)?.present;
    if (present !== undefined && present < plan.events) {
      const lost = plan.events - present;
      flags.push({
        key: k,
        kind: 'missing-key',
        text: `${int(lost)} of ${int(plan.events)} ${plan.eventName} events (${pct(lost / plan.events)}) lack ${k}: the exists filter leaves them unbilled`,
      });
    }
  }
  const billed = billedShare(plan, filterKeys, x.usage);
  const insisted = x.insistedKeys.some((k) => groupKeys.flat().includes(k));
  return {
    eventName: plan.eventName,
    events: plan.events,
    basis: meter?.metronome ? 'stripe-meter' : 'profile',
    stripeMeterId: meter?.id || null,
    customerKey,
    sources: {
      eventName: meter ? 'stripe-meter' : 'profile',
      customer: meter ? 'stripe-meter' : 'profile',
      aggregation: meter?.metronome ? 'stripe-meter' : 'profile',
      groupKeys: insisted ? 'flag' : plan.source,
    },
    request,
    billed,
    why,
    flags,
  };
}

function groupKeysWhy(plan: GroupKeyPlan, groupKeys: string[][]): string {
  if (!groupKeys.length)
    return plan.source === 'stripe-meter' ? 'No group keys: the Stripe meter has no dimensions.' : 'No group keys: no key fits to price by (one price for all usage).';
  const list = groupKeys.map((g) => `[${g.join(', ')}]`).join(', ');
  return plan.source === 'stripe-meter'
    ? `Group keys ${list} from the Stripe meter's dimension_payload_keys.`
    : `Group keys ${list}: standalone keys for the pricing candidates${groupKeys.some((g) => g.length > 1) ? ', and the combined keys asked for' : ''}.`;
}

function billedShare(plan: GroupKeyPlan, filterKeys: string[], usage: (keys: string[]) => FilterCoverage | undefined): BilledShare | null {
  if (filterKeys.length === 0) return { events: plan.events, eventsShare: plan.events ? 1 : 0, value: plan.value, valueShare: plan.value ? 1 : 0 };
  const u = usage(filterKeys);
  if (!u) return null;
  return {
    events: u.present,
    eventsShare: plan.events ? u.present / plan.events : 0,
    value: u.value,
    valueShare: plan.value ? u.value / plan.value : 0,
  };
}

/** Metronome's rules for the request, as its create call enforces them; [] when it passes. */
export function requestProblems(r: MetricRequest): string[] {
  const problems: string[] = [];
  const filters = new Set((r.property_filters ?? []).filter((f) => f.exists === true).map((f) => f.name));
  if (!r.name) problems.push('no name');
  if (!r.event_type_filter?.in_values?.length) problems.push('no event_type_filter');
  if (r.aggregation_type === 'COUNT' && r.aggregation_key) problems.push('COUNT takes no aggregation_key');
  if (r.aggregation_type !== 'COUNT' && !r.aggregation_key) problems.push(`${r.aggregation_type} needs an aggregation_key`);
  if (r.aggregation_key && !filters.has(r.aggregation_key)) problems.push('The specified aggregation key must be one of the property filter names.');
  for (const k of (r.group_keys ?? []).flat()) if (!filters.has(k)) problems.push(`Group key '${k}' does not match one of the property filter names.`);
  return problems;
}
