/**
 * Dimension candidates per event name: the best single keys, all pairs and triples of them (with
 * combination counts from properties.countCompounds), and a meter design mapped onto Stripe's
 * dimension-key limit and Metronome's pricing/presentation group keys.
 */
import { STRIPE_DIMENSION_KEY_LIMIT } from '../fit/limits.js';
import { cardinalityFit } from './classify.js';
import type { DimensionCandidate, EventDimensionCandidates, MeterDesign, PropertyProfile } from './model.js';
import { itemId, type ItemCount } from './properties.js';

/** Singles combined into pairs and triples. */
export const MAX_COMPOUND_SINGLES = 5;
/** Simplicity: each key beyond the first multiplies the score by this. */
const EXTRA_KEY_FACTOR = 0.9;
/** A compound whose keys determine each other is worth this much less. */
const REDUNDANT_FACTOR = 0.5;
/** Pricing keys: at least this single score and at most this many values. */
const PRICING_MIN_SCORE = 0.5;
const PRICING_MAX_DISTINCT = 100;
const MAX_PRICING_KEYS = 3;
/** Presentation keys: present in at least half the events, values repeat (distinct ≤ half of present). */
const PRESENTATION_MIN_PRESENCE = 0.5;
const PRESENTATION_MAX_UNIQUENESS = 0.5;
const MAX_PRESENTATION_KEYS = 2;

const pct = (x: number) => `${Math.round(x * 100)}%`;
const fmt = (n: number) => n.toLocaleString('en-US');

/** Keys that may be dimensions: class dimension and not the meter's customer/value mapping. */
export function singleCandidates(props: PropertyProfile[]): PropertyProfile[] {
  return props
    .filter((p) => p.class === 'dimension' && p.role === null)
    .sort((a, b) => singleScore(b) - singleScore(a) || a.distinct - b.distinct || cmp(a.key, b.key));
}

export const singleScore = (p: Pick<PropertyProfile, 'presence' | 'distinct'>) => p.presence * cardinalityFit(p.distinct);

/** All pairs and triples of the best singles (keys sorted within each compound). */
export function compoundsOf(singles: string[]): string[][] {
  const best = singles.slice(0, MAX_COMPOUND_SINGLES);
  const out: string[][] = [];
  for (let i = 0; i < best.length; i++) {
    for (let j = i + 1; j < best.length; j++) {
      out.push([best[i], best[j]].sort(cmp));
      for (let k = j + 1; k < best.length; k++) out.push([best[i], best[j], best[k]].sort(cmp));
    }
  }
  return out;
}

export function buildCandidates(
  eventName: string,
  events: number,
  props: PropertyProfile[],
  counts: Map<string, ItemCount>,
): EventDimensionCandidates {
  const singles = singleCandidates(props);
  const byKey = new Map(props.map((p) => [p.key, p]));
  const candidates: DimensionCandidate[] = singles.map((p) => ({
    keys: [p.key],
    kind: 'single',
    combinations: p.distinct,
    present: p.present,
    presence: p.presence,
    crossProduct: p.distinct,
    redundant: false,
    score: singleScore(p),
    reason: singleReason(p),
  }));
  for (const keys of compoundsOf(singles.map((s) => s.key))) {
    const c = counts.get(itemId(eventName, keys));
    if (!c) continue;
    const distincts = keys.map((k) => byKey.get(k)!.distinct);
    const crossProduct = distincts.reduce((a, b) => a * b, 1);
    const largest = Math.max(...distincts);
    const redundant = c.distinct <= largest;
    const presence = events ? c.present / events : 0;
    const score =
      presence * cardinalityFit(c.distinct) * EXTRA_KEY_FACTOR ** (keys.length - 1) * (redundant ? REDUNDANT_FACTOR : 1);
    let reason = `${fmt(c.distinct)} of ${fmt(crossProduct)} possible combinations, all keys in ${pct(presence)} of events`;
    if (redundant) reason += `; redundant: '${keys[distincts.indexOf(largest)]}' determines the others`;
    else if (c.distinct === crossProduct) reason += '; independent keys';
    if (c.distinct > 100) reason += '; many rates to maintain';
    candidates.push({
      keys,
      kind: keys.length === 2 ? 'pair' : 'triple',
      combinations: c.distinct,
      present: c.present,
      presence,
      crossProduct,
      redundant,
      score,
      reason,
    });
  }
  candidates.sort((a, b) => b.score - a.score || a.keys.length - b.keys.length || cmp(a.keys.join('\u0000'), b.keys.join('\u0000')));
  return { eventName, events, candidates, design: designFor(props, singles, candidates) };
}

