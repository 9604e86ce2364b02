/**
 * HTML rendering of a profile report: one self-contained file with charts rendered at report time
 * (charts/, Vega → inline SVG), a sortable/filterable properties table, fit verdicts that read in
 * greyscale, the billable-metric drafts, and the model embedded as JSON. Payload text is escaped
 * everywhere (escape.ts) and the page's CSP allows no network and no script but its own.
 */
import type { ProfileReport, PropertyProfile } from '../profile/model.js';
import type { TailReport, TailSummary } from '../tail/model.js';
import { profileChartSpecs } from './charts/profile.js';
import { renderCharts } from './charts/svg.js';
import type { RenderedChart } from './charts/style.js';
import { billableMetricDrafts, type MetricDraft } from './drafts.js';
import { adviceOf } from '../advice/index.js';
import { confirmationTables, draftsSection } from './html/advice.js';
import { fitNotes } from './fit-notes.js';
import { html, truncate } from './escape.js';
import { dec, duration, int, pct, plural, when, windowFits } from './format.js';
import { page } from './html/page.js';
import { code, figure, section, table, tiles, verdictCell } from './html/parts.js';
import { problems } from './html/problems.js';
import { sampleSection } from './html/sample.js';
import { SAMPLE_ADVICE_NOTE, SAMPLE_FIT_NOTE, inconclusiveNotes, sampleRatesNote, shownVerdict } from './sample-text.js';

const MAX_CANDIDATES_PER_NAME = 10;

export async function renderHtml(r: ProfileReport | TailReport): Promise<string> {
  const charts = new Map((await renderCharts(profileChartSpecs(r))).map((c) => [c.id, c]));
  const metricDrafts = billableMetricDrafts(r);
  const tail = 'tail' in r ? r.tail : undefined;
  const has = r.events.total > 0;
  const parts = [
    sampleSection(r),
    overview(r),
    has ? fit(r) : '',
    has ? rates(r, charts) : '',
    has ? properties(r, charts) : '',
    has ? dimensions(r, charts) : '',
    has ? drafts(metricDrafts, r.sample !== undefined) : '',
    tail ? tailSection(tail) : '',
    problems(r),
  ];
  const nav = [
    ...(r.sample ? [{ id: 'sample', label: 'Sample' }] : []),
    { id: 'overview', label: 'Overview' },
    ...(has
      ? [
          { id: 'fit', label: 'Fit' },
          { id: 'rates', label: 'Rates' },
          { id: 'properties', label: 'Properties' },
          { id: 'dimensions', label: 'Dimensions' },
          { id: 'drafts', label: 'Billable metrics' },
        ]
      : []),
    ...(tail ? [{ id: 'tail', label: 'Tail' }] : []),
    { id: 'problems', label: 'Problems' },
  ];
  return page({
    title: `Metering profile · run ${r.runId}`,
    subtitle: `${html(r.store)} · generated ${html(when(r.generatedAt))} UTC · ${html(r.sources.map((s) => `${s.source} (${s.format})`).join(', '))}`,
    nav,
    body: parts.filter(Boolean).join('\n'),
    model: r,
  });
}

