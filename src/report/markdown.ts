/**
 * Markdown rendering: the "Metering" answers of a Stripe → Metronome scoping questionnaire with their
 * numbers and evidence, the billable-metric drafts, and reference tables — ready to paste into a
 * migration plan. Every name and value from the payloads goes through escape.ts (mdText / mdCode).
 */
import type { ProfileReport, PropertyProfile } from '../profile/model.js';
import type { ReplayReport } from '../replay/model.js';
import type { LatencySummary } from '../replay/metrics.js';
import type { TailReport, TailSummary } from '../tail/model.js';
import { meteringAnswers } from './answers.js';
import { billableMetricDrafts } from './drafts.js';
import { adviceOf } from '../advice/index.js';
import { mdCode, mdText } from './escape.js';
import { dec, duration, int, ms, pct, plural, when } from './format.js';
import { confirmationTable, draftSection, mdHeader as header, mdRow as row } from './markdown-advice.js';
import { cutoverRows, fitNotes } from './fit-notes.js';
import { SINK_TITLE, answeredLabel, sinkRows } from './replay-target-count.js';
import { sampleSection } from './markdown-sample.js';
import { SAMPLE_ADVICE_NOTE, SAMPLE_FIT_NOTE, inconclusiveNotes, sampleRatesNote, shownVerdict } from './sample-text.js';

const MAX_PROPERTY_ROWS = 200;
const VERDICT: Record<string, string> = { fits: '✔ FITS', tight: '▲ TIGHT', exceeds: '✖ EXCEEDS', inconclusive: '? INCONCLUSIVE AT THIS SAMPLE' };

export function renderMarkdown(r: ProfileReport | TailReport): string {
  const drafts = billableMetricDrafts(r);
  const out: string[] = [];
  out.push(`# Metering profile: run ${mdText(r.runId, 60)}`, '');
  out.push(
    `Measured by meterscope from ${plural(r.events.total, 'event')} (${plural(r.events.rejected, 'rejected line')})` +
      (r.events.first ? ` between ${when(r.events.first)} and ${when(r.events.last)} UTC (${duration(r.rate.spanSeconds)})` : '') +
      `; report generated ${when(r.generatedAt)} UTC. Sources: ${r.sources.map((s) => `${mdText(s.source, 120)} (${mdText(s.format)})`).join(', ') || 'none'}.`,
    '',
  );
  out.push(...sampleSection(r));

  out.push('## Metering', '');
  meteringAnswers(r, drafts).forEach((a, i) => {
    out.push(`### ${i + 1}. ${a.question}`, '', `**Answer:** ${a.answer}`, '');
    if (a.evidence.length) {
      out.push('Evidence:', '');
      for (const e of a.evidence) out.push(`- ${e}`);
      out.push('');
    }
  });

  out.push(...fitSection(r));

  const plans = adviceOf(r).plans;
  if (plans.length) {
    out.push('## Group keys: confirmation table', '');
    out.push(
      "Metronome's group keys cannot be changed once a metric exists: confirm this table first. Cardinality is what the log shows " +
        '(observed values and combinations, not the cross product); per customer is the distinct values one customer has (nearest-rank p50 / p99, max).',
      '',
    );
    for (const p of plans) out.push(...confirmationTable(p));
  }

  out.push('## Billable-metric drafts', '');
  out.push(
    'One proposed Metronome billable metric per event name, as the body of `POST /v1/billable-metrics/create`. ' +
      'Review the warnings first: group keys cannot be edited once a metric exists.',
    '',
  );
  if (r.sample) out.push(`> ${SAMPLE_ADVICE_NOTE}.`, '');
  if (drafts.length === 0) out.push('No events, no drafts.', '');
  for (const d of drafts) out.push(...draftSection(d));

  if (r.eventNames.length) {
    out.push('## Event names', '');
    const note = sampleRatesNote(r);
    if (note) out.push(`> ${note}.`, '');
    out.push(...header(['event name', 'events', 'share', 'avg events/s', 'peak 1 s', 'first (UTC)', 'last (UTC)'], ['l', 'r', 'r', 'r', 'r', 'l', 'l']));
    for (const n of r.eventNames) out.push(row([mdCode(n.name), int(n.count), pct(n.share), dec(n.avgEps), int(n.peak1s), when(n.first), when(n.last)]));
    out.push('');
  }

  if (r.properties.length) {
    out.push('## Payload keys', '');
    out.push(...header(['event name', 'key', 'class', 'presence', 'distinct', 'numeric', 'most frequent values'], ['l', 'l', 'l', 'r', 'r', 'r', 'l']));
    for (const p of r.properties.slice(0, MAX_PROPERTY_ROWS)) out.push(propertyRow(p));
    if (r.properties.length > MAX_PROPERTY_ROWS) out.push('', `… ${int(r.properties.length - MAX_PROPERTY_ROWS)} more keys in \`--format json\`.`);
    out.push('');
  }

  if ('tail' in r) out.push(...tailSection(r.tail));
  out.push(...problems(r));
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}