function singleReason(p: PropertyProfile): string {
  let r = `${fmt(p.distinct)} values in ${pct(p.presence)} of events`;
  if (p.distinct > PRICING_MAX_DISTINCT) r += '; many values: a presentation key rather than a price';
  else if (p.presence < 0.5) r += '; often missing';
  else if (p.presence < 0.95) r += '; missing in some events (they would need a default)';
  else r += '; good pricing key';
  return r;
}

function designFor(props: PropertyProfile[], singles: PropertyProfile[], candidates: DimensionCandidate[]): MeterDesign {
  const pricingKeys: string[] = [];
  for (const s of singles) {
    if (pricingKeys.length >= MAX_PRICING_KEYS) break;
    if (singleScore(s) < PRICING_MIN_SCORE || s.distinct > PRICING_MAX_DISTINCT) continue;
    // Skip a key that a chosen key already determines (or that determines one): it adds no price points.
    const redundantWithChosen = pricingKeys.some((k) =>
      candidates.some((c) => c.kind === 'pair' && c.redundant && c.keys.includes(k) && c.keys.includes(s.key)),
    );
    if (!redundantWithChosen) pricingKeys.push(s.key);
  }
  const presentationKeys = props
    .filter(
      (p) =>
        p.role === null &&
        !pricingKeys.includes(p.key) &&
        (p.class === 'identifier-like' || (p.class === 'dimension' && p.distinct > PRICING_MAX_DISTINCT)) &&
        p.presence >= PRESENTATION_MIN_PRESENCE &&
        p.present > 0 &&
        p.distinct / p.present <= PRESENTATION_MAX_UNIQUENESS,
    )
    .sort((a, b) => b.presence - a.presence || a.distinct - b.distinct || cmp(a.key, b.key))
    .slice(0, MAX_PRESENTATION_KEYS)
    .map((p) => p.key);

  const keysNeeded = pricingKeys.length + presentationKeys.length;
  const all = [...presentationKeys, ...pricingKeys];
  const list = (keys: string[]) => (keys.length ? keys.map((k) => `'${k}'`).join(', ') : 'none');
  const stripeFits = keysNeeded <= STRIPE_DIMENSION_KEY_LIMIT;
  const stripeNote =
    keysNeeded === 0
      ? 'no dimension keys needed'
      : stripeFits
        ? `dimension keys ${list(all)} fit the ${STRIPE_DIMENSION_KEY_LIMIT}-key limit`
        : `needs ${keysNeeded} dimension keys (${list(all)}) but a Stripe meter takes ${STRIPE_DIMENSION_KEY_LIMIT}: ` +
          'split into several meters (one per value of a pricing key) or drop a presentation key';
  const metronomeNote =
    keysNeeded === 0
      ? 'no group keys needed'
      : `group key [${all.join(', ')}]: pricing group key [${pricingKeys.join(', ')}], ` +
        `presentation group key [${presentationKeys.join(', ')}]; group keys cannot be edited once the metric exists`;
  return {
    pricingKeys,
    presentationKeys,
    stripe: { dimensionKeyLimit: STRIPE_DIMENSION_KEY_LIMIT, keysNeeded, fits: stripeFits, note: stripeNote },
    metronome: { groupKey: all, pricingGroupKey: pricingKeys, presentationGroupKey: presentationKeys, note: metronomeNote },
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
