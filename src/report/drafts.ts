/**
 * Billable-metric drafts: for each event name, a proposed Metronome billable metric in the shape of the
 * create-billable-metric request (POST /v1/billable-metrics/create, typed by @metronome/sdk), derived
 * from the profile — and from the Stripe meter when `profile --stripe` attached one — with the reasons
 * and the warnings a person should read before creating it (group keys cannot be edited afterwards).
 */
import type { BillableMetricCreateParams } from '@metronome/sdk/resources/v1/billable-metrics';
import type { EventNameRate, ProfileReport, PropertyProfile } from '../profile/model.js';
import { dec, int, pct } from './format.js';
import type { StripeMeter } from '../stripe/meters.js';
import type { MetronomeAggregationType } from '../stripe/metronome.js';

export type MetricRequest = BillableMetricCreateParams;

export interface DraftFlag {
  /** The payload key the flag is about (null: the metric as a whole). */
  key: string | null;
  kind: 'identifier-like' | 'missing-key' | 'non-numeric' | 'negative' | 'gauge-guess' | 'stripe-mismatch' | 'many-combinations';
  text: string;
}

export interface MetricDraft {
  eventName: string;
  events: number;
  /** 'stripe-meter': the aggregation comes from the Stripe meter; 'profile': inferred from the payloads. */
  basis: 'stripe-meter' | 'profile';
  stripeMeterId: string | null;
  /** The request body for POST /v1/billable-metrics/create. */
  request: MetricRequest;
  /** Why each choice was made, one sentence each. */
  why: string[];
  /** What to check before creating it. */
  flags: DraftFlag[];
}

/** A value key is treated as numeric when at least this share of its values are numbers. */
const NUMERIC_VALUE_MIN_SHARE = 0.5;
/** A group key with more distinct values than this is flagged even when not classed identifier-like. */
const GROUP_KEY_MAX_DISTINCT = 1000;
/** A compound group key with more combinations than this is flagged. */
const GROUP_KEY_MAX_COMBINATIONS = 10_000;

/**
 * Names that read as a level reported repeatedly (a snapshot gauge: storage in use, seats, active nodes)
 * rather than an increment. A guess from the name only, always flagged for review.
 */
const GAUGE_NAME =
  /(^|[^a-z])(gauge|snapshot|level|balance|seats?|active|current|concurrent|inventory|capacity|allocated|provisioned|storage|gb|gib|tb|tib|instances?|nodes?|licen[cs]es?)([^a-z]|$)/i;

export function isGaugeName(...names: string[]): boolean {
  return names.some((n) => GAUGE_NAME.test(n));
}

export function billableMetricDrafts(r: ProfileReport): MetricDraft[] {
  // The meter billing an event name: the active one, else an inactive one (its formula still says what was meant).
  const meters = r.stripe?.meters ?? [];
  const meterOf = (name: string) => meters.find((m) => m.eventName === name && m.status === 'active') ?? meters.find((m) => m.eventName === name) ?? null;
  return r.eventNames.map((n) => draftFor(r, n, meterOf(n.name)));
}

