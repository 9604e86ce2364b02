/**
 * The profile report's sample section (profile --sample): present only on a sampled run. The rest of
 * the model counts the sample itself; this section scales what can be scaled to the whole input,
 * each with its 95 % interval (docs/sampling.md), and says what was not estimated and why.
 */
import type { FitPath, FitVerdict } from './model-fit.js';

export interface SampleEstimate {
  /**
   * Which figure: 'events.total', 'rate.avgEps', 'rate.peak.1s' (10s, 60s), 'eventNames.count',
   * 'eventNames.peak1s', 'customers.top.count', 'customers.missing', 'identity.withoutIdentifier',
   * 'identity.duplicates24h', 'identity.duplicates34d', 'time.staleOver35d', 'time.staleOver34d',
   * 'time.futureOver5m', 'time.futureOver24h', 'cutover.withoutValue', 'cutover.totalValue',
   * 'properties.presence', 'advice.dropped.eventsShare' (of [event name, group key]: events an exists
   * filter on it drops), 'advice.billed.eventsShare' (of [event name]: events the draft metric bills).
   */
  figure: string;
  /** The event name, customer, or [event name, key] the figure is about (absent for whole-run figures). */
  of?: string[];
  /** count: events; sum: the value column; rate and peak: events per second; share: 0..1. */
  kind: 'count' | 'sum' | 'rate' | 'peak' | 'share';
  /** The figure as counted in the sample. */
  observed: number;
  /** The whole input's figure, estimated, and its 95 % interval. */
  estimate: number;
  low: number;
  high: number;
}

export interface SampleFit {
  path: FitPath;
  /** The verdict at both ends of the peak's interval, or 'inconclusive' when they differ. */
  verdict: FitVerdict | 'inconclusive';
  /** Peak need ÷ limit at the ends of the interval (high is null when the peak has no upper bound: object sampling). */
  utilization: { low: number; high: number | null };
}

export interface SampleSection {
  /** --sample as a percentage (resolution 0.01). */
  percent: number;
  /** event: events by cityHash64(identifier); object: whole sources by cityHash64(name). */
  by: 'event' | 'object';
  /** Inclusion probability of each event (identifier) or object: buckets ÷ 10,000. */
  rate: number;
  /** Object sampling: the sources read and those matched (null for event sampling). */
  objects: { read: number; total: number } | null;
  estimates: SampleEstimate[];
  /** Distinct counts do not scale: the whole input has at least the sample's count. */
  atLeast: { figure: string; observed: number }[];
  /** Figures left unestimated at this sample, with why. */
  notEstimated: { figure: string; reason: string }[];
  /** Each path's verdict judged on the interval of the peak (replaces the sample's own verdict in the reports). */
  fit: SampleFit[];
}
