/**
 * Classifies a payload key from its statistics. Pure rules, thresholds named here and documented in
 * docs/json-report.md ("Property classes"); the first rule that matches wins.
 */
import type { PropertyClass } from './model.js';

/** At most this many distinct values for a dimension. */
const DIMENSION_MAX_DISTINCT = 1000;
/** distinct ÷ present at or above this (with enough events) means near-unique: an identifier. */
const NEAR_UNIQUE_RATIO = 0.9;
const NEAR_UNIQUE_MIN_PRESENT = 20;
/** A numeric key with more distinct values than this is a measure, not a code. */
const MEASURE_MIN_DISTINCT = 100;
const MEASURE_MIN_NUMERIC_SHARE = 0.95;
/** Text with a space in at least this share of values, or this long on average, reads as free text. */
const FREE_TEXT_SPACE_SHARE = 0.5;
const FREE_TEXT_MIN_AVG_LENGTH = 64;
const FREE_TEXT_MIN_DISTINCT = 100;
/** Key names that hold ids: never measures, and identifiers beyond a few dozen values (user_id, project_id). */
export const isIdName = (key: string) => /(^|[_\-.])(id|ids|uuid|guid|key)$/i.test(key) || /[a-z](Id|ID|Uuid)$/.test(key);
const ID_NAMED_MAX_DIMENSION = 50;

export interface ClassInput {
  key: string;
  present: number;
  distinct: number;
  numericShare: number;
  /** Share of present values that are JSON objects or arrays. */
  objectShare: number;
  /** Share of present values whose text contains a space. */
  spaceShare: number;
  avgLength: number;
  role: 'customer' | 'value' | null;
}

export function classify(s: ClassInput): { class: PropertyClass; reason: string } {
  const uniqueness = s.present ? s.distinct / s.present : 0;
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  if (s.distinct <= 1) return { class: 'constant', reason: 'one value throughout' };
  if (s.role === 'value') return { class: 'measure', reason: "the meter's value key" };
  if (s.numericShare >= MEASURE_MIN_NUMERIC_SHARE && s.distinct > MEASURE_MIN_DISTINCT && !isIdName(s.key)) {
    return { class: 'measure', reason: `numeric (${pct(s.numericShare)}) with ${s.distinct} distinct values` };
  }
  if (s.objectShare >= 0.5) return { class: 'free text', reason: `nested objects/arrays in ${pct(s.objectShare)} of values` };
  if (s.distinct > FREE_TEXT_MIN_DISTINCT && (s.spaceShare >= FREE_TEXT_SPACE_SHARE || s.avgLength >= FREE_TEXT_MIN_AVG_LENGTH)) {
    return { class: 'free text', reason: `${s.distinct} distinct values, text with spaces or long (avg ${Math.round(s.avgLength)} chars)` };
  }
  if (s.present >= NEAR_UNIQUE_MIN_PRESENT && uniqueness >= NEAR_UNIQUE_RATIO) {
    return { class: 'identifier-like', reason: `near-unique: ${pct(uniqueness)} of values distinct` };
  }
  if (isIdName(s.key) && s.distinct > ID_NAMED_MAX_DIMENSION) {
    return { class: 'identifier-like', reason: `an id by name, ${s.distinct} distinct values` };
  }
  if (s.distinct <= DIMENSION_MAX_DISTINCT) return { class: 'dimension', reason: `${s.distinct} distinct values` };
  return { class: 'identifier-like', reason: `high cardinality: ${s.distinct} distinct values` };
}

/** How well a number of distinct values (or combinations) suits pricing: 1 up to 100, then 100/n. */
export function cardinalityFit(n: number): number {
  if (n <= 1) return 0;
  return n <= 100 ? 1 : 100 / n;
}
