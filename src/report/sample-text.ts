/**
 * The words every renderer uses for a sampled run (profile --sample): the headline, each estimated
 * figure as "≈ N (95 %: a–b)", what was not estimated, and the fit verdict judged on the sample.
 * Labels hold untrusted text (event names, customers, keys): renderers escape them.
 */
import type { FitResult, ProfileReport, SampleEstimate, SampleSection } from '../profile/model.js';
import { dec, int, pct } from './format.js';

/** "sampled 10 % of events by identifier hash: figures are estimates" (and how many files object sampling read). */
export function sampleHeadline(s: SampleSection): string {
  const what = s.by === 'event' ? 'events by identifier hash' : `files by name hash (${int(s.objects?.read ?? 0)} of ${int(s.objects?.total ?? 0)} read)`;
  return `sampled ${s.percent} % of ${what}: figures are estimates`;
}

/** How to read the rest of the report. */
export const SAMPLE_GUIDE =
  'Estimates of the whole input carry their 95 % intervals; distinct counts are at least the sample’s; the other sections count the sample itself, and rejected lines are counted in full.';

/** Said above the fit table of a sampled run. */
export const SAMPLE_FIT_NOTE = 'verdicts are judged on the whole input’s estimated peak (sample estimates); the other columns are the sample’s';

/** Said at the rates of a sampled run (null when unsampled). */
export function sampleRatesNote(r: ProfileReport): string | null {
  if (!r.sample) return null;
  return r.sample.by === 'object'
    ? 'rates, peaks and time of day of the files read: not estimated for the whole input under object sampling'
    : 'rates and peaks of the sample itself; the whole input’s average and peaks are estimated in the sample section';
}

/** Said where advice and drafts are shown. */
export const SAMPLE_ADVICE_NOTE = 'these drafts and plans rest on a sample: profile the whole input before creating metrics';

const LABELS: Record<string, string> = {
  'events.total': 'events',
  'rate.avgEps': 'average events/s',
  'rate.peak.1s': 'peak 1 s, events/s',
  'rate.peak.10s': 'peak 10 s, events/s',
  'rate.peak.60s': 'peak 60 s, events/s',
  'customers.missing': 'events without a customer',
  'identity.withoutIdentifier': 'events without an identifier',
  'identity.duplicates24h': 'identifier reused within 24 h',
  'identity.duplicates34d': 'identifier reused within 34 days',
  'time.staleOver35d': 'older than 35 days',
  'time.staleOver34d': 'older than 34 days',
  'time.futureOver5m': 'over 5 min in the future',
  'time.futureOver24h': 'over 24 h in the future',
  'cutover.withoutValue': 'events without a numeric value',
  'cutover.totalValue': 'sum of values',
  'customers.distinct': 'distinct customers',
  'identity.reusedIdentifiers': 'identifiers used more than once',
};

/** What an estimate is of, in words (untrusted parts included as they are). */
export function estimateLabel(e: Pick<SampleEstimate, 'figure' | 'of'>): string {
  const [a, b] = e.of ?? [];
  switch (e.figure) {
    case 'eventNames.count':
      return `events named ${a}`;
    case 'eventNames.peak1s':
      return `peak 1 s of ${a}, events`;
    case 'customers.top.count':
      return `events of customer ${a}`;
    case 'properties.presence':
      return `${a} events with key ${b}`;
    case 'advice.dropped.eventsShare':
      return `${a} events an exists filter on ${b} drops`;
    case 'advice.billed.eventsShare':
      return `${a} events the draft metric bills`;
    default:
      return LABELS[e.figure] ?? e.figure;
  }
}

/** Shares to a tenth of a percent, so an interval never reads backwards after rounding. */
const share = (v: number) => `${(v * 100).toFixed(1)} %`;
const value = (e: SampleEstimate, v: number) => (e.kind === 'share' ? share(v) : e.kind === 'count' ? int(v) : dec(v));

/** "≈ 49,985 (95 %: 49,116–50,869)". */
export function estimateText(e: SampleEstimate): string {
  return `≈ ${value(e, e.estimate)} (95 %: ${value(e, e.low)}–${value(e, e.high)})`;
}

/** The sample's own figure, as counted. */
export const observedText = (e: SampleEstimate): string => value(e, e.observed);

/** "distinct customers: ≥ 1,234 (the sample’s count)". */
export const atLeastText = (a: SampleSection['atLeast'][number]): string => `${estimateLabel(a)}: ≥ ${int(a.observed)} (the sample’s count)`;

/** The verdict a renderer shows for a path: on a sampled run, the one judged on the peak's interval. */
export function shownVerdict(r: ProfileReport, f: FitResult): string {
  const s = r.sample?.fit.find((x) => x.path === f.path);
  return s ? s.verdict : f.verdict;
}

/** One line per path the sample cannot judge: "stripe-v1: inconclusive at this sample (use of limit 75 % to 3,899 %)". */
export function inconclusiveNotes(r: ProfileReport): string[] {
  return (r.sample?.fit ?? [])
    .filter((f) => f.verdict === 'inconclusive')
    .map(
      (f) => `${f.path}: inconclusive at this sample (use of limit ${pct(f.utilization.low)} to ${f.utilization.high === null ? 'unbounded' : pct(f.utilization.high)})`,
    );
}
