/**
 * The report model: plain data, the one thing every renderer (terminal, JSON, Markdown, HTML) reads.
 * `profile --json` and `report <run-id> --json` print it as is; docs/json-report.md documents every
 * field with its unit. Conventions used throughout:
 * - times are ISO 8601 UTC strings with milliseconds ('2024-01-01T00:00:00.000Z');
 * - "eps" means events per second; "share" and "presence" are fractions in 0..1 (not percent);
 * - counts are plain numbers of events (or seconds, where the name says so);
 * - payload values are untrusted text: renderers must escape them (HTML) or strip control characters (terminal).
 */

import type { StripeSection } from '../stripe/profile-section.js';
import type { AdviceSection } from '../advice/model.js';

/** Bump when a field changes meaning or disappears; adding fields keeps the version. */
export const REPORT_SCHEMA_VERSION = 2 as const;

export interface SourceSummary {
  /** The input as named (absolute path for files, '-' for stdin). */
  source: string;
  /** The detected or forced input format (see src/ingest/formats.ts). */
  format: string;
  /** Highest line number seen (blank lines count as lines). */
  lines: number;
  /** Events accepted from this source. */
  events: number;
  /** Lines/elements rejected from this source. */
  rejects: number;
  /** Wall time spent loading this source, seconds. */
  seconds: number;
  /** Generic JSON / CSV: the field the customer was read from (dotted path or column); absent when none was found and for the other formats. */
  customerField?: string;
}

export interface RejectExample {
  source: string;
  /** 1-based line number in the source. */
  line: number;
  reason: string;
  /** The offending text, first 200 characters (untrusted). */
  raw: string;
}

/** Options the figures depend on, as used. */
export interface ProfileSettings {
  /** --as-of as given (ISO), or null when it defaulted to the last event. */
  asOf: string | null;
  /** Payload key holding the customer (the meter's customer mapping). */
  customerKey: string;
  /** Payload key holding the numeric value (the meter's value settings). */
  valueKey: string;
  /** --require keys ([] when not given). */
  require: string[];
  /** Distinct values are counted exactly up to this many per key, approximated beyond. */
  exactDistinctLimit: number;
}

// ---------------------------------------------------------------------------------------------
// Rates. Time buckets are whole UTC seconds of the event timestamp.

export type * from './model-rates.js';
export type * from './model-properties.js';
export type * from './model-checks.js';
export type * from './model-fit.js';
export type * from './model-sample.js';
import type { RateProfile, EventNameRate, CustomerProfile } from './model-rates.js';
import type { PropertyProfile, EventDimensionCandidates, KeyUsage, FilterCoverage } from './model-properties.js';
import type { RequirementCoverage, IdentityProfile, TimeProfile } from './model-checks.js';
import type { FitResult, CutoverChecks } from './model-fit.js';
import type { SampleSection } from './model-sample.js';

export interface ProfileReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  runId: string;
  command: string;
  generatedAt: string;
  /** Where the data lives (never contains a password). */
  store: string;
  settings: ProfileSettings;
  sources: SourceSummary[];
  events: {
    total: number;
    rejected: number;
    /** Earliest / latest event time (ISO), null without events. */
    first: string | null;
    last: string | null;
  };
  rejects: {
    total: number;
    byReason: { reason: string; count: number }[];
    /** First 5 rejects in source/line order. */
    examples: RejectExample[];
  };
  rate: RateProfile;
  /** Every event name, most events first. */
  eventNames: EventNameRate[];
  customers: CustomerProfile;
  /** Every event name × payload key, by event name then presence (desc) then key. */
  properties: PropertyProfile[];
  /** Per event name: the name as a whole, each key that could be a dimension, and the combinations the advice measured. */
  keyUsage: KeyUsage[];
  /** The drafts' filter keys keyUsage does not hold: events and value each filter keeps (absent in reports stored before it). */
  filterCoverage?: FilterCoverage[];
  /** One entry per event name, same order as eventNames. */
  dimensionCandidates: EventDimensionCandidates[];
  /** Only with --require. */
  requirements: RequirementCoverage | null;
  identity: IdentityProfile;
  time: TimeProfile;
  cutover: CutoverChecks;
  /** stripe-v1, stripe-v2-stream, metronome-ingest, stripe-v2-meter-events, stripe-v1-test, stripe-v2-stream-test, in that order. */
  fit: FitResult[];
  /** Scores, group-key plans and billable-metric drafts (src/advice/); with --stripe, planned after the meters were read. */
  advice: AdviceSection;
  /** Wall time of the profile computations (after loading), seconds. */
  computeSeconds: number;
  /** Only with --stripe, and only when reading the meters succeeded (docs/stripe.md). */
  stripe?: StripeSection;
  /** Only with --sample: the other sections count the sample; this one estimates the whole input (docs/sampling.md). */
  sample?: SampleSection;
}
