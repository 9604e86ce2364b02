/**
 * Answers to the "Metering" part of a Stripe → Metronome migration scoping questionnaire, computed
 * from the report model. Each answer carries its figures (plain numbers, for tests and JSON users),
 * one Markdown sentence, and the evidence: the measured numbers and where in the model they come from
 * (`report <run-id> --format json` shows the same fields). Untrusted names are escaped here.
 */
import type { FitResult, ProfileReport, PropertyProfile } from '../profile/model.js';
import { billableMetricDrafts, type MetricDraft } from './drafts.js';
import { mdCode, mdText } from './escape.js';
import { dec, duration, int, list, pct, plural, when } from './format.js';

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

/** Payload key names that read as a tenant or sub-tenant (workspace, project, user …). */
const ATTRIBUTION_NAME = /(^|[_\-.])(tenant|org|organi[sz]ation|account|workspace|team|project|company|customer|user|subscription|app|env|environment)([_\-.]?(id|key|name|slug))?$/i;

const VERDICT_MARK: Record<string, string> = { fits: '✔ fits', tight: '▲ tight', exceeds: '✖ exceeds' };

export function meteringAnswers(r: ProfileReport, drafts: MetricDraft[] = billableMetricDrafts(r)): MeteringAnswer[] {
  const byName = groupProperties(r);
  return [
    ingestion(r),
    meters(r),
    aggregation(r, drafts),
    dimensions(r),
    attribution(r, byName),
    volume(r),
    pricingProperties(r),
    metadata(r, byName),
    identity(r),
  ];
}

function groupProperties(r: ProfileReport): Map<string, PropertyProfile[]> {
  const m = new Map<string, PropertyProfile[]>();
  for (const p of r.properties) m.set(p.eventName, [...(m.get(p.eventName) ?? []), p]);
  return m;
}

function fitLine(f: FitResult): string {
  return `${f.label} (${f.endpoint}): ${VERDICT_MARK[f.verdict] ?? f.verdict}, peak need ${pct(f.utilization)} of the limit`;
}

function ingestion(r: ProfileReport): MeteringAnswer {
  const formats = [...new Set(r.sources.map((s) => s.format))];
  const paths = formats.map((f) => INGEST_PATH_OF_FORMAT[f] ?? f);
  const fitting = r.fit.filter((f) => f.verdict !== 'exceeds');
  const metronome = r.fit.find((f) => f.path === 'metronome-ingest');
  const answer =
    `${list(paths.map((p) => mdText(p)))}. ` +
    (r.events.total === 0
      ? 'No events, so no path can be judged.'
      : `At the measured peak of ${int(r.rate.peak['1s'].events)} events/s, ${fitting.length} of ${r.fit.length} ingestion paths fit` +
        (fitting.length ? ` (${list(fitting.map((f) => mdText(f.label)))})` : '') +
        '.' +
        (metronome ? ` For Metronome: ${mdText(metronome.advice.text)}.` : ''));
  return {
    id: 'ingestion',
    question: 'How are usage events ingested today, and which ingestion path fits the traffic?',
    answer,
    evidence: [
      ...r.sources.map((s) => `source ${mdText(s.source, 120)}: format ${mdCode(s.format)}, ${plural(s.events, 'event')}, ${plural(s.rejects, 'rejected line')} (\`sources\`)`),
      ...r.fit.map((f) => `${mdText(fitLine(f))}; ${plural(f.secondsOverLimit, 'second')} over the limit (\`fit\`)`),
    ],
    figures: {
      formats,
      pathsThatFit: fitting.length,
      paths: r.fit.length,
      ...Object.fromEntries(r.fit.map((f) => [`verdict:${f.path}`, f.verdict])),
    },
  };
}

function meters(r: ProfileReport): MeteringAnswer {
  const sm = r.stripe?.meters;
  const names = r.eventNames;
  const evidence = names
    .slice(0, 20)
    .map((n) => `${mdCode(n.name)}: ${plural(n.count, 'event')} (${pct(n.share)}), ${when(n.first)} → ${when(n.last)} UTC (\`eventNames\`)`);
  if (names.length > 20) evidence.push(`… and ${int(names.length - 20)} more event names`);
  let answer = `${plural(names.length, 'event name')} in the log, so ${plural(names.length, 'billable metric')} to create in Metronome (one per event name).`;
  const figures: Record<string, Figure | Figure[]> = { eventNames: names.length, names: names.map((n) => n.name) };
  if (sm) {
    const active = sm.filter((m) => m.status === 'active');
    const matched = new Set(names.map((n) => n.name));
    const unmetered = names.filter((n) => !active.some((m) => m.eventName === n.name));
    const idle = active.filter((m) => !matched.has(m.eventName));
    answer += ` Stripe has ${plural(active.length, 'active meter')} (${plural(sm.length, 'meter')} in all)` +
      (unmetered.length ? `; ${plural(unmetered.length, 'event name')} match no active meter (usage that bills nothing)` : '') +
      (idle.length ? `; ${plural(idle.length, 'active meter')} received no events in the span` : '') +
      '.';
    for (const m of sm) evidence.push(`Stripe meter ${mdText(m.id || m.displayName)} (${mdText(m.status)}): event name ${mdCode(m.eventName)}, formula ${mdText(m.formula || 'unknown')} (\`stripe.meters\`)`);
    Object.assign(figures, { stripeMeters: sm.length, activeStripeMeters: active.length, unmeteredEventNames: unmetered.length, idleMeters: idle.length });
  } else {
    answer += ' The Stripe meter list was not read for this run (run `meterscope profile --stripe` to compare).';
  }
  return { id: 'meters', question: 'How many meters (distinct event names) are there?', answer, evidence, figures };
}