/** The fit table against the published limits, each path's advice and the notes behind the verdicts. */
function fitSection(r: ProfileReport): string[] {
  if (!r.fit.length) return [];
  const out: string[] = [];
  out.push('## Fit against published ingestion limits', '');
  if (r.sample) out.push(`> ${SAMPLE_FIT_NOTE}.`, '');
  out.push(...header(['path', 'limit', 'peak need', 'use of limit', 'headroom', 'seconds over', 'verdict'], ['l', 'l', 'r', 'r', 'r', 'r', 'l']));
  for (const f of r.fit) {
    const limit = [
      f.limits.requestsPerSecond !== null ? `${int(f.limits.requestsPerSecond)} req/s` : '',
      f.limits.eventsPerSecond !== null ? `${int(f.limits.eventsPerSecond)} events/s` : '',
    ]
      .filter(Boolean)
      .join(', ');
    out.push(
      row([
        `${mdText(f.label)} (${mdText(f.endpoint)})`,
        `${limit}, ≤ ${int(f.limits.maxEventsPerRequest)}/request`,
        `${int(f.need.peakRequestsPerSecond)} req/s`,
        pct(f.utilization),
        f.headroom === null ? '-' : `${dec(f.headroom)}×`,
        int(f.secondsOverLimit),
        `**${VERDICT[shownVerdict(r, f)] ?? shownVerdict(r, f)}**`,
      ]),
    );
  }
  out.push(
    '',
    ...r.fit.map((f) => `- ${mdText(f.label)}: ${mdText(f.advice.text, 600)}`),
    ...[...inconclusiveNotes(r), ...fitNotes(r)].map((n) => `- ${mdText(n, 600)}`),
    '',
  );
  return out;
}

function propertyRow(p: PropertyProfile): string {
  const values =
    p.numeric && p.class === 'measure'
      ? `${dec(p.numeric.min)} … ${dec(p.numeric.max)}, p50 ${dec(p.numeric.p50)}`
      : p.topValues
          .slice(0, 3)
          .map((t) => `${mdText(t.value, 30)} (${pct(t.share)})`)
          .join(', ');
  return row([
    mdCode(p.eventName, 40),
    mdCode(p.key, 40),
    `${p.class}${p.role ? ` (${p.role})` : ''}`,
    pct(p.presence),
    `${p.distinctExact ? '' : '≈'}${int(p.distinct)}`,
    pct(p.numericShare),
    values,
  ]);
}

function tailSection(t: TailSummary): string[] {
  return [
    '## Live tail',
    '',
    `Stopped by ${mdText(t.stop)}${t.resumed ? ' (resumed run)' : ''}: ${plural(t.linesRead, 'line')} read (${int(t.bytesRead)} bytes) in ${plural(t.batches, 'batch', 'batches')}. ` +
      `Arrival rate ${dec(t.arrival.avg)} lines/s on average, peak ${int(t.arrival.peak)} lines/s, p99 ${int(t.arrival.p99)} over ${plural(t.arrival.seconds, 'second')}.`,
    '',
  ];
}

function problems(r: ProfileReport): string[] {
  const lines: string[] = [];
  if (r.rejects.total) {
    lines.push(`- ${plural(r.rejects.total, 'rejected line')} (kept in the store's rejects table):`);
    for (const b of r.rejects.byReason.slice(0, 10)) lines.push(`  - ${int(b.count)} × ${mdText(b.reason, 200)}`);
    for (const e of r.rejects.examples)
      lines.push(`  - ${mdText(e.source.split('/').pop() ?? e.source, 80)} line ${int(e.line)}: ${mdText(e.reason, 120)}: ${mdText(e.raw, 120)}`);
  }
  if (r.customers.missing) lines.push(`- ${plural(r.customers.missing, 'event')} without a customer.`);
  for (const [check, n, meaning] of cutoverRows(r)) if (n > 0) lines.push(`- ${mdText(check)}: ${plural(n, 'event')} (${mdText(meaning)}).`);
  for (const e of r.cutover?.nearDuplicates.examples.slice(0, 3) ?? []) {
    lines.push(
      `  - ${mdText(e.customer, 40)} · ${mdCode(e.eventName)} at ${when(e.at)}: ${plural(e.events, 'event')}, identifiers ${e.identifiers.map((i) => mdText(i || '(none)', 40)).join(', ')}`,
    );
  }
  if (r.requirements) {
    for (const n of r.requirements.byEventName) {
      if (n.complete < n.events)
        lines.push(`- ${mdCode(n.eventName)}: ${plural(n.events - n.complete, 'event')} miss a required key; ${plural(n.customersMissing, 'customer')} affected.`);
    }
  }
  return ['## Problems found', '', ...(lines.length ? lines : ['None beyond those in the answers above.']), ''];
}