function overview(r: ProfileReport): string {
  const rt = r.rate;
  const t = tiles([
    { k: 'events', v: int(r.events.total), d: `${int(r.events.rejected)} rejected lines` },
    { k: 'span', v: r.events.first ? duration(rt.spanSeconds) : '-', d: r.events.first ? `${when(r.events.first)} → ${when(r.events.last)} UTC` : 'no events' },
    { k: 'average', v: `${dec(rt.avgEps)}/s`, d: 'events per second over the span' },
    { k: 'peak 1 s', v: `${int(rt.peak['1s'].events)}/s`, d: rt.peak['1s'].at ? `at ${when(rt.peak['1s'].at)} UTC` : '' },
    {
      k: 'peak 60 s',
      v: windowFits(rt.spanSeconds, '60s') ? `${dec(rt.peak['60s'].eps)}/s` : 'n/a',
      d: rt.burstFactor === null ? '' : `burst ${dec(rt.burstFactor)}× the average`,
    },
    { k: 'event names', v: int(r.eventNames.length), d: 'one billable metric each' },
    { k: 'customers', v: int(r.customers.distinct), d: `by ${truncate(r.customers.key, 40)}` },
    { k: 'payload keys', v: int(new Set(r.properties.map((p) => p.key)).size), d: `${int(r.properties.length)} event-name × key pairs` },
  ]);
  const sources = table(
    ['source', 'format', { text: 'lines', num: true }, { text: 'events', num: true }, { text: 'rejected', num: true }, { text: 'load s', num: true }],
    r.sources.map((s) => ({
      cells: [{ html: `<span class="mono">${html(s.source)}</span>` }, s.format, s.lines, s.events, s.rejects, { text: dec(s.seconds), num: true }],
    })),
  );
  return section('overview', 'Overview', `${t}<h3>Sources</h3>${sources}`);
}