function draftFor(r: ProfileReport, name: EventNameRate, meter: StripeMeter | null): MetricDraft {
  const props = new Map(r.properties.filter((p) => p.eventName === name.name).map((p) => [p.key, p]));
  const design = r.dimensionCandidates.find((d) => d.eventName === name.name)?.design;
  const customerKey = meter?.customerKey ?? r.settings.customerKey;
  const valueKey = meter?.valueKey ?? r.settings.valueKey;
  const valueProp = props.get(valueKey);
  const why: string[] = [];
  const flags: DraftFlag[] = [];

  // ---- aggregation
  let aggregation: MetronomeAggregationType;
  let aggregationKey: string | undefined;
  if (meter?.metronome) {
    aggregation = meter.metronome.aggregationType;
    aggregationKey = aggregation === 'COUNT' ? undefined : valueKey;
    why.push(`Stripe meter ${meter.id || meter.displayName} aggregates with "${meter.formula}", which maps to ${aggregation}${aggregationKey ? ` over ${aggregationKey}` : ''}.`);
    if (aggregationKey && (!valueProp || valueProp.numericShare < 1)) {
      flags.push({
        key: valueKey,
        kind: 'stripe-mismatch',
        text: valueProp
          ? `the meter aggregates ${valueKey}, but only ${pct(valueProp.numericShare)} of its values are numeric`
          : `the meter aggregates ${valueKey}, but no ${name.name} event carries it`,
      });
    }
  } else if (valueProp && valueProp.numeric && valueProp.numericShare >= NUMERIC_VALUE_MIN_SHARE) {
    const num = valueProp.numeric;
    if (num.min === 1 && num.max === 1) {
      aggregation = 'COUNT';
      why.push(`Every ${valueKey} is 1, so COUNT equals SUM and needs no aggregation key.`);
    } else if (isGaugeName(name.name, valueKey)) {
      aggregation = 'MAX';
      aggregationKey = valueKey;
      why.push(`${valueKey} is numeric (${dec(num.min)}…${dec(num.max)}) and the name reads as a level reported repeatedly, so MAX over the period (not SUM, which would add up repeated snapshots).`);
      flags.push({
        key: valueKey,
        kind: 'gauge-guess',
        text: 'snapshot-gauge guess from the name only: use LATEST to bill the last reported level, or SUM if each event is an increment',
      });
    } else {
      aggregation = 'SUM';
      aggregationKey = valueKey;
      why.push(`${valueKey} is numeric in ${pct(valueProp.numericShare)} of events (${dec(num.min)}…${dec(num.max)}, mean ${dec(num.mean)}), so SUM over it.`);
    }
    if (aggregationKey && valueProp.numericShare < 1) {
      const bad = valueProp.present - num.count;
      flags.push({ key: valueKey, kind: 'non-numeric', text: `${int(bad)} events carry a non-numeric ${valueKey}: Metronome cannot aggregate them` });
    }
    if (aggregationKey && num.min < 0) {
      flags.push({ key: valueKey, kind: 'negative', text: `${valueKey} goes down to ${dec(num.min)}: check whether negative values are corrections or credits` });
    }
  } else {
    aggregation = 'COUNT';
    why.push(
      valueProp
        ? `${valueKey} is numeric in only ${pct(valueProp.numericShare)} of events, so COUNT of events.`
        : `No ${valueKey} key in these events, so COUNT of events.`,
    );
  }

  // ---- group keys: presentation keys first, then pricing keys (Metronome's order for a combined key)
  const groupKey = (design?.metronome.groupKey ?? []).filter((k) => k !== customerKey && k !== aggregationKey);
  const pricing = (design?.metronome.pricingGroupKey ?? []).filter((k) => groupKey.includes(k));
  const presentation = (design?.metronome.presentationGroupKey ?? []).filter((k) => groupKey.includes(k));
  const groupKeys: string[][] = [];
  if (groupKey.length) {
    groupKeys.push(groupKey);
    if (presentation.length && pricing.length) groupKeys.push(pricing);
    why.push(
      `Group key [${groupKey.join(', ')}] from the dimension candidates` +
        (pricing.length ? `: price by ${pricing.join(', ')}` : '') +
        (presentation.length ? `${pricing.length ? ';' : ':'} break invoices out by ${presentation.join(', ')}` : '') +
        (groupKeys.length > 1 ? `; [${pricing.join(', ')}] alone too, for products priced without the breakdown` : '') +
        '.',
    );
  } else {
    why.push('No dimension candidates: no group keys (one price for all usage).');
  }
  why.push(`The customer (${customerKey}) becomes the event's customer_id, not a property.`);

  for (const k of groupKey) {
    const p = props.get(k);
    if (p) flagKey(flags, p, presentation.includes(k));
  }
  if (groupKey.length > 1) {
    const cand = r.dimensionCandidates
      .find((d) => d.eventName === name.name)
      ?.candidates.find((c) => c.keys.length === groupKey.length && groupKey.every((k) => c.keys.includes(k)));
    const bound = groupKey.reduce((a, k) => a * (props.get(k)?.distinct ?? 1), 1);
    const combos = cand?.combinations ?? bound;
    if (combos > GROUP_KEY_MAX_COMBINATIONS) {
      flags.push({
        key: null,
        kind: 'many-combinations',
        text: `[${groupKey.join(', ')}] has ${cand ? '' : 'up to '}${int(combos)} value combinations: that many usage buckets per customer`,
      });
    }
  }

  // ---- filters: Metronome requires an exists filter for the aggregation key and every group key
  const filterKeys = [...new Set([...(aggregationKey ? [aggregationKey] : []), ...groupKey])];
  for (const k of filterKeys) {
    const p = props.get(k);
    const present = p?.present ?? 0;
    if (present < name.count) {
      flags.push({
        key: k,
        kind: 'missing-key',
        text: `${int(name.count - present)} of ${int(name.count)} ${name.name} events (${pct(1 - present / name.count)}) lack ${k}: the exists filter leaves them out of this metric`,
      });
    }
  }

  const request: MetricRequest = {
    name: meter?.displayName ?? name.name,
    event_type_filter: { in_values: [name.name] },
    ...(filterKeys.length ? { property_filters: filterKeys.map((k) => ({ name: k, exists: true })) } : {}),
    aggregation_type: aggregation,
    ...(aggregationKey ? { aggregation_key: aggregationKey } : {}),
    ...(groupKeys.length ? { group_keys: groupKeys } : {}),
  };
  return {
    eventName: name.name,
    events: name.count,
    basis: meter?.metronome ? 'stripe-meter' : 'profile',
    stripeMeterId: meter?.id || null,
    request,
    why,
    flags,
  };
}

function flagKey(flags: DraftFlag[], p: PropertyProfile, presentation: boolean): void {
  if (p.class !== 'identifier-like' && p.distinct <= GROUP_KEY_MAX_DISTINCT) return;
  const count = `${p.distinctExact ? '' : '≈'}${int(p.distinct)} distinct values in ${int(p.present)} events`;
  flags.push({
    key: p.key,
    kind: 'identifier-like',
    text: presentation
      ? `${p.key} is identifier-like (${count}): fine for breaking invoices out, never as a price; each value is its own usage bucket`
      : `${p.key} is identifier-like (${count}): a price per value would be unmaintainable; make it a presentation key or drop it`,
  });
}

/** One-line JSON with a space after commas and colons (strings are left exactly as JSON.stringify writes them). */
function inlineJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inlineJson).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${inlineJson(v)}`).join(', ')} }`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The request body as JSON, two-space indented, with short arrays and objects kept on one line. */
export function draftJson(value: unknown, indent = '', width = 76): string {
  const inline = inlineJson(value);
  if (typeof value !== 'object' || value === null || (indent !== '' && inline.length + indent.length <= width)) return inline;
  const inner = `${indent}  `;
  if (Array.isArray(value)) return `[\n${value.map((v) => inner + draftJson(v, inner, width)).join(',\n')}\n${indent}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${draftJson(v, inner, width)}`).join(',\n')}\n${indent}}`;
}