// ---- replay ----------------------------------------------------------------------------------------

export function renderReplayMarkdown(r: ReplayReport): string {
  const t = r.totals;
  const out: string[] = [];
  out.push(`# Replay benchmark: run ${mdText(r.runId, 60)}`, '');
  out.push(
    `${r.status === 'interrupted' ? '**Interrupted.** ' : ''}Replayed ${plural(r.input.events, 'event')} from ${r.input.kind === 'run' ? `run ${mdText(r.sourceRunId)}` : r.input.names.map((n) => mdText(n, 120)).join(', ')} ` +
      `to ${mdText(r.target, 200)} (${mdText(r.protocol)}), ${mdText(r.settings.pacingText)}, ${plural(r.settings.connections, 'connection')}, batches of ${int(r.settings.batch)}; ` +
      `${when(r.startedAt)} → ${when(r.finishedAt)} UTC (${dec(r.elapsedS)} s).`,
    '',
  );
  out.push('## Accounting', '');
  out.push(...header(['input', 'sent', answeredLabel(r), 'rejected', 'failed', 'not sent', 'balanced'], ['r', 'r', 'r', 'r', 'r', 'r', 'l']));
  out.push(row([int(t.eventsInput), int(t.eventsSent), int(t.acknowledged), int(t.rejected), int(t.failed), int(t.notSent), r.accountingOk ? '✔ yes' : '✖ NO']));
  out.push(
    '',
    `${int(t.requests)} requests, ${int(t.attempts)} attempts (${int(t.retries)} retries). Achieved ${dec(r.achieved.eventsPerS)} events/s answered, ${dec(r.achieved.acknowledgedPerS)} ${r.validatedLater ? 'received' : 'acknowledged'}/s; offered ${dec(r.achieved.offeredEventsPerS)} events/s.`,
    '',
  );
  const sink = sinkRows(r);
  if (sink.length) {
    out.push(`## ${SINK_TITLE}`, '', ...header(['', 'events'], ['l', 'r']), ...sink.map(([k, n]) => row([k, int(n)])), '');
  }
  out.push('## Latency (ms)', '');
  out.push(...header(['measure', 'p50', 'p90', 'p99', 'p99.9', 'max', 'count'], ['l', 'r', 'r', 'r', 'r', 'r', 'r']));
  const lat = (name: string, s: LatencySummary | null) =>
    s && s.count ? row([name, ms(s.p50Ms), ms(s.p90Ms), ms(s.p99Ms), ms(s.p999Ms), ms(s.maxMs), int(s.count)]) : row([name, '-', '-', '-', '-', '-', '0']);
  out.push(
    lat('latency from scheduled time', r.latency),
    lat('service time per attempt', r.service),
    lat('wait for a free connection', r.connectionWait ?? null),
    lat('generator lag', r.lag),
    '',
  );
  out.push('## HTTP statuses', '');
  out.push(...header(['status', 'attempts'], ['l', 'r']));
  for (const s of r.statuses) out.push(row([s.status === 0 ? 'no answer' : String(s.status), int(s.attempts)]));
  out.push('');
  if (r.outcomes.length) {
    out.push('## Outcomes', '');
    out.push(...header(['outcome', 'status', 'reason', 'requests', 'events'], ['l', 'l', 'l', 'r', 'r']));
    for (const o of r.outcomes) out.push(row([o.outcome, o.status === 0 ? 'no answer' : String(o.status), mdText(o.reason || '-', 200), int(o.requests), int(o.events)]));
    out.push('');
  }
  if (r.notes.length) out.push('## Notes', '', ...r.notes.map((n) => `- ${mdText(n, 400)}`), '');
  return `${out.join('\n').trimEnd()}\n`;
}