function fit(r: ProfileReport): string {
  const rows = r.fit.map((f) => ({
    cells: [
      { html: `<b>${html(f.label)}</b><br><span class="mono">${html(f.endpoint)}</span>` },
      {
        html: [
          f.limits.requestsPerSecond !== null ? `${int(f.limits.requestsPerSecond)} requests/s` : '',
          f.limits.eventsPerSecond !== null ? `${int(f.limits.eventsPerSecond)} events/s` : '',
          `≤ ${int(f.limits.maxEventsPerRequest)} events/request`,
        ]
          .filter(Boolean)
          .map(html)
          .join('<br>'),
      },
      { text: `${dec(f.need.avgRequestsPerSecond)} → ${int(f.need.peakRequestsPerSecond)} req/s`, num: true, sort: f.need.peakRequestsPerSecond },
      { text: pct(f.utilization), num: true, sort: f.utilization },
      { text: f.headroom === null ? '-' : `${dec(f.headroom)}×`, num: true, sort: f.headroom ?? 0 },
      { text: int(f.secondsOverLimit), num: true, sort: f.secondsOverLimit },
      verdictCell(shownVerdict(r, f)),
      { text: f.advice.text },
    ],
  }));
  const t = table(
    [
      'path',
      'published limit',
      { text: 'need avg → peak', num: true },
      { text: 'use of limit', num: true },
      { text: 'headroom', num: true },
      { text: 's over limit', num: true },
      'verdict',
      'how to send',
    ],
    rows,
    { id: 'fit-table' },
  );
  const sources = [...new Set(r.fit.flatMap((f) => f.sources))].filter((u) => /^https:\/\/[\w.-]+\//.test(u));
  return section(
    'fit',
    'Fit against published ingestion limits',
    (r.sample ? `<p class="note"><b>${html(SAMPLE_FIT_NOTE)}.</b></p>` : '') +
      `<p class="note">Peak need is the busiest second (${int(r.rate.peak['1s'].events)} events) in requests at full batching. ` +
      'Verdicts: ✔ FITS = peak need ≤ 50 % of the limit; ▲ TIGHT = ≤ 100 %; ✖ EXCEEDS = over the limit.</p>' +
      t +
      [...inconclusiveNotes(r), ...fitNotes(r)].map((n) => `<p class="note">${html(n)}</p>`).join('') +
      `<p class="note">Limits as published: ${sources.map((u) => `<a href="${html(u)}" rel="noreferrer">${html(u.replace(/^https:\/\//, ''))}</a>`).join(' · ')}</p>`,
  );
}

function rates(r: ProfileReport, charts: Map<string, RenderedChart>): string {
  const names = table(
    [
      'event name',
      { text: 'events', num: true },
      { text: 'share', num: true },
      { text: 'avg/s', num: true },
      { text: 'peak 1 s', num: true },
      'peak at (UTC)',
      'first (UTC)',
      'last (UTC)',
    ],
    r.eventNames.map((n) => ({
      cells: [
        { html: code(n.name) },
        n.count,
        { text: pct(n.share), num: true, sort: n.share },
        { text: dec(n.avgEps), num: true, sort: n.avgEps },
        n.peak1s,
        when(n.peak1sAt),
        when(n.first),
        when(n.last),
      ],
    })),
    { sortable: true, id: 'event-names' },
  );
  const customers = r.customers.top.length
    ? `<h3>Top customers (${html(int(r.customers.distinct))} distinct by ${code(r.customers.key)}; ${html(int(r.customers.missing))} events without one)</h3>` +
      table(
        ['customer', { text: 'events', num: true }, { text: 'share', num: true }, { text: 'peak 1 s', num: true }, 'peak at (UTC)'],
        r.customers.top.map((c) => ({ cells: [{ html: code(c.customer) }, c.count, { text: pct(c.share), num: true, sort: c.share }, c.peak1s, when(c.peak1sAt)] })),
        { sortable: true },
      )
    : '';
  const q = r.rate.percentiles;
  return section(
    'rates',
    'Rates',
    (sampleRatesNote(r) ? `<p class="note"><b>${html(sampleRatesNote(r)!)}.</b></p>` : '') +
      figure(charts.get('rate-over-time')) +
      figure(charts.get('rate-distribution')) +
      `<p class="note">Per second over ${html(int(r.rate.spanSeconds))} s (${html(int(r.rate.activeSeconds))} with events): p50 ${html(int(q.p50))}, p90 ${html(int(q.p90))}, p99 ${html(int(q.p99))}, p99.9 ${html(int(q.p999))}, max ${html(int(q.max))}.</p>` +
      figure(charts.get('week-hour')) +
      `<h3>Event names</h3>${names}${customers}`,
  );
}

function valuesHtml(p: PropertyProfile): string {
  if (p.numeric && p.class === 'measure') {
    const n = p.numeric;
    return html(`${dec(n.min)} … ${dec(n.max)} · mean ${dec(n.mean)} · p50 ${dec(n.p50)} · p99 ${dec(n.p99)}${n.quantilesExact ? '' : ' (estimated)'}`);
  }
  return p.topValues
    .slice(0, 5)
    .map((t) => `<span class="val" title="${html(truncate(t.value, 300))}">${html(truncate(t.value, 40))}</span> ${html(pct(t.share))}`)
    .join(' ');
}

function typesText(p: PropertyProfile): string {
  const entries = Object.entries(p.types).filter(([, n]) => n > 0);
  if (entries.length === 1) return entries[0][0];
  return entries.map(([t, n]) => `${t} ${pct(n / Math.max(1, p.present))}`).join(', ');
}

function properties(r: ProfileReport, charts: Map<string, RenderedChart>): string {
  const classes = [...new Set(r.properties.map((p) => p.class))].sort();
  const names = r.eventNames.map((n) => n.name);
  const option = (v: string) => `<option value="${html(v)}">${html(truncate(v, 60))}</option>`;
  const filters =
    `<form class="filters" data-filter-table="properties-table" autocomplete="off">` +
    `<input type="search" placeholder="filter by key, event name or value…" aria-label="filter properties">` +
    `<label>event name <select name="event"><option value="">all</option>${names.map(option).join('')}</select></label>` +
    `<label>class <select name="class"><option value="">all</option>${classes.map(option).join('')}</select></label>` +
    `<span class="filter-count"></span></form>`;
  const t = table(
    [
      'event name',
      'key',
      'class',
      { text: 'presence', num: true },
      { text: 'distinct', num: true },
      { text: 'numeric', num: true },
      'types',
      { text: 'avg len', num: true },
      'values',
      'why this class',
    ],
    r.properties.map((p) => ({
      attrs: { event: p.eventName, class: p.class },
      cells: [
        { html: code(p.eventName) },
        { html: `${code(p.key)}${p.role ? ` <small>(${html(p.role)})</small>` : ''}` },
        { html: `<span class="cls ${html(p.class.replace(/\s+/g, '-'))}">${html(p.class)}</span>`, sort: p.class },
        { text: pct(p.presence), num: true, sort: p.presence },
        { text: `${p.distinctExact ? '' : '≈'}${int(p.distinct)}`, num: true, sort: p.distinct },
        { text: pct(p.numericShare), num: true, sort: p.numericShare },
        typesText(p),
        { text: dec(p.avgLength), num: true, sort: p.avgLength },
        { html: valuesHtml(p) },
        p.classReason,
      ],
    })),
    { id: 'properties-table', sortable: true },
  );
  return section(
    'properties',
    'Payload properties',
    figure(charts.get('distinct-per-property')) +
      '<h3>All keys</h3><p class="note">Click a column to sort; type to filter. Values are the raw JSON text (strings keep their quotes).</p>' +
      filters +
      `<div class="scroll">${t}</div>`,
  );
}

function dimensions(r: ProfileReport, charts: Map<string, RenderedChart>): string {
  const per = r.dimensionCandidates
    .map((d) => {
      const rows = d.candidates.slice(0, MAX_CANDIDATES_PER_NAME).map((c) => ({
        cells: [
          { html: c.keys.map(code).join(' × ') },
          c.kind,
          { text: int(c.combinations), num: true, sort: c.combinations },
          { text: int(c.crossProduct), num: true, sort: c.crossProduct },
          { text: pct(c.presence), num: true, sort: c.presence },
          { text: c.score.toFixed(2), num: true, sort: c.score },
          c.reason,
        ],
      }));
      const cand = rows.length
        ? table(
            ['keys', 'kind', { text: 'combinations', num: true }, { text: 'product', num: true }, { text: 'presence', num: true }, { text: 'score', num: true }, 'why'],
            rows,
            { sortable: true },
          )
        : '<p class="note">No low-cardinality payload keys: nothing to price by.</p>';
      const more =
        d.candidates.length > MAX_CANDIDATES_PER_NAME ? `<p class="note">${html(int(d.candidates.length - MAX_CANDIDATES_PER_NAME))} more in the JSON model.</p>` : '';
      return `<h3>${code(d.eventName)} · ${html(plural(d.events, 'event'))}</h3>${cand}${more}`;
    })
    .join('\n');
  const compound = charts.get('compound-cardinality');
  return section(
    'dimensions',
    'Dimension candidates and group keys',
    (compound ? figure(compound) : '<p class="note">No compound candidates: fewer than two dimension keys per event name.</p>') +
      '<p class="note">Score: how good a key is to price by (presence × cardinality fit × evenness × growth).</p>' +
      per +
      '<h2>Group keys: confirmation table</h2><p class="note">Metronome\'s group keys cannot be changed once a metric exists: confirm this table first. ' +
      'Cardinality is what the log shows (observed values and combinations, not the cross product); per customer: nearest-rank p50 / p99 and the maximum.</p>' +
      confirmationTables(adviceOf(r).plans),
  );
}

function drafts(list: MetricDraft[], sampled: boolean): string {
  return section(
    'drafts',
    'Billable-metric drafts',
    '<p class="note">One proposed Metronome billable metric per event name: the body of <code>POST /v1/billable-metrics/create</code>. ' +
      'Group keys cannot be edited once a metric exists, so read the warnings first.</p>' +
      (sampled ? `<p class="note"><b>${html(SAMPLE_ADVICE_NOTE)}.</b></p>` : '') +
      draftsSection(list),
  );
}

function tailSection(t: TailSummary): string {
  return section(
    'tail',
    'Live tail',
    tiles([
      { k: 'stopped by', v: t.stop, d: t.resumed ? 'resumed run' : '' },
      { k: 'lines read', v: int(t.linesRead), d: `${int(t.bytesRead)} bytes in ${plural(t.batches, 'batch', 'batches')}` },
      { k: 'arrival avg', v: `${dec(t.arrival.avg)}/s`, d: `over ${plural(t.arrival.seconds, 'second')}` },
      { k: 'arrival peak', v: `${int(t.arrival.peak)}/s`, d: `p50 ${int(t.arrival.p50)}, p99 ${int(t.arrival.p99)}` },
    ]),
  );
}
