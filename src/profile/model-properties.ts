/** The profile report's payload figures: properties, dimension candidates, key usage. */

export type PropertyClass = 'constant' | 'dimension' | 'identifier-like' | 'measure' | 'free text';

/** Counts of present values by JSON type (the first character of the raw JSON text). */
export interface PropertyTypes {
  number: number;
  string: number;
  boolean: number;
  null: number;
  /** JSON objects and arrays. */
  object: number;
}

export interface NumericStats {
  /** Present values that are numeric: JSON numbers or strings holding a decimal number ("25", "-1.5e3"). */
  count: number;
  min: number;
  max: number;
  mean: number;
  /** Nearest-rank percentiles of the numeric values (the ⌈q·count⌉-th smallest). */
  p50: number;
  p99: number;
  /** false when the key has more distinct values than the exact limit: p50/p99 are then t-digest estimates. */
  quantilesExact: boolean;
}

export interface TopValue {
  /** The raw JSON text of the value: strings keep their quotes ('"eu"'), numbers don't ('3'). Untrusted. */
  value: string;
  count: number;
  /** count ÷ events of the name that carry the key. */
  share: number;
}

export interface PropertyProfile {
  eventName: string;
  key: string;
  /** Events of this name. */
  events: number;
  /** Events of this name that carry the key. */
  present: number;
  /** present ÷ events. */
  presence: number;
  /** Distinct raw values ('5' and '"5"' differ). */
  distinct: number;
  /** true: counted exactly; false: more than settings.exactDistinctLimit values, HyperLogLog estimate. */
  distinctExact: boolean;
  /** Relative standard error of `distinct` when approximate (e.g. 0.0029 = 0.29 %), else null. */
  distinctError: number | null;
  types: PropertyTypes;
  /** numeric.count ÷ present (0 when the key is never numeric). */
  numericShare: number;
  numeric: NumericStats | null;
  /** Most frequent values, at most 10 (ties: value ascending). */
  topValues: TopValue[];
  /** false when the key exceeds the exact limit: counts are then space-saving estimates. */
  topValuesExact: boolean;
  /** Mean length of the raw values without a string's quotes (escapes count as written), characters. */
  avgLength: number;
  class: PropertyClass;
  /** One line saying why the class was chosen (thresholds in src/profile/classify.ts). */
  classReason: string;
  /** 'customer' / 'value' when this key is the meter's customer or value mapping, else null. */
  role: 'customer' | 'value' | null;
}

// ---------------------------------------------------------------------------------------------
// Dimension candidates.

export interface DimensionCandidate {
  /** One key (single) or 2–3 keys (compound). */
  keys: string[];
  kind: 'single' | 'pair' | 'triple';
  /** Exact number of distinct value combinations among events carrying all the keys. */
  combinations: number;
  /** Events of the name carrying all the keys. */
  present: number;
  /** present ÷ events of the name. */
  presence: number;
  /** Product of the keys' own distinct counts: combinations close to it means independent keys. */
  crossProduct: number;
  /** Compound only: one key's values determine the others' (combinations = the largest single distinct). */
  redundant: boolean;
  /** 0..1, higher is better to price by: presence × cardinality fit × evenness × growth × simplicity (docs/json-report.md). */
  score: number;
  reason: string;
}

export interface EventDimensionCandidates {
  eventName: string;
  events: number;
  /** Singles and compounds, best score first (ties: fewer keys first, then keys ascending). */
  candidates: DimensionCandidate[];
}

/** How a payload key, or a combination of keys, is used by the events of one name (src/profile/key-usage.ts). */
export interface KeyUsage {
  eventName: string;
  /** Sorted; [] measures the name as a whole. */
  keys: string[];
  /** Events carrying every key. */
  present: number;
  /** Sum of the value column over those events. */
  value: number;
  /** Distinct value combinations observed (exact, counted as 64-bit hashes). */
  distinct: number;
  /** Distinct combinations among the events before the name's median time. */
  firstHalfDistinct: number;
  /** Customers with such events ('' counts as one). */
  customers: number;
  /** Distinct combinations per customer: nearest-rank p50 and p99 over those customers, and the largest. */
  perCustomer: { p50: number; p99: number; max: number };
}

/** What an exists filter on keys keeps of one event name (src/profile/filter-coverage.ts). */
export type FilterCoverage = Pick<KeyUsage, 'eventName' | 'keys' | 'present' | 'value'>;
