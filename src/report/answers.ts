/**
 * Answers to the "Metering" part of a Stripe → Metronome migration scoping questionnaire, computed
 * from the report model. Each answer carries its figures (plain numbers, for tests and JSON users;
 * every number the answer states is among them), one Markdown sentence, and the evidence: the
 * measured numbers and where in the model they come from. Heuristic picks are called "candidates";
 * a provider's limit is named with the provider. Untrusted names are escaped here.
 */
import type { FitResult, ProfileReport } from '../profile/model.js';
import { IDENTITY_LIMITS, PATH_LIMITS } from '../fit/limits.js';
import { billableMetricDrafts, type MetricDraft } from './drafts.js';
import { mdCode, mdText } from './escape.js';
import { dec, duration, int, list, pct, plural, when } from './format.js';
import { attribution, dimensions, metadata, pricingProperties } from './answers-keys.js';

export type Figure = number | string | boolean | null;

export interface MeteringAnswer {
  id: string;
  question: string;
  /** Markdown, escaped. */
  answer: string;
  /** Markdown bullet texts, escaped. */
  evidence: string[];
  figures: Record<string, Figure | Figure[]>;
}

/** How each input format reaches a billing system today. */
const INGEST_PATH_OF_FORMAT: Record<string, string> = {
  'stripe-v1-form': 'Stripe v1 meter events API (POST /v1/billing/meter_events, form-encoded, one event per call)',
  'stripe-v2-stream': 'Stripe v2 meter event stream (POST /v2/billing/meter_event_stream, JSON batches)',
  'stripe-json': 'Stripe meter events as JSON objects (API objects or an export of them)',
  metronome: 'Metronome ingest format (POST /v1/ingest arrays): already shaped for Metronome',
  cloudevents: 'CloudEvents (OpenMeter-style usage events)',
  csv: 'a CSV export (columns mapped to meter-event fields)',
  json: 'generic JSON events (fields mapped by flags)',
};

const VERDICT_MARK: Record<string, string> = { fits: '✔ fits', tight: '▲ tight', exceeds: '✖ exceeds' };

export function meteringAnswers(r: ProfileReport, drafts: MetricDraft[] = billableMetricDrafts(r)): MeteringAnswer[] {
  return [ingestion(r), meters(r, drafts), aggregation(drafts), dimensions(r), attribution(r), volume(r), pricingProperties(r), metadata(r, drafts), identity(r)];
}

function fitLine(f: FitResult): string {
  return `${f.label} (${f.endpoint}): ${VERDICT_MARK[f.verdict] ?? f.verdict}, peak need ${pct(f.utilization)} of the limit`;
}

function ingestion(r: ProfileReport): MeteringAnswer {
  const formats = [...new Set(r.sources.map((s) => s.format))];
  const paths = formats.map((f) => INGEST_PATH_OF_FORMAT[f] ?? f);
  const live = r.fit.filter((f) => f.mode === 'live');
  const test = r.fit.filter((f) => f.mode === 'test');
  const fitting = live.filter((f) => f.verdict !== 'exceeds');
  const metronome = r.fit.find((f) => f.path === 'metronome-ingest');
  const testOver = test.filter((f) => f.verdict === 'exceeds');
  const answer =
    `${list(paths.map((p) => mdText(p)))}. ` +
    (r.events.total === 0
      ? 'No events, so no path can be judged.'
      : `At the measured peak of ${int(r.rate.peak['1s'].events)} events/s, ${fitting.length} of ${live.length} live ingestion paths fit` +
        (fitting.length ? ` (${list(fitting.map((f) => mdText(f.label)))})` : '') +
        '.' +
        (metronome ? ` For Metronome: ${mdText(metronome.advice.text)}.` : '') +
        (test.length
          ? ` In Stripe's test mode ${testOver.length} of ${test.length} paths would be over the limit (meter event calls count toward the test-mode basic limit there).`
          : ''));
  return {
    id: 'ingestion',
    question: 'How are usage events ingested today, and which ingestion path fits the traffic?',
    answer,
    evidence: [
      ...r.sources.map(
        (s) => `source ${mdText(s.source, 120)}: format ${mdCode(s.format)}, ${plural(s.events, 'event')}, ${plural(s.rejects, 'rejected line')} (\`sources\`)`,
      ),
      ...r.fit.map((f) => `${mdText(fitLine(f))}; ${plural(f.secondsOverLimit, 'second')} over the limit (\`fit\`)`),
    ],
    figures: {
      formats,
      peak1s: r.rate.peak['1s'].events,
      pathsThatFit: fitting.length,
      paths: live.length,
      testModePaths: test.length,
      testModePathsOver: testOver.length,
      metronomeAdvice: metronome?.advice.text ?? null,
      ...Object.fromEntries(r.fit.map((f) => [`verdict:${f.path}`, f.verdict])),
    },
  };
}

