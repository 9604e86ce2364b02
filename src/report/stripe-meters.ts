/**
 * Reads the optional `stripe` section that `profile --stripe` attaches to the report model (the Stripe
 * integration owns its shape). Only what the drafts and questionnaire need is read, tolerantly: the
 * Stripe API's own meter fields (default_aggregation.formula, customer_mapping.event_payload_key, …)
 * and camelCase summaries both work. Without the section everything here returns null / [].
 */

export type MetronomeAggregation = 'COUNT' | 'SUM' | 'LATEST' | 'MAX' | 'UNIQUE';

export interface StripeMeterInfo {
  id: string;
  displayName: string;
  eventName: string;
  status: string;
  /** Stripe aggregation formula: sum, count or last. */
  formula: string;
  customerKey: string | null;
  valueKey: string | null;
  dimensionKeys: string[];
  /** The Metronome aggregation the meter maps to (sum → SUM, count → COUNT, last → LATEST). */
  metronome: MetronomeAggregation | null;
}

/** Stripe formula → Metronome aggregation type. */
const FORMULA_TO_METRONOME: Record<string, MetronomeAggregation> = { sum: 'SUM', count: 'COUNT', last: 'LATEST' };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The first string found at any of the dotted paths. */
function str(o: Obj, ...paths: string[]): string | null {
  for (const p of paths) {
    let cur: unknown = o;
    for (const part of p.split('.')) cur = isObj(cur) ? cur[part] : undefined;
    if (typeof cur === 'string' && cur !== '') return cur;
  }
  return null;
}

function strings(o: Obj, ...keys: string[]): string[] {
  for (const k of keys) {
    const v = o[k];
    if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  }
  return [];
}

/** The meters of the model's `stripe` section, or null when the model has none. */
export function stripeMeters(model: unknown): StripeMeterInfo[] | null {
  if (!isObj(model) || !isObj(model.stripe)) return null;
  const raw = model.stripe.meters;
  if (!Array.isArray(raw)) return null;
  const out: StripeMeterInfo[] = [];
  for (const m of raw) {
    if (!isObj(m)) continue;
    const eventName = str(m, 'event_name', 'eventName');
    if (!eventName) continue;
    const formula = (str(m, 'default_aggregation.formula', 'aggregation', 'formula', 'aggregationFormula') ?? '').toLowerCase();
    const explicit = str(m, 'metronome_aggregation', 'metronomeAggregation', 'metronome.aggregation_type', 'metronome.aggregation');
    const metronome = (explicit?.toUpperCase() as MetronomeAggregation | undefined) ?? FORMULA_TO_METRONOME[formula] ?? null;
    out.push({
      id: str(m, 'id') ?? '',
      displayName: str(m, 'display_name', 'displayName') ?? eventName,
      eventName,
      status: str(m, 'status') ?? 'active',
      formula,
      customerKey: str(m, 'customer_mapping.event_payload_key', 'customerKey', 'customer_key'),
      valueKey: str(m, 'value_settings.event_payload_key', 'valueKey', 'value_key'),
      dimensionKeys: strings(m, 'dimension_payload_keys', 'dimensionKeys', 'dimension_keys'),
      metronome: metronome && ['COUNT', 'SUM', 'LATEST', 'MAX', 'UNIQUE'].includes(metronome) ? metronome : null,
    });
  }
  return out;
}

/** The meter billing an event name: an active one first, else any. */
export function meterFor(meters: StripeMeterInfo[] | null, eventName: string): StripeMeterInfo | null {
  if (!meters) return null;
  const all = meters.filter((m) => m.eventName === eventName);
  return all.find((m) => m.status === 'active') ?? all[0] ?? null;
}