function aggregation(_r: ProfileReport, drafts: MetricDraft[]): MeteringAnswer {
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
            ? `From the Stripe meters for ${plural(fromStripe.length, 'event name')}, inferred from the payloads for the rest: `
            : 'Not read from Stripe (run `profile --stripe`); inferred from the payloads: ') +
        `${summary.join(', ')}.`;
  return {
    id: 'aggregation',
    question: 'Which aggregation does each meter use (sum, count, last)?',
    answer,
    evidence: drafts.map(
      (d) =>
        `${mdCode(d.eventName)} → ${d.request.aggregation_type}${d.request.aggregation_key ? ` of ${mdCode(d.request.aggregation_key)}` : ''} ` +
        `(${d.basis === 'stripe-meter' ? 'Stripe meter' : 'inferred'}): ${mdText(d.why[0] ?? '', 300)}`,
    ),
    figures: { ...Object.fromEntries(drafts.map((d) => [`aggregation:${d.eventName}`, d.request.aggregation_type ?? null])), fromStripe: fromStripe.length },
  };
}

function dimensions(r: ProfileReport): MeteringAnswer {
  const per = r.dimensionCandidates.map((d) => ({
    name: d.eventName,
    pricing: d.design.pricingKeys,
    presentation: d.design.presentationKeys,
    total: d.design.pricingKeys.length + d.design.presentationKeys.length,
    stripeFits: d.design.stripe.fits,
  }));
  const withDims = per.filter((p) => p.total > 0);
  const max = Math.max(0, ...per.map((p) => p.total));
  const over = per.filter((p) => !p.stripeFits);
  const limit = r.dimensionCandidates[0]?.design.stripe.dimensionKeyLimit ?? 2;
  const answer =
    per.length === 0
      ? 'No events, so no dimensions can be measured.'
      : `${plural(withDims.length, 'event name')} of ${int(per.length)} ${withDims.length === 1 ? 'has' : 'have'} dimension keys; at most ${plural(max, 'key')} per meter` +
        ` (pricing + invoice-breakdown keys). ${over.length ? `${plural(over.length, 'meter')} need${over.length === 1 ? 's' : ''} more than Stripe's ${limit} dimension keys; Metronome group keys take any number.` : `All fit Stripe's ${limit}-key limit.`}`;
  return {
    id: 'dimensions',
    question: 'Are dimensions used, and how many per meter?',
    answer,
    evidence: per.map(
      (p) =>
        `${mdCode(p.name)}: ${plural(p.total, 'key')} — price by ${p.pricing.length ? p.pricing.map((k) => mdCode(k)).join(', ') : 'nothing'}` +
        `; break out by ${p.presentation.length ? p.presentation.map((k) => mdCode(k)).join(', ') : 'nothing'} (\`dimensionCandidates[].design\`)`,
    ),
    figures: {
      eventNamesWithDimensions: withDims.length,
      maxKeysPerMeter: max,
      overStripeLimit: over.length,
      ...Object.fromEntries(per.map((p) => [`keys:${p.name}`, p.total])),
    },
  };
}