function meters(r: ProfileReport, drafts: MetricDraft[]): MeteringAnswer {
  const sm = r.stripe?.meters;
  const names = r.eventNames;
  const evidence = names
    .slice(0, 20)
    .map((n) => `${mdCode(n.name)}: ${plural(n.count, 'event')} (${pct(n.share)}), ${when(n.first)} → ${when(n.last)} UTC (\`eventNames\`)`);
  if (names.length > 20) evidence.push(`… and ${int(names.length - 20)} more event names`);
  const unbilled = r.advice?.unbilled ?? { events: drafts.reduce((a, d) => a + (d.billed ? d.events - d.billed.events : 0), 0), eventsShare: 0 };
  let answer = `${plural(names.length, 'event name')} in the log, so ${plural(names.length, 'billable metric')} to create in Metronome (one per event name).`;
  answer += unbilled.events
    ? ` The drafts' filters leave ${plural(unbilled.events, 'event')} unbilled; Metronome accepts events that no billable metric matches and ignores them.`
    : ' The drafts bill every event.';
  const figures: Record<string, Figure | Figure[]> = { eventNames: names.length, names: names.map((n) => n.name), unbilledEvents: unbilled.events };
  if (sm) {
    const active = sm.filter((m) => m.status === 'active');
    const matched = new Set(names.map((n) => n.name));
    const unmetered = names.filter((n) => !active.some((m) => m.eventName === n.name));
    const idle = active.filter((m) => !matched.has(m.eventName));
    const unmeteredEvents = unmetered.reduce((a, n) => a + n.count, 0);
    answer +=
      ` Stripe has ${plural(active.length, 'active meter')} (${plural(sm.length, 'meter')} in all)` +
      (unmetered.length
        ? `; ${plural(unmetered.length, 'event name')} with ${plural(unmeteredEvents, 'event')} match no active meter (usage Stripe bills nothing for today)`
        : '') +
      (idle.length ? `; ${plural(idle.length, 'active meter')} received no events in the span` : '') +
      '.';
    for (const m of sm)
      evidence.push(
        `Stripe meter ${mdText(m.id || m.displayName)} (${mdText(m.status)}): event name ${mdCode(m.eventName)}, formula ${mdText(m.formula || 'unknown')} (\`stripe.meters\`)`,
      );
    Object.assign(figures, {
      stripeMeters: sm.length,
      activeStripeMeters: active.length,
      unmeteredEventNames: unmetered.length,
      unmeteredEvents,
      idleMeters: idle.length,
    });
  } else {
    answer += ' The Stripe meter list was not read for this run (run `meterscope profile --stripe` to compare).';
  }
  for (const d of drafts)
    if (d.billed && d.billed.events < d.events)
      evidence.push(`${mdCode(d.eventName)}: the draft bills ${int(d.billed.events)} of ${int(d.events)} events (\`advice.drafts[].billed\`)`);
  return { id: 'meters', question: 'How many meters (distinct event names) are there?', answer, evidence, figures };
}

