/**
 * Dimension candidates per event name: the payload keys that may be dimensions, scored by how good
 * they are to price by (src/advice/score.ts), and all pairs and triples of the best ones that are
 * not near-constant and do not grow with usage (with combination counts from
 * properties.countCompounds). The group-key plan built from them lives in the advice section.
 */
import { cardinalityFit } from './classify.js';
import type { DimensionCandidate, EventDimensionCandidates, PropertyProfile } from './model.js';
import { itemId, type ItemCount } from './properties.js';
import { evenness } from '../advice/score.js';
import type { DimensionScore } from '../advice/model.js';

/** Singles combined into pairs and triples. */
export const MAX_COMPOUND_SINGLES = 5;
/** Simplicity: each key beyond the first multiplies the score by this. */
const EXTRA_KEY_FACTOR = 0.9;
/** A compound whose keys determine each other is worth this much less. */
const REDUNDANT_FACTOR = 0.5;
/** Singles whose verdict keeps them out of compounds. */
const NOT_COMBINED = new Set(['constant', 'near-constant', 'grows with usage', 'identifier-like']);

const pct = (x: number) => `${Math.round(x * 100)}%`;
const fmt = (n: number) => n.toLocaleString('en-US');

/** Keys that may be dimensions (class dimension, not the customer/value mapping), best score first. */
export function singleCandidates(props: PropertyProfile[], scores: DimensionScore[]): PropertyProfile[] {
  const score = (p: PropertyProfile) => scores.find((s) => s.eventName === p.eventName && s.key === p.key)?.score ?? 0;
  return props.filter((p) => p.class === 'dimension' && p.role === null).sort((a, b) => score(b) - score(a) || a.distinct - b.distinct || cmp(a.key, b.key));
}

/** The singles that may be combined: not near-constant, not growing with usage. */
export function combinable(singles: PropertyProfile[], scores: DimensionScore[]): string[] {
  const verdict = (p: PropertyProfile) => scores.find((s) => s.eventName === p.eventName && s.key === p.key)?.verdict;
  return singles.filter((p) => !NOT_COMBINED.has(verdict(p) ?? 'constant')).map((p) => p.key);
}

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
  scores: DimensionScore[],
): EventDimensionCandidates {
  const singles = singleCandidates(props, scores);
  const byKey = new Map(props.map((p) => [p.key, p]));
  const scoreOf = new Map(scores.filter((s) => s.eventName === eventName).map((s) => [s.key, s]));
  const candidates: DimensionCandidate[] = singles.map((p) => ({
    keys: [p.key],
    kind: 'single',
    combinations: p.distinct,
    present: p.present,
    presence: p.presence,
    crossProduct: p.distinct,
    redundant: false,
    score: scoreOf.get(p.key)?.score ?? 0,
    reason: scoreOf.get(p.key)?.reason ?? '',
  }));
  for (const keys of compoundsOf(combinable(singles, scores))) {
    const c = counts.get(itemId(eventName, keys));
    if (!c) continue;
    const distincts = keys.map((k) => byKey.get(k)!.distinct);
    const crossProduct = distincts.reduce((a, b) => a * b, 1);
    const largest = Math.max(...distincts);
    const redundant = c.distinct <= largest;
    const presence = events ? c.present / events : 0;
    // A compound is as uneven as its most uneven key.
    const even = Math.min(...keys.map((k) => evenness(scoreOf.get(k)?.topShare ?? 0)));
    const score = presence * cardinalityFit(c.distinct) * even * EXTRA_KEY_FACTOR ** (keys.length - 1) * (redundant ? REDUNDANT_FACTOR : 1);
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
  return { eventName, events, candidates };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