function attribution(r: ProfileReport, byName: Map<string, PropertyProfile[]>): MeteringAnswer {
  const c = r.customers;
  const sub = new Map<string, { distinct: number; presence: number; names: string[] }>();
  for (const d of r.dimensionCandidates) {
    const props = byName.get(d.eventName) ?? [];
    for (const p of props) {
      if (p.role !== null) continue;
      if (!d.design.presentationKeys.includes(p.key) && !ATTRIBUTION_NAME.test(p.key)) continue;
      const cur = sub.get(p.key);
      if (cur) {
        cur.distinct = Math.max(cur.distinct, p.distinct);
        cur.presence = Math.min(cur.presence, p.presence);
        cur.names.push(d.eventName);
      } else sub.set(p.key, { distinct: p.distinct, presence: p.presence, names: [d.eventName] });
    }
  }
  const subKeys = [...sub.entries()].sort((a, b) => b[1].presence - a[1].presence || (a[0] < b[0] ? -1 : 1));
  const answer =
    `Customers are attributed by ${mdCode(c.key)}: ${plural(c.distinct, 'distinct customer')}, ${plural(c.missing, 'event')} without one.` +
    (subKeys.length
      ? ` Within a customer, usage can be attributed further by ${list(subKeys.map(([k]) => mdCode(k)))}.`
      : ' No payload key attributes usage below the customer (no user, project or workspace key).');
  return {
    id: 'attribution',
    question: 'How is usage attributed to customers (multi-tenant attribution keys)?',
    answer,
    evidence: [
      `customer key ${mdCode(c.key)}: ${int(c.distinct)} distinct, ${int(c.missing)} missing; top customer ${c.top[0] ? `${mdText(c.top[0].customer, 60)} with ${pct(c.top[0].share)} of events` : '-'} (\`customers\`)`,
      ...subKeys.map(
        ([k, s]) => `${mdCode(k)}: ${s.names.length > 1 ? 'up to ' : ''}${int(s.distinct)} distinct values, present in ${s.names.length > 1 ? 'at least ' : ''}${pct(s.presence)} of events of ${list(s.names.map((n) => mdCode(n)))} (\`properties\`)`,
      ),
    ],
    figures: { customerKey: c.key, customers: c.distinct, eventsWithoutCustomer: c.missing, subCustomerKeys: subKeys.map(([k]) => k) },
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
    evidence: r.events.total === 0 ? [] : [
      `${plural(r.events.total, 'event')} from ${when(r.events.first)} to ${when(r.events.last)} UTC, ${int(rt.spanSeconds)} s (${duration(rt.spanSeconds)}) (\`events\`, \`rate.spanSeconds\`)`,
      `average = ${int(r.events.total)} ÷ ${int(rt.spanSeconds)} s = ${dec(rt.avgEps)} events/s (\`rate.avgEps\`)`,
      `busiest second ${when(rt.peak['1s'].at)} UTC: ${int(rt.peak['1s'].events)} events (\`rate.peak\`)`,
      `per-second p50 ${int(rt.percentiles.p50)}, p99 ${int(rt.percentiles.p99)}, p99.9 ${int(rt.percentiles.p999)} (\`rate.percentiles\`)`,
      ...r.eventNames.slice(0, 10).map((n) => `${mdCode(n.name)}: average ${dec(n.avgEps)}/s over its own span, peak ${int(n.peak1s)}/s at ${when(n.peak1sAt)} (\`eventNames\`)`),
    ],
    figures: {
      events: r.events.total,
      spanSeconds: rt.spanSeconds,
      avgEps: rt.avgEps,
      peak1s: rt.peak['1s'].events,
      peak10sEps: rt.peak['10s'].eps,
      peak60sEps: rt.peak['60s'].eps,
      eventsPer30Days: Math.round(per30d),
    },
  };
}

function pricingProperties(r: ProfileReport): MeteringAnswer {
  if (r.requirements) {
    const req = r.requirements;
    const complete = req.byEventName.filter((n) => n.complete === n.events);
    const missingEvents = req.byEventName.reduce((a, n) => a + n.events - n.complete, 0);
    return {
      id: 'pricing-properties',
      question: 'Are the properties needed for dimensional pricing already in the payloads?',
      answer:
        `Checked for ${list(req.keys.map((k) => mdCode(k)))}: ${complete.length === req.byEventName.length ? 'yes' : 'partly'} — ` +
        `${plural(complete.length, 'event name')} of ${int(req.byEventName.length)} carry all of them in every event; ${plural(missingEvents, 'event')} lack at least one.`,
      evidence: req.byEventName.map(
        (n) =>
          `${mdCode(n.eventName)}: ${int(n.complete)} of ${int(n.events)} complete (${pct(n.coverage)}); ` +
          n.perKey.map((k) => `${mdCode(k.key)} ${pct(k.coverage)}`).join(', ') +
          (n.customersMissing ? `; ${plural(n.customersMissing, 'customer')} affected` : '') +
          ' (`requirements`)',
      ),
      figures: { required: req.keys, eventNamesComplete: complete.length, eventNames: req.byEventName.length, eventsMissingARequiredKey: missingEvents },
    };
  }
  const rows = r.dimensionCandidates.map((d) => {
    const singles = new Map(d.candidates.filter((c) => c.kind === 'single').map((c) => [c.keys[0], c]));
    const keys = d.design.pricingKeys.map((k) => ({ key: k, presence: singles.get(k)?.presence ?? 0, values: singles.get(k)?.combinations ?? 0 }));
    return { name: d.eventName, keys, full: keys.length > 0 && keys.every((k) => k.presence === 1) };
  });
  const withKeys = rows.filter((x) => x.keys.length);
  const full = rows.filter((x) => x.full);
  return {
    id: 'pricing-properties',
    question: 'Are the properties needed for dimensional pricing already in the payloads?',
    answer:
      rows.length === 0
        ? 'No events.'
        : `${plural(withKeys.length, 'event name')} of ${int(rows.length)} already carry low-cardinality keys to price by` +
          (withKeys.length ? `; in ${int(full.length)} of them every pricing key is in every event` : '') +
          '. (Name the keys your price book needs with `profile --require k1,k2` to measure their coverage exactly.)',
    evidence: rows.map(
      (x) =>
        `${mdCode(x.name)}: ${x.keys.length ? x.keys.map((k) => `${mdCode(k.key)} ${int(k.values)} values in ${pct(k.presence)} of events`).join(', ') : 'no pricing key'} (\`dimensionCandidates\`)`,
    ),
    figures: { eventNamesWithPricingKeys: withKeys.length, eventNamesFullyCovered: full.length, eventNames: rows.length },
  };
}

