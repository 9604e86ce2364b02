/** The profile report's checks: --require coverage, identifiers, timestamps. */

/** --require: coverage of the required payload keys. */
export interface RequirementCoverage {
  keys: string[];
  byEventName: {
    eventName: string;
    events: number;
    /** Events carrying every required key. */
    complete: number;
    /** complete ÷ events. */
    coverage: number;
    perKey: { key: string; present: number; coverage: number }[];
    /** Distinct customers with at least one event missing a required key. */
    customersMissing: number;
    /** Those customers with the most incomplete events, at most 10. */
    topCustomersMissing: { customer: string; events: number }[];
  }[];
}

// ---------------------------------------------------------------------------------------------
// Identity and time.

export interface DuplicateExample {
  identifier: string;
  /** Time from the previous use of the identifier to this event, seconds. */
  gapSeconds: number;
  first: { at: string; source: string; line: number };
  duplicate: { at: string; source: string; line: number };
}

export interface IdentityProfile {
  /** Events with an empty identifier (Stripe then generates one; Metronome requires transaction_id). */
  withoutIdentifier: number;
  /** Distinct non-empty identifiers used by more than one event. */
  reusedIdentifiers: number;
  /**
   * Events whose identifier was already used by an earlier event (by time, then source/line order)
   * at most 24 h before it: what Stripe's rolling 24 h uniqueness would reject.
   */
  duplicates24h: number;
  /** Same with 34 days: what Metronome's transaction_id deduplication would drop. */
  duplicates34d: number;
  /** Up to 5 examples of 24 h duplicates, earliest first. */
  examples24h: DuplicateExample[];
  /** Up to 5 examples of duplicates more than 24 h but at most 34 days apart (Metronome drops, Stripe accepts). */
  examples34d: DuplicateExample[];
}

export interface TimeProfile {
  /** Reference time for the checks below (ISO); null without events and without --as-of. */
  asOf: string | null;
  asOfSource: 'flag' | 'last-event';
  /** Events more than 35 days before asOf (Stripe rejects them). */
  staleOver35d: number;
  /** Events more than 34 days before asOf (beyond Metronome's backdating). */
  staleOver34d: number;
  /** Events more than 5 minutes after asOf (Stripe rejects them). */
  futureOver5m: number;
  /** Events more than 24 hours after asOf (Metronome rejects them). */
  futureOver24h: number;
  /** Events whose timestamp is earlier than the previous event's in the same source (file order: line, position in line). */
  outOfOrder: number;
  /** outOfOrder ÷ events.total. */
  outOfOrderShare: number;
  /** Largest step back in time between consecutive events of a source, seconds (0 when none). */
  maxBackwardsSeconds: number;
}

// ---------------------------------------------------------------------------------------------
// Fit against the published ingestion limits (src/fit/limits.ts).
