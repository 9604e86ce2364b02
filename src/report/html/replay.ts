/**
 * HTML page for a replay run: accounting first (every event acknowledged, rejected or failed), then
 * latency percentiles over time, outcomes per second, status counts, and the settings used. Reasons in
 * the outcomes come from the target's answers: untrusted, escaped like payload text.
 */
import type { ReplayReport } from '../../replay/model.js';
import type { LatencySummary } from '../../replay/metrics.js';
import { replayChartSpecs } from '../charts/replay.js';
import { renderCharts } from '../charts/svg.js';
import type { RenderedChart } from '../charts/style.js';
import { html } from '../escape.js';
import { dec, int, ms, plural, when } from '../format.js';
import { page } from './page.js';
import { figure, section, table, tiles } from './parts.js';
import { SINK_TITLE, answeredLabel, sinkRows } from '../replay-target-count.js';

export async function renderReplayHtml(r: ReplayReport): Promise<string> {
  const charts = new Map((await renderCharts(replayChartSpecs(r))).map((c) => [c.id, c]));
  const accounting = accountingSection(r);
  const latency = latencySection(r, charts);
  const statuses = statusesSection(r, charts);
  const settings = settingsTable(r);
  const notes = r.notes.length ? `<ul>${r.notes.map((n) => `<li>${html(n)}</li>`).join('')}</ul>` : '<p class="note">None.</p>';

  return page({
    title: `Replay benchmark · run ${r.runId}${r.status === 'interrupted' ? ' (interrupted)' : ''}`,
    subtitle: html(`${r.protocol} → ${r.target} · ${when(r.startedAt)} → ${when(r.finishedAt)} UTC (${dec(r.elapsedS)} s) · ${plural(r.input.events, 'input event')}`),
    nav: [
      { id: 'accounting', label: 'Accounting' },
      { id: 'latency', label: 'Latency' },
      { id: 'statuses', label: 'Statuses' },
      { id: 'settings', label: 'Settings' },
      { id: 'notes', label: 'Notes' },
    ],
    body: [
      section('accounting', 'Accounting', accounting),
      section('latency', 'Latency and throughput', latency),
      section('statuses', 'Statuses and outcomes', statuses),
      section('settings', 'Settings', settings),
      section('notes', 'Notes', notes),
    ].join('\n'),
    model: r,
  });
}

/** Where every input event ended, and what the target itself counted. */
function accountingSection(r: ReplayReport): string {
  const t = r.totals;
  return (
    tiles([
      { k: 'events sent', v: int(t.eventsSent), d: `of ${int(t.eventsInput)} in the input` },
      { k: answeredLabel(r), v: int(t.acknowledged), d: `${dec(r.achieved.acknowledgedPerS)}/s` },
      { k: 'rejected (4xx)', v: int(t.rejected) },
      { k: 'failed', v: int(t.failed), d: 'after retries' },
      { k: 'not sent', v: int(t.notSent) },
      { k: 'p99 latency', v: `${ms(r.latency.p99Ms)} ms`, d: `p50 ${ms(r.latency.p50Ms)} ms` },
    ]) +
    table(
      [
        { text: 'input', num: true },
        { text: 'sent', num: true },
        { text: answeredLabel(r), num: true },
        { text: 'rejected', num: true },
        { text: 'failed', num: true },
        { text: 'not sent', num: true },
        'balanced',
      ],
      [
        {
          cells: [
            t.eventsInput,
            t.eventsSent,
            t.acknowledged,
            t.rejected,
            t.failed,
            t.notSent,
            {
              html: r.accountingOk
                ? `<span class="ok">✔ ${r.validatedLater ? 'received' : 'acknowledged'} + rejected + failed = sent</span>`
                : '<span class="bad">✖ MISMATCH</span>',
            },
          ],
        },
      ],
    ) +
    `<p class="note">${html(
      `${int(t.requests)} requests, ${int(t.attempts)} attempts (${int(t.retries)} retries${t.sessionRequests ? `, ${int(t.sessionRequests)} session requests` : ''}). ` +
        `Achieved ${dec(r.achieved.eventsPerS)} events/s answered, ${dec(r.achieved.requestsPerS)} requests/s; offered ${dec(r.achieved.offeredEventsPerS)} events/s.`,
    )}</p>` +
    sinkTable(r)
  );
}

type Charts = Map<string, RenderedChart>;

function latencySection(r: ReplayReport, charts: Charts): string {
  const latRow = (name: string, s: LatencySummary | null) => ({
    cells:
      s && s.count
        ? [name, ...[s.p50Ms, s.p90Ms, s.p99Ms, s.p999Ms, s.maxMs].map((v) => ({ text: ms(v), num: true, sort: v })), s.count]
        : [name, '-', '-', '-', '-', '-', 0],
  });
  return (
    figure(charts.get('replay-latency')) +
    table(
      [
        'measure (ms)',
        { text: 'p50', num: true },
        { text: 'p90', num: true },
        { text: 'p99', num: true },
        { text: 'p99.9', num: true },
        { text: 'max', num: true },
        { text: 'count', num: true },
      ],
      [
        latRow('latency from the scheduled send time', r.latency),
        latRow('service time per attempt', r.service),
        // Older stored replay reports lack connectionWait.
        latRow('wait for a free connection', r.connectionWait ?? null),
        latRow('generator lag (open model)', r.lag),
      ],
    ) +
    figure(charts.get('replay-outcomes'))
  );
}

function statusesSection(r: ReplayReport, charts: Charts): string {
  return (
    figure(charts.get('replay-statuses')) +
    (r.outcomes.length
      ? '<h3>Outcomes</h3>' +
        table(
          ['outcome', 'status', 'reason', { text: 'requests', num: true }, { text: 'events', num: true }],
          r.outcomes.map((o) => ({
            cells: [o.outcome, o.status === 0 ? 'no answer' : String(o.status), { html: `<span class="mono">${html(o.reason || '-')}</span>` }, o.requests, o.events],
          })),
          { sortable: true },
        )
      : '')
  );
}

function settingsTable(r: ReplayReport): string {
  const s = r.settings;
  return table(
    ['setting', 'value'],
    [
      ['protocol', r.protocol],
      ['target', r.target],
      ['pacing', s.pacingText],
      ['connections × pipelining', `${s.connections} × ${s.pipelining}`],
      ['batch / flush', `${s.batch} events / ${s.flushMs} ms`],
      ['max in flight', String(s.maxInFlight)],
      ['timeout / retries', `${s.timeoutMs} ms / ${s.retries} (wait ≤ ${s.maxRetryWaitMs} ms)`],
      ['timestamps', s.timestamps],
      ['gzip / unique ids', `${s.gzip ? 'yes' : 'no'} / ${s.uniqueIds ? 'yes' : 'no'}`],
      ['duration / limit', `${s.durationS ?? '-'} / ${s.limit ?? '-'}`],
      ['input', r.input.kind === 'run' ? `run ${r.sourceRunId}` : r.input.names.join(', ')],
    ].map(([k, v]) => ({ cells: [k, { html: `<span class="mono">${html(v)}</span>` }] })),
  );
}

/** The sink's own count next to the replay's, when the target was a meterscope sink. */
function sinkTable(r: ReplayReport): string {
  const rows = sinkRows(r);
  if (!rows.length) return '';
  return (
    `<h3>${html(SINK_TITLE)}</h3>` +
    table(
      ['', { text: 'events', num: true }],
      rows.map(([k, n]) => ({ cells: [k, n] })),
    )
  );
}