function metadata(r: ProfileReport, byName: Map<string, PropertyProfile[]>): MeteringAnswer {
  const used = new Map(r.dimensionCandidates.map((d) => [d.eventName, new Set([...d.design.pricingKeys, ...d.design.presentationKeys])]));
  const extra: PropertyProfile[] = [];
  for (const [name, props] of byName) for (const p of props) if (p.role === null && !used.get(name)?.has(p.key)) extra.push(p);
  const keys = [...new Set(extra.map((p) => p.key))];
  const byClass = new Map<string, number>();
  for (const p of extra) byClass.set(p.class, (byClass.get(p.class) ?? 0) + 1);
  const evidence = extra
    .slice(0, 40)
    .map((p) => `${mdCode(p.eventName)} · ${mdCode(p.key)}: ${p.class}, ${p.distinctExact ? '' : '≈'}${int(p.distinct)} distinct, in ${pct(p.presence)} of events (\`properties\`)`);
  if (extra.length > 40) evidence.push(`… and ${int(extra.length - 40)} more`);
  return {
    id: 'metadata',
    question: 'What additional metadata properties do the events carry?',
    answer: keys.length
      ? `${plural(keys.length, 'payload key')} beyond the customer, value and dimension keys (${[...byClass.entries()].map(([c, n]) => `${int(n)} ${c}`).join(', ')}): ${list(keys.slice(0, 12).map((k) => mdCode(k)))}${keys.length > 12 ? ', …' : ''}. They can ride along as event properties; Metronome ignores properties no metric filters or groups by.`
      : 'None: every payload key is the customer, the value or a dimension key.',
    evidence,
    figures: { extraKeys: keys.length, keys },
  };
}

function identity(r: ProfileReport): MeteringAnswer {
  const id = r.identity;
  const t = r.time;
  return {
    id: 'identity',
    question: 'Do events carry a unique idempotency key, and do any arrive late or from the future?',
    answer:
      `${plural(r.events.total - id.withoutIdentifier, 'event')} of ${int(r.events.total)} carry an identifier (it becomes Metronome's transaction_id); ` +
      `${int(id.duplicates34d)} would be dropped as duplicates within Metronome's 34-day window (${int(id.duplicates24h)} within Stripe's 24 h). ` +
      `${int(t.staleOver34d)} events are older than 34 days and ${int(t.futureOver24h)} more than 24 h ahead of ${when(t.asOf)} UTC.`,
    evidence: [
      `without identifier: ${int(id.withoutIdentifier)}; identifiers reused: ${int(id.reusedIdentifiers)} (\`identity\`)`,
      ...id.examples34d.slice(0, 3).map((e) => `reused ${mdText(e.identifier, 60)}: ${mdText(e.first.source.split('/').pop() ?? '', 60)}:${e.first.line} and :${e.duplicate.line}, ${duration(e.gapSeconds)} apart`),
      `time checks against ${when(t.asOf)} UTC (${t.asOfSource === 'flag' ? '--as-of' : 'the last event'}): ${int(t.staleOver35d)} > 35 days old, ${int(t.futureOver5m)} > 5 min ahead; ${int(t.outOfOrder)} out of file order (\`time\`)`,
    ],
    figures: {
      withoutIdentifier: id.withoutIdentifier,
      duplicates24h: id.duplicates24h,
      duplicates34d: id.duplicates34d,
      staleOver34d: t.staleOver34d,
      futureOver24h: t.futureOver24h,
    },
  };
}
