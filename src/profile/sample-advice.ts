/**
 * The advice's shares on a sampled run: what an exists filter on a group key drops of its event
 * name, and what each draft metric bills of its name's events. Both are shares of events: Wilson
 * under event sampling; under object sampling one key's drop is 1 − its presence (the ratio
 * estimator over files, sample.ts), and shares the sample cannot split by file are left out.
 */
import type { ProfileReport, SampleEstimate } from './model.js';
import { proportionInterval } from './estimators.js';

const ADVICE = 'advice.';

function adviceEstimates(r: ProfileReport, presence: SampleEstimate[]): SampleEstimate[] {
  const byObject = r.sample?.by === 'object';
  const out: SampleEstimate[] = [];
  for (const plan of r.advice.plans) {
    for (const row of plan.rows) {
      if (!row.dropped) continue;
      const of = [plan.eventName, row.dimension.join(' + ')];
      const base = { figure: 'advice.dropped.eventsShare', of, kind: 'share' as const, observed: row.dropped.eventsShare };
      if (!byObject) {
        out.push({ ...base, ...proportionInterval(row.dropped.events, plan.events) });
        continue;
      }
      const p = row.dimension.length === 1 ? presence.find((e) => e.of?.[0] === plan.eventName && e.of?.[1] === row.dimension[0]) : undefined;
      if (p) out.push({ ...base, estimate: 1 - p.estimate, low: 1 - p.high, high: 1 - p.low });
    }
  }
  if (!byObject) {
    for (const d of r.advice.drafts) {
      if (!d.billed) continue;
      out.push({
        figure: 'advice.billed.eventsShare',
        of: [d.eventName],
        kind: 'share',
        observed: d.billed.eventsShare,
        ...proportionInterval(d.billed.events, d.events),
      });
    }
  }
  return out;
}

/** Replaces the sample's advice estimates with those of the report's current advice (it is planned again after --stripe). */
export function refreshAdviceEstimates(r: ProfileReport): void {
  const s = r.sample;
  if (!s) return;
  const kept = s.estimates.filter((e) => !e.figure.startsWith(ADVICE));
  s.estimates = [
    ...kept,
    ...adviceEstimates(
      r,
      kept.filter((e) => e.figure === 'properties.presence'),
    ),
  ];
  // --sample 100%: nothing was left out, so every figure is exact (shares too, which Wilson would widen).
  if (s.rate >= 1) for (const e of s.estimates) e.low = e.high = e.estimate;
}
