/**
 * Plain-text notes under the fit table, shared by the renderers (each escapes them): published
 * figures the verdict was not judged against, the per-customer-and-meter call limit, test mode.
 * Customer ids and event names are untrusted.
 */
import type { FitResult, ProfileReport } from '../profile/model.js';
import { int, when } from './format.js';

export function fitNotes(r: ProfileReport): string[] {
  const notes: string[] = [];
  for (const f of r.fit) {
    for (const a of f.limits.alsoPublished) {
      notes.push(
        `${f.label}: also published as ${int(a.eventsPerSecond)} events/s (${a.source}); judged against the conservative ${int(f.limits.eventsPerSecond ?? f.limits.capacityEventsPerSecond)} events/s.`,
      );
    }
    const cm = customerMeterNote(f);
    if (cm) notes.push(cm);
  }
  if (r.fit.some((f) => f.mode === 'test')) {
    notes.push(
      "Test mode rows: in Stripe's test mode and sandboxes, meter event and meter event stream calls count toward the basic limit (25 operations/s): judge a load test run there by them.",
    );
  }
  return notes;
}

function customerMeterNote(f: FitResult): string | null {
  const cm = f.customerMeter;
  if (!cm || f.limits.concurrentCallsPerCustomerMeter === null) return null;
  return (
    `${f.label}: ${int(f.limits.concurrentCallsPerCustomerMeter)} concurrent call per customer and meter; the busiest customer × event name second ` +
    `(${cm.customer ?? '-'} · ${cm.eventName ?? '-'} at ${when(cm.at)} UTC) holds ${int(cm.peakEvents)} events: ${int(cm.impliedConcurrency)} calls in flight at ` +
    `${int(f.advice.assumedLatencyMs)} ms (assumed), ${int(cm.secondsOverSequential)} customer-seconds need more than one.`
  );
}

/** The cut-over checks as (check, events, meaning) rows; the meaning names the provider whose limit applies. */
export function cutoverRows(r: ProfileReport): [string, number, string][] {
  const c = r.cutover;
  if (!c) return [];
  const advice = r.advice;
  const rows: [string, number, string][] = [
    ['identifiers over 100 characters', c.identifiersOverStripeLimit, 'Stripe rejects them (identifier ≤ 100)'],
    ['identifiers over 128 characters', c.identifiersOverMetronomeLimit, 'Metronome rejects them (transaction_id ≤ 128)'],
    ['event names over 100 characters', c.eventNamesOverStripeLimit, 'Stripe rejects them (event_name ≤ 100)'],
    ['values that are not whole numbers', c.fractionalValues, 'Stripe accepts whole numbers only'],
    [
      'near-duplicates (same customer, name, time, payload; new identifier)',
      c.nearDuplicates.events,
      `both providers bill them twice: ${int(c.nearDuplicates.value)} of value in ${int(c.nearDuplicates.groups)} groups`,
    ],
  ];
  if (advice) rows.push(['events no draft bills', advice.unbilled.events, 'Metronome accepts events no billable metric matches and ignores them']);
  return rows;
}
