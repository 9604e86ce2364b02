/**
 * Stripe Billing Meters: read every page through the API (or from a saved `stripe meters --json`
 * file) and normalize each to the fields this tool uses.
 */
import { UserError } from '../errors.js';
import { readJsonFile } from '../util/json-file.js';
import type { StripeReader } from './client.js';
import { metronomeAggregationFor, type MetronomeAggregation, type MetronomeAggregationType } from './metronome.js';

/** Stripe's defaults when a meter does not override the payload keys. */
const DEFAULT_CUSTOMER_KEY = 'stripe_customer_id';
const DEFAULT_VALUE_KEY = 'value';

export interface StripeMeter {
  id: string;
  displayName: string;
  eventName: string;
  /** active | inactive */
  status: string;
  /** default_aggregation.formula: sum | count | last */
  formula: string;
  /** customer_mapping.event_payload_key */
  customerKey: string;
  /** value_settings.event_payload_key */
  valueKey: string;
  /** Pre-aggregation window (hour | day) or null. */
  eventTimeWindow: string | null;
  /** dimension_payload_keys, where the API returns them (meter dimensions are a preview feature). */
  dimensionKeys: string[];
  livemode: boolean;
  /** metronome.aggregationType, repeated at the top level of the JSON output for readers of `stripe meters --json`. */
  metronomeAggregation: MetronomeAggregationType | null;
  metronome: MetronomeAggregation | null;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** A meter's fields as one input shape spells them, before defaults. */
interface MeterFields {
  id: unknown;
  displayName: unknown;
  eventName: unknown;
  status: unknown;
  formula: unknown;
  customerKey: unknown;
  valueKey: unknown;
  eventTimeWindow: unknown;
  dimensionKeys: unknown;
  livemode: unknown;
}

/** A Billing Meter object as the Stripe API returns it (snake_case, nested settings). */
function fromStripeApi(raw: Obj): MeterFields {
  const inner = (v: unknown): Obj => (isObj(v) ? v : {});
  return {
    id: raw.id,
    displayName: raw.display_name,
    eventName: raw.event_name,
    status: raw.status,
    formula: inner(raw.default_aggregation).formula,
    customerKey: inner(raw.customer_mapping).event_payload_key,
    valueKey: inner(raw.value_settings).event_payload_key,
    eventTimeWindow: raw.event_time_window,
    dimensionKeys: raw.dimension_payload_keys,
    livemode: raw.livemode,
  };
}

/** This tool's own JSON of a meter (`stripe meters --json`: the StripeMeter fields). */
function fromOwnJson(raw: Obj): MeterFields {
  const { id, displayName, eventName, status, formula, customerKey, valueKey, eventTimeWindow, dimensionKeys, livemode } = raw;
  return { id, displayName, eventName, status, formula, customerKey, valueKey, eventTimeWindow, dimensionKeys, livemode };
}

/**
 * One meter, from the Stripe API object or from this tool's own JSON (`stripe meters --json`, the
 * StripeMeter fields, told apart by its `eventName`); Stripe's defaults fill what a meter leaves out.
 */
export function normalizeMeter(raw: unknown): StripeMeter {
  if (!isObj(raw)) throw new Error('a meter must be an object');
  const f = 'eventName' in raw ? fromOwnJson(raw) : fromStripeApi(raw);
  const id = text(f.id);
  const eventName = text(f.eventName);
  if (!id || !eventName) throw new Error('a meter needs an id and an event_name');
  const base = {
    id,
    displayName: text(f.displayName) ?? eventName,
    eventName,
    status: text(f.status) ?? 'active',
    formula: (text(f.formula) ?? '').toLowerCase(),
    customerKey: text(f.customerKey) ?? DEFAULT_CUSTOMER_KEY,
    valueKey: text(f.valueKey) ?? DEFAULT_VALUE_KEY,
    eventTimeWindow: text(f.eventTimeWindow),
    dimensionKeys: Array.isArray(f.dimensionKeys) ? f.dimensionKeys.filter((d): d is string => typeof d === 'string') : [],
    livemode: f.livemode === true,
  };
  const metronome = metronomeAggregationFor(base);
  return { ...base, metronomeAggregation: metronome?.aggregationType ?? null, metronome };
}

const PAGE_SIZE = 100;
/** A bound on pages so a misbehaving server cannot loop us forever (100,000 meters). */
const MAX_PAGES = 1000;

/** Every meter on the account, all pages, in the API's order. */
export async function listMeters(reader: StripeReader): Promise<StripeMeter[]> {
  const out: StripeMeter[] = [];
  let after: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await reader.call('listing Billing Meters', (s) => s.billing.meters.list({ limit: PAGE_SIZE, ...(after ? { starting_after: after } : {}) }));
    for (const m of res.data) out.push(normalizeMeter(m));
    if (!res.has_more || res.data.length === 0) return out;
    after = res.data[res.data.length - 1].id;
  }
  throw new UserError(`Stripe returned more than ${MAX_PAGES} pages of meters; stopping`);
}

/**
 * Meters from a file: the output of `meterscope stripe meters --json`, a Stripe list object
 * ({object:'list', data:[…]}), or an array of meter objects.
 */
export function readMetersFile(file: string): StripeMeter[] {
  const raw = readJsonFile('--meters', file);
  const list = Array.isArray(raw) ? raw : isObj(raw) && Array.isArray(raw.data) ? raw.data : isObj(raw) && Array.isArray(raw.meters) ? raw.meters : null;
  if (!list) throw new UserError(`--meters: ${file} holds no list of meters (expected the output of \`meterscope stripe meters --json\`)`);
  return list.map((m, i) => {
    try {
      return normalizeMeter(m);
    } catch (err) {
      throw new UserError(`--meters: ${file}: meter #${i + 1}: ${(err as Error).message}`);
    }
  });
}

/** The meter an event name is billed by: the active one, else none (an inactive meter bills nothing). */
export function meterByEventName(meters: StripeMeter[]): { active: Map<string, StripeMeter>; inactive: Map<string, StripeMeter> } {
  const active = new Map<string, StripeMeter>();
  const inactive = new Map<string, StripeMeter>();
  for (const m of meters) {
    const into = m.status === 'active' ? active : inactive;
    if (!into.has(m.eventName)) into.set(m.eventName, m);
  }
  return { active, inactive };
}