function aggregation(drafts: MetricDraft[]): MeteringAnswer {
  const fromStripe = drafts.filter((d) => d.basis === 'stripe-meter');
  const counts = new Map<string, number>();
  for (const d of drafts) counts.set(d.request.aggregation_type ?? 'COUNT', (counts.get(d.request.aggregation_type ?? 'COUNT') ?? 0) + 1);
  const summary = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([t, n]) => `${t} × ${int(n)}`);
  const answer =
    drafts.length === 0
      ? 'No events, so no aggregation can be read.'
      : (fromStripe.length === drafts.length
          ? 'From the Stripe meters: '
          : fromStripe.length
            ? `From the Stripe meters for ${plural(fromStripe.length, 'event name')}, candidates inferred from the payloads for the rest: `
            : 'Not read from Stripe (run `profile --stripe`); candidates inferred from the payloads: ') + `${summary.join(', ')}.`;
  return {
    id: 'aggregation',
    question: 'Which aggregation does each meter use (sum, count, last)?',
    answer,
    evidence: drafts.map(
      (d) =>
        `${mdCode(d.eventName)} → ${d.request.aggregation_type}${d.request.aggregation_key ? ` of ${mdCode(d.request.aggregation_key)}` : ''} ` +
        `(${d.basis === 'stripe-meter' ? 'Stripe meter' : 'inferred candidate'}): ${mdText(d.why[0] ?? '', 300)}`,
    ),
    figures: {
      ...Object.fromEntries(drafts.map((d) => [`aggregation:${d.eventName}`, d.request.aggregation_type ?? null])),
      ...Object.fromEntries([...counts.entries()].map(([t, n]) => [`count:${t}`, n])),
      fromStripe: fromStripe.length,
    },
  };
}

function volume(r: ProfileReport): MeteringAnswer {
  const rt = r.rate;
  const per30d = rt.avgEps * 30 * 86_400;
  const answer =
    r.events.total === 0
      ? 'No events.'
      : `Average ${dec(rt.avgEps)} events/s; peak ${int(rt.peak['1s'].events)} events/s in one second ` +
        `(${dec(rt.peak['10s'].eps)}/s over 10 s, ${dec(rt.peak['60s'].eps)}/s over 60 s), ${rt.burstFactor === null ? '' : `${dec(rt.burstFactor)}× the average; `}` +
        `about ${int(per30d)} events per 30 days at the average rate.`;
  return {
    id: 'volume',
    question: 'What is the event volume: events per second on average and at peak?',
    answer,
    evidence:
      r.events.total === 0
        ? []
        : [
            `${plural(r.events.total, 'event')} from ${when(r.events.first)} to ${when(r.events.last)} UTC, ${int(rt.spanSeconds)} s (${duration(rt.spanSeconds)}) (\`events\`, \`rate.spanSeconds\`)`,
            `average = ${int(r.events.total)} ÷ ${int(rt.spanSeconds)} s = ${dec(rt.avgEps)} events/s (\`rate.avgEps\`)`,
            `busiest second ${when(rt.peak['1s'].at)} UTC: ${int(rt.peak['1s'].events)} events (\`rate.peak\`)`,
            `per-second p50 ${int(rt.percentiles.p50)}, p99 ${int(rt.percentiles.p99)}, p99.9 ${int(rt.percentiles.p999)} (\`rate.percentiles\`)`,
            ...r.eventNames
              .slice(0, 10)
              .map((n) => `${mdCode(n.name)}: average ${dec(n.avgEps)}/s over its own span, peak ${int(n.peak1s)}/s at ${when(n.peak1sAt)} (\`eventNames\`)`),
          ],
    figures: {
      events: r.events.total,
      spanSeconds: rt.spanSeconds,
      avgEps: rt.avgEps,
      peak1s: rt.peak['1s'].events,
      peak10sEps: rt.peak['10s'].eps,
      peak60sEps: rt.peak['60s'].eps,
      windows: [10, 60, 30],
      burstFactor: rt.burstFactor,
      eventsPer30Days: Math.round(per30d),
    },
  };
}

const STRIPE_V1 = PATH_LIMITS.find((l) => l.path === 'stripe-v1')!;
const METRONOME = PATH_LIMITS.find((l) => l.path === 'metronome-ingest')!;

