/**
 * The group-key plan of one event name, after Metronome's group-key guidance (the public
 * metronome-group-keys skill): price only by keys present in (nearly) every event, one standalone
 * group key per dimension by default, combined keys only when asked (--compound-group-keys), keys that
 * grow with usage or identify entities only when the user insists (--group-key), and the measured
 * cardinality — in total and per customer — of every key proposed. A Stripe meter's own
 * dimension_payload_keys win over all of this. The result carries Metronome's confirmation table.
 */
import type { KeyUsage, PropertyProfile } from '../profile/model.js';
import type { StripeMeter } from '../stripe/meters.js';
import { METRONOME_GROUP_KEYS } from '../fit/limits.js';
import type { AdviceSettings, ConfirmationRow, DimensionScore, GroupKeyPlan, RowRole } from './model.js';
import { dropped, growthOf } from './score.js';
import { int } from '../util/format.js';

/** At most this many standalone pricing keys are proposed (the rest stay in the table as candidates). */
export const MAX_PRICING_CANDIDATES = 3;

export interface PlanInputs {
  eventName: string;
  events: number;
  value: number;
  props: PropertyProfile[];
  /** This name's scores, best first. */
  scores: DimensionScore[];
  usage: (keys: string[]) => KeyUsage | undefined;
  /** The Stripe meter billing this name (an active one first), if `profile --stripe` read one. */
  meter: StripeMeter | null;
  settings: AdviceSettings;
}

const same = (a: string[], b: string[]) => a.length === b.length && a.every((k, i) => k === b[i]);

export function planGroupKeys(x: PlanInputs): GroupKeyPlan {
  const has = new Set(x.props.map((p) => p.key));
  const insisted = x.settings.groupKeys.filter((k) => has.has(k));
  const pricingCandidates = x.scores.filter((s) => s.verdict === 'pricing candidate').map((s) => s.key);
  const notes: string[] = [];
  const groupKeys: string[][] = [];
  const add = (keys: string[]) => {
    if (keys.length && !groupKeys.some((g) => same(g, keys))) groupKeys.push(keys);
  };
  const fromMeter = x.meter !== null;
  let pricing: string[] = [];
  if (x.meter) {
    const dims = x.meter.dimensionKeys;
    add([...dims]);
    notes.push(
      dims.length
        ? `Group key [${dims.join(', ')}] from Stripe meter ${x.meter.id || x.meter.displayName}'s dimension_payload_keys (they tag usage together there).`
        : `Stripe meter ${x.meter.id || x.meter.displayName} has no dimension_payload_keys: one price, no group key (candidates are listed below).`,
    );
  } else {
    pricing = pricingCandidates.slice(0, MAX_PRICING_CANDIDATES);
    for (const k of pricing) add([k]);
    if (x.settings.compoundGroupKeys && pricing.length > 1) add([...pricing]);
    notes.push(
      pricing.length
        ? `Standalone group key${pricing.length === 1 ? '' : 's'} for ${pricing.join(', ')}: candidates, not known prices; keep the product's pricing_group_key to the keys that set the price.`
        : 'No key is present in every event with a small, spread-out set of values: no group key (one price).',
    );
  }
  for (const k of insisted) {
    add([k]);
    if (x.settings.compoundGroupKeys && pricing.length) add([...pricing, k]);
  }
  if (insisted.length) notes.push(`--group-key ${insisted.join(', ')}: kept as asked, with the cardinality and dropped events below.`);
  const missing = x.settings.groupKeys.filter((k) => !has.has(k));
  if (missing.length) notes.push(`--group-key ${missing.join(', ')}: no ${x.eventName} event carries ${missing.length === 1 ? 'it' : 'them'}.`);

  const inGroupKeys = new Set(groupKeys.flat());
  const role = (k: string): RowRole =>
    !inGroupKeys.has(k)
      ? 'none'
      : fromMeter && x.meter!.dimensionKeys.includes(k)
        ? 'stripe meter dimension'
        : insisted.includes(k)
          ? 'requested (--group-key)'
          : 'pricing candidate';
  const rowKeys = [...new Set([...x.scores.map((s) => s.key), ...inGroupKeys])];
  const rows = rowKeys.map((k) =>
    keyRow(
      x,
      k,
      role(k),
      x.scores.find((s) => s.key === k),
    ),
  );
  for (const g of groupKeys) if (g.length > 1) rows.push(compoundRow(x, g));
  return { eventName: x.eventName, events: x.events, value: x.value, source: fromMeter ? 'stripe-meter' : 'profile', pricingCandidates, groupKeys, rows, notes };
}

function keyRow(x: PlanInputs, key: string, role: RowRole, s: DimensionScore | undefined): ConfirmationRow {
  const u = x.usage([key]);
  const p = x.props.find((q) => q.key === key);
  const lost = u ? dropped(x.events, x.value, u.present, u.value) : (s?.dropped ?? null);
  const flags: string[] = [];
  const verdict = s?.verdict;
  if (verdict === 'near-constant' || verdict === 'identifier-like' || verdict === 'grows with usage') flags.push(verdict);
  if (u && u.perCustomer.max >= METRONOME_GROUP_KEYS.perCustomerValuesToFlag) flags.push('~1,000 values per customer');
  if (role !== 'none' && lost && lost.events > 0) flags.push('drops events');
  const unused = role === 'none' && verdict === 'pricing candidate' ? (x.meter ? ' (not a dimension of the Stripe meter)' : ' (beyond the first candidates)') : '';
  const reason = s ? s.reason + unused : `${p ? `${p.class}, ${int(p.distinct)} values` : 'not in these events'}`;
  return {
    dimension: [key],
    inGroupKeys: role !== 'none',
    role,
    cardinality: u ? u.distinct : (p?.distinct ?? null),
    perCustomer: u ? { ...u.perCustomer } : null,
    growsWithUsage: u ? growthOf(u).grows : null,
    dropped: lost,
    flags,
    reason,
  };
}

function compoundRow(x: PlanInputs, keys: string[]): ConfirmationRow {
  const u = x.usage(keys);
  const flags: string[] = [];
  if (u && u.distinct > METRONOME_GROUP_KEYS.combinedValuesToFlag) flags.push('> 1,000 combined values');
  if (u && u.perCustomer.max >= METRONOME_GROUP_KEYS.perCustomerValuesToFlag) flags.push('~1,000 values per customer');
  const lost = u ? dropped(x.events, x.value, u.present, u.value) : null;
  if (lost && lost.events > 0) flags.push('drops events');
  return {
    dimension: keys,
    inGroupKeys: true,
    role: 'compound',
    cardinality: u ? u.distinct : null,
    perCustomer: u ? { ...u.perCustomer } : null,
    growsWithUsage: u ? growthOf(u).grows : null,
    dropped: lost,
    flags,
    reason: u ? `${int(u.distinct)} combinations observed, up to ${int(u.perCustomer.max)} per customer (p99 ${int(u.perCustomer.p99)})` : 'combinations not measured',
  };
}
