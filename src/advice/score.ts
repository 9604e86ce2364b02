/**
 * How good a payload key is to price by. The score multiplies what makes a key usable as a price:
 * it is present (events without it are dropped by Metronome's exists filter), it has a small fixed
 * set of values (cardinality fit), its usage is spread over them (a key whose top value holds ≥ 95 %
 * is near-constant: one price in practice), and its values do not keep appearing as volume grows.
 * The verdict is the first rule that fails, in the order of KeyVerdict; the reason says it in numbers.
 */
import type { KeyUsage, PropertyProfile } from '../profile/model.js';
import { cardinalityFit } from '../profile/classify.js';
import { METRONOME_GROUP_KEYS } from '../fit/limits.js';
import { keyItemId } from '../profile/key-usage.js';
import type { DimensionScore, Dropped, KeyVerdict } from './model.js';
import { int, pct } from '../util/format.js';

/** A pricing candidate is present in at least this share of its name's events (Metronome drops the rest). */
export const PRICING_MIN_PRESENCE = 0.999;
/** One value in at least this share of the events carrying the key: near-constant. */
export const NEAR_CONSTANT_SHARE = 0.95;
/** Evenness is full when the top value holds at most 1 − this much. */
const EVEN_ENOUGH = 0.2;
/** A key grows with usage when at least this many values, and this share of all, first appear after the median time. */
const GROWTH_MIN_NEW = 5;
const GROWTH_MIN_SHARE = 0.1;
const GROWTH_FACTOR = 0.1;
/** More values than this: not a price list anyone maintains. */
const PRICING_MAX_DISTINCT = 100;

export function dropped(events: number, totalValue: number, present: number, presentValue: number): Dropped {
  const value = totalValue - presentValue;
  return {
    events: events - present,
    eventsShare: events ? (events - present) / events : 0,
    value,
    valueShare: totalValue ? value / totalValue : 0,
  };
}

/** New values after the median time, and whether that means the key grows with usage. */
export function growthOf(u: Pick<KeyUsage, 'distinct' | 'firstHalfDistinct'> | undefined): { fresh: number | null; grows: boolean } {
  if (!u) return { fresh: null, grows: false };
  const fresh = u.distinct - u.firstHalfDistinct;
  return { fresh, grows: fresh >= GROWTH_MIN_NEW && fresh >= GROWTH_MIN_SHARE * u.distinct };
}

/** 1 when the top value holds ≤ 80 %, falling linearly to 0 at 100 %. */
export const evenness = (topShare: number) => Math.min(1, Math.max(0, (1 - topShare) / EVEN_ENOUGH));

export interface NameTotals {
  events: number;
  value: number;
}

export function scoreKey(p: PropertyProfile, usage: KeyUsage | undefined, totals: NameTotals): DimensionScore {
  const top = p.topValues[0];
  const topShare = top ? top.share : 0;
  const { fresh, grows } = growthOf(usage);
  const perCustomerMax = usage ? usage.perCustomer.max : null;
  const lost = dropped(totals.events, totals.value, p.present, usage ? usage.value : totals.value * p.presence);
  const score = p.distinct <= 1 ? 0 : p.presence * cardinalityFit(p.distinct) * evenness(topShare) * (grows ? GROWTH_FACTOR : 1);
  const verdict = verdictOf(p, topShare, grows, perCustomerMax);
  return {
    eventName: p.eventName,
    key: p.key,
    score,
    verdict,
    presence: p.presence,
    dropped: lost,
    distinct: p.distinct,
    topShare,
    newInSecondHalf: fresh,
    growsWithUsage: grows,
    perCustomerMax,
    reason: reasonOf(p, verdict, { topShare, top: top?.value, fresh, perCustomerMax, lost }),
  };
}

function verdictOf(p: PropertyProfile, topShare: number, grows: boolean, perCustomerMax: number | null): KeyVerdict {
  if (p.distinct <= 1) return 'constant';
  if (topShare >= NEAR_CONSTANT_SHARE) return 'near-constant';
  if (p.class === 'identifier-like') return 'identifier-like';
  if (grows) return 'grows with usage';
  if (p.distinct > PRICING_MAX_DISTINCT || p.class !== 'dimension') return 'too many values';
  if (perCustomerMax !== null && perCustomerMax >= METRONOME_GROUP_KEYS.perCustomerValuesToFlag) return 'many values per customer';
  if (p.presence < PRICING_MIN_PRESENCE) return 'too sparse';
  return 'pricing candidate';
}

interface ReasonFacts {
  topShare: number;
  top: string | undefined;
  fresh: number | null;
  perCustomerMax: number | null;
  lost: Dropped;
}

function reasonOf(p: PropertyProfile, verdict: KeyVerdict, f: ReasonFacts): string {
  const values = `${p.distinctExact ? '' : '≈'}${int(p.distinct)} value${p.distinct === 1 ? '' : 's'} in ${pct(p.presence)} of events`;
  switch (verdict) {
    case 'constant':
      return `${values}: constant, nothing to price by`;
    case 'near-constant':
      return `${values}, top value ${f.top ?? ''} in ${pct(f.topShare)}: near-constant, one price in practice`;
    case 'identifier-like':
      return `${values}: identifier-like, never a price`;
    case 'grows with usage':
      return `${values}, ${int(f.fresh ?? 0)} first seen after the median time: grows with usage`;
    case 'too many values':
      return `${values}: too many values to price by`;
    case 'many values per customer':
      return `${values}, up to ${int(f.perCustomerMax ?? 0)} per customer: ~1,000 per customer is Metronome's flag`;
    case 'too sparse':
      return `${values}: an exists filter drops ${int(f.lost.events)} events (${pct(f.lost.eventsShare)}) and ${pct(f.lost.valueShare)} of value`;
    default:
      return `${values}, top value ${pct(f.topShare)}: a pricing candidate`;
  }
}

/** Keys that may be dimensions, scored, best first (ties: fewer values, then key). */
export function scoreKeys(props: PropertyProfile[], usage: Map<string, KeyUsage>, totals: Map<string, NameTotals>): DimensionScore[] {
  return props
    .filter((p) => p.role === null && (p.class === 'dimension' || p.class === 'identifier-like' || p.class === 'constant'))
    .map((p) => scoreKey(p, usage.get(keyItemId({ eventName: p.eventName, keys: [p.key] })), totals.get(p.eventName) ?? { events: p.events, value: 0 }))
    .sort((a, b) => cmp(a.eventName, b.eventName) || b.score - a.score || a.distinct - b.distinct || cmp(a.key, b.key));
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