function identity(r: ProfileReport): MeteringAnswer {
  const id = r.identity;
  const t = r.time;
  const c = r.cutover;
  const stripeDays = STRIPE_V1.maxAgeDays;
  const metronomeDays = METRONOME.maxAgeDays;
  const stripeMinutes = STRIPE_V1.maxFutureSeconds / 60;
  const metronomeHours = METRONOME.maxFutureSeconds / 3600;
  const nd = c?.nearDuplicates;
  const answer =
    `${plural(r.events.total - id.withoutIdentifier, 'event')} of ${int(r.events.total)} carry an identifier (it becomes Metronome's transaction_id); ` +
    `${int(id.duplicates34d)} would be dropped as duplicates within Metronome's ${metronomeDays}-day window, ${int(id.duplicates24h)} rejected within Stripe's 24 h. ` +
    `Against ${when(t.asOf)} UTC: Metronome rejects ${int(t.staleOver34d)} events older than ${metronomeDays} days and ${int(t.futureOver24h)} more than ${metronomeHours} h ahead; ` +
    `Stripe rejects ${int(t.staleOver35d)} older than ${stripeDays} days and ${int(t.futureOver5m)} more than ${stripeMinutes} minutes ahead.` +
    (nd
      ? ` ${plural(nd.events, 'event')} (${pct(nd.valueShare)} of value) repeat another's customer, name, time and payload under a new identifier: both providers would bill them twice.`
      : '');
  const evidence = [
    `without identifier: ${int(id.withoutIdentifier)}; identifiers reused: ${int(id.reusedIdentifiers)} (\`identity\`)`,
    ...id.examples34d
      .slice(0, 3)
      .map(
        (e) =>
          `reused ${mdText(e.identifier, 60)}: ${mdText(e.first.source.split('/').pop() ?? '', 60)}:${e.first.line} and :${e.duplicate.line}, ${duration(e.gapSeconds)} apart`,
      ),
    `time checks against ${when(t.asOf)} UTC (${t.asOfSource === 'flag' ? '--as-of' : 'the last event'}): ${int(t.outOfOrder)} out of file order (\`time\`)`,
  ];
  if (c) {
    evidence.push(
      `identifiers over Stripe's ${IDENTITY_LIMITS.stripe.identifierMaxChars} characters: ${int(c.identifiersOverStripeLimit)}; over Metronome's ${IDENTITY_LIMITS.metronome.transactionIdMaxChars}: ${int(c.identifiersOverMetronomeLimit)}; ` +
        `event names over Stripe's ${IDENTITY_LIMITS.stripe.eventNameMaxChars}: ${int(c.eventNamesOverStripeLimit)}; values that are not whole numbers (Stripe takes whole numbers only): ${int(c.fractionalValues)} (\`cutover\`)`,
      ...c.nearDuplicates.examples
        .slice(0, 3)
        .map(
          (e) =>
            `near-duplicate: ${mdText(e.customer, 40)} · ${mdCode(e.eventName)} at ${when(e.at)}: ${e.events} events, identifiers ${e.identifiers.map((i) => mdText(i || '(none)', 40)).join(', ')}`,
        ),
    );
  }
  return {
    id: 'identity',
    question: 'Do events carry a unique idempotency key, and do any arrive late or from the future?',
    answer,
    evidence,
    figures: {
      eventsWithIdentifier: r.events.total - id.withoutIdentifier,
      events: r.events.total,
      withoutIdentifier: id.withoutIdentifier,
      duplicates24h: id.duplicates24h,
      duplicates34d: id.duplicates34d,
      staleOver34d: t.staleOver34d,
      staleOver35d: t.staleOver35d,
      futureOver24h: t.futureOver24h,
      futureOver5m: t.futureOver5m,
      windows: [metronomeDays, 24, metronomeHours, stripeDays, stripeMinutes],
      nearDuplicateEvents: nd?.events ?? null,
      nearDuplicateValueShare: nd?.valueShare ?? null,
    },
  };
}
