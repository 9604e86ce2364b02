/**
 * Chart specs (Vega-Lite) built from the report models, and their rendering to SVG strings at report
 * time with Vega in Node (no browser, no canvas). The HTML report inlines the SVG, so it needs no script
 * or network to show the charts. Vega escapes the text it writes into SVG; labels are still cut short.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { ProfileReport } from '../profile/model.js';
import type { ReplayReport } from '../replay/model.js';
import { stripControls, truncate } from './escape.js';
import { int, when } from './format.js';
import { DAY_NAMES, weekHourTable } from './week-hour.js';

export interface ChartSpec {
  id: string;
  title: string;
  /** One sentence under the title: how to read it. */
  caption: string;
  spec: TopLevelSpec;
}

export interface RenderedChart {
  id: string;
  title: string;
  caption: string;
  svg: string;
}

const WIDTH = 860;
const FONT = 'system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif';
const CONFIG = {
  font: FONT,
  background: 'white',
  view: { stroke: null },
  axis: { labelLimit: 280, labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#e8e8e8', domainColor: '#888', tickColor: '#888' },
  legend: { labelFontSize: 11, titleFontSize: 11, orient: 'top', labelLimit: 320 },
} as const;
/** Property/compound rows shown at most in a bar chart (the tables list all). */
export const MAX_BAR_ROWS = 60;
const LABEL_CHARS = 48;

const label = (s: string) => truncate(stripControls(s).replace(/\s+/g, ' '), LABEL_CHARS);

/** Makes labels unique (two long keys may cut to the same text) so bars don't merge. */
function uniqueLabels<T extends { label: string }>(rows: T[]): T[] {
  const seen = new Map<string, number>();
  for (const r of rows) {
    const n = (seen.get(r.label) ?? 0) + 1;
    seen.set(r.label, n);
    if (n > 1) r.label = `${r.label} (${n})`;
  }
  return rows;
}

/** 1, 10, 100, … from lo to hi (powers of ten), for log-axis ticks without minor-tick clutter. */
function decades(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)) && out.length < 40; e++) out.push(10 ** e);
  return out.map((v) => Number(v.toPrecision(1)));
}

/** Log-scale bars start here, below 1, so a key with a single value still shows a sliver. */
const LOG_BASE = 0.7;

const log10floor = (x: number) => 10 ** Math.floor(Math.log10(x));
const log10ceil = (x: number) => 10 ** Math.ceil(Math.log10(x));

// ---- profile charts ------------------------------------------------------------------------------

export function profileChartSpecs(r: ProfileReport): ChartSpec[] {
  if (r.events.total === 0) return [];
  const specs = [rateOverTime(r), rateDistribution(r), weekHour(r), distinctPerProperty(r), compoundCardinality(r)];
  return specs.filter((s): s is ChartSpec => s !== null);
}

/** The ingestion limits to draw: one line per distinct capacity, labelled with the paths that share it. */
export function limitLines(r: ProfileReport): { eps: number; label: string }[] {
  const by = new Map<number, string[]>();
  for (const f of r.fit) {
    const c = f.limits.capacityEventsPerSecond;
    if (!Number.isFinite(c) || c <= 0) continue;
    by.set(c, [...(by.get(c) ?? []), f.label]);
  }
  return [...by.entries()].sort((a, b) => a[0] - b[0]).map(([eps, labels]) => ({ eps, label: `${labels.join(' / ')}: ${int(eps)}/s` }));
}

function rateOverTime(r: ProfileReport): ChartSpec {
  const { series, peak } = r.rate;
  const b = series.bucketSeconds;
  const single = b === 1;
  const rows = series.points.flatMap((p) =>
    single
      ? [{ t: p.at, series: 'events/s', eps: p.avgEps }]
      : [
          { t: p.at, series: `average per ${bucketName(b)}`, eps: p.avgEps },
          { t: p.at, series: 'busiest second', eps: p.peak1s },
        ],
  );
  const limits = limitLines(r);
  const p1 = peak['1s'];
  const positives = rows.map((x) => x.eps).filter((x) => x > 0);
  const lo = log10floor(Math.min(...positives, 1));
  const hi = log10ceil(Math.max(...positives, ...limits.map((l) => l.eps)) * 1.5);
  const y = {
    field: 'eps',
    type: 'quantitative',
    scale: { type: 'log', domain: [lo, hi] },
    axis: { values: decades(lo, hi), format: ',~g' },
    title: 'events per second (log scale)',
  } as const;
  const x = { field: 't', type: 'temporal', scale: { type: 'utc' }, title: 'time (UTC)' } as const;
  const layers: unknown[] = [
    {
      data: { values: rows },
      mark: { type: 'line', strokeWidth: 1.5, point: series.points.length <= 40 },
      encoding: {
        x,
        y,
        color: { field: 'series', type: 'nominal', scale: { range: ['#4c78a8', '#f58518'] }, legend: { title: null } },
        tooltip: [
          { field: 't', type: 'temporal', title: 'bucket start (UTC)', format: '%Y-%m-%d %H:%M:%S', formatType: 'utc' },
          { field: 'series', type: 'nominal' },
          { field: 'eps', type: 'quantitative', format: ',.3~f', title: 'events/s' },
        ],
      },
    },
    { data: { values: limits }, mark: { type: 'rule', color: '#b00020', strokeDash: [6, 4], strokeWidth: 1.2 }, encoding: { y } },
    {
      data: { values: limits },
      mark: { type: 'text', color: '#b00020', align: 'right', baseline: 'bottom', dy: -3, x: 'width', fontSize: 11 },
      encoding: { y, text: { field: 'label' } },
    },
  ];
  if (p1.at && p1.eps > 0) {
    // On the series, the peak second is drawn at the start of the bucket holding it.
    const atMs = Date.parse(p1.at);
    const bucketStart = new Date(Math.floor(atMs / 1000 / b) * b * 1000).toISOString();
    const firstMs = Date.parse(r.events.first ?? p1.at);
    const lastMs = Date.parse(r.events.last ?? p1.at);
    const right = lastMs > firstMs && (atMs - firstMs) / (lastMs - firstMs) > 0.6;
    const peakRow = [{ t: bucketStart, eps: p1.eps, label: `peak ${int(p1.events)} events/s at ${when(p1.at)}` }];
    layers.push(
      { data: { values: peakRow }, mark: { type: 'point', shape: 'triangle-down', filled: true, size: 110, color: '#d62728', yOffset: -8 }, encoding: { x, y } },
      {
        data: { values: peakRow },
        mark: { type: 'text', align: right ? 'right' : 'left', dx: right ? -8 : 8, dy: -10, fontWeight: 'bold', fontSize: 11, color: '#7a0010' },
        encoding: { x, y, text: { field: 'label' } },
      },
    );
  }
  return {
    id: 'rate-over-time',
    title: 'Events per second over the span',
    caption: single
      ? 'Events in each second (log scale); dashed lines are published ingestion limits; the triangle marks the busiest second.'
      : `Average rate per ${bucketName(b)} and the busiest second inside each (log scale); dashed lines are published ingestion limits; the triangle marks the busiest second.`,
    spec: { width: WIDTH, height: 280, config: CONFIG, layer: layers } as unknown as TopLevelSpec,
  };
}

function bucketName(seconds: number): string {
  if (seconds % 86_400 === 0) return seconds === 86_400 ? 'day' : `${seconds / 86_400} days`;
  if (seconds % 3600 === 0) return seconds === 3600 ? 'hour' : `${seconds / 3600} hours`;
  if (seconds % 60 === 0) return seconds === 60 ? 'minute' : `${seconds / 60} minutes`;
  return `${seconds} seconds`;
}

/** Histogram buckets 0, 1, 2–3, 4–7, … up to the busiest second, empty ones included. */
export function rateHistogramRows(r: ProfileReport): { label: string; from: number; to: number; seconds: number; order: number }[] {
  const have = new Map(r.rate.histogram.map((h) => [`${h.from}-${h.to}`, h.seconds]));
  const max = Math.max(0, ...r.rate.histogram.map((h) => h.to));
  const out = [{ label: '0', from: 0, to: 0, seconds: have.get('0-0') ?? 0, order: 0 }];
  for (let from = 1, i = 1; from <= max; from *= 2, i++) {
    const to = from * 2 - 1;
    out.push({ label: from === to ? `${from}` : `${int(from)}–${int(to)}`, from, to, seconds: have.get(`${from}-${to}`) ?? 0, order: i });
  }
  // Buckets the model has but the power-of-two ladder doesn't (should not happen) are kept, not lost.
  for (const h of r.rate.histogram) {
    if (!out.some((o) => o.from === h.from && o.to === h.to)) out.push({ label: `${int(h.from)}–${int(h.to)}`, from: h.from, to: h.to, seconds: h.seconds, order: out.length });
  }
  return out.sort((a, b) => a.from - b.from).map((o, i) => ({ ...o, order: i }));
}

function rateDistribution(r: ProfileReport): ChartSpec {
  const rows = rateHistogramRows(r);
  const q = r.rate.percentiles;
  const x = { field: 'label', type: 'ordinal', sort: rows.map((o) => o.label), title: 'events in one second', axis: { labelAngle: 0 } };
  // Both layers carry the same y definition: Vega-Lite merges their axes.
  const y = {
    field: 'seconds',
    type: 'quantitative',
    scale: { type: 'symlog' },
    axis: { values: [0, ...decades(1, Math.max(...rows.map((o) => o.seconds), 1))], labelExpr: "format(datum.value, ',')" },
    title: 'seconds (symlog scale)',
  };
  return {
    id: 'rate-distribution',
    title: 'Distribution of per-second rates',
    caption: `Seconds of the span by how many events they held (empty seconds included; symmetric log scale). Per second: p50 ${int(q.p50)}, p90 ${int(q.p90)}, p99 ${int(q.p99)}, p99.9 ${int(q.p999)}, max ${int(q.max)}.`,
    spec: {
      width: WIDTH,
      height: 220,
      config: CONFIG,
      data: { values: rows },
      layer: [
        {
          mark: { type: 'bar', color: '#4c78a8' },
          encoding: {
            x,
            y,
            tooltip: [
              { field: 'label', title: 'events in the second' },
              { field: 'seconds', type: 'quantitative', format: ',', title: 'seconds' },
            ],
          },
        },
        {
          mark: { type: 'text', dy: -6, fontSize: 10, color: '#333' },
          encoding: { x, y, text: { field: 'seconds', type: 'quantitative', format: ',' } },
        },
      ],
    } as unknown as TopLevelSpec,
  };
}

function weekHour(r: ProfileReport): ChartSpec {
  const cells = weekHourTable(r);
  if (cells) {
    return {
      id: 'week-hour',
      title: 'Hour of day × day of week (UTC)',
      caption: 'Average events per second in each weekday-hour of the span (darker is busier; blank cells fall outside the span).',
      spec: {
        width: WIDTH - 60,
        height: 7 * 26,
        config: CONFIG,
        data: { values: cells.filter((c) => c.seconds > 0) },
        mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
        encoding: {
          x: { field: 'hour', type: 'ordinal', scale: { domain: Array.from({ length: 24 }, (_, i) => i) }, title: 'hour of day (UTC)', axis: { labelAngle: 0 } },
          y: { field: 'dayName', type: 'ordinal', scale: { domain: [...DAY_NAMES] }, title: null },
          color: { field: 'avgEps', type: 'quantitative', scale: { scheme: 'blues' }, title: 'avg events/s', legend: { orient: 'right' } },
          tooltip: [
            { field: 'dayName', title: 'day' },
            { field: 'hour', title: 'hour (UTC)' },
            { field: 'avgEps', type: 'quantitative', format: ',.3~f', title: 'avg events/s' },
            { field: 'events', type: 'quantitative', format: ',', title: 'events' },
          ],
        },
      } as unknown as TopLevelSpec,
    };
  }
  // Spans beyond ~3 weeks have 6 h or 1 day series buckets: chart the two marginals the model has.
  const hours = r.rate.hourOfDay.map((h) => ({ label: String(h.hour), order: h.hour, avgEps: h.avgEps, panel: 'hour of day (UTC)' }));
  const days = r.rate.dayOfWeek.map((d) => ({ label: d.name, order: d.day, avgEps: d.avgEps, panel: 'day of week (UTC)' }));
  const bar = (values: unknown[], title: string, width: number) => ({
    width,
    height: 160,
    data: { values },
    mark: { type: 'bar', color: '#4c78a8' },
    encoding: {
      x: { field: 'label', type: 'ordinal', sort: (values as { label: string }[]).map((v) => v.label), title, axis: { labelAngle: 0 } },
      y: { field: 'avgEps', type: 'quantitative', title: 'avg events/s' },
      tooltip: [{ field: 'label', title }, { field: 'avgEps', type: 'quantitative', format: ',.3~f', title: 'avg events/s' }],
    },
  });
  return {
    id: 'week-hour',
    title: 'Hour of day and day of week (UTC)',
    caption: `Average events per second by hour of day and by weekday. The span is long enough that the rate series has ${bucketName(r.rate.series.bucketSeconds)} buckets, so the hour × weekday cross table cannot be derived; these are its two marginals.`,
    spec: { config: CONFIG, hconcat: [bar(hours, 'hour of day (UTC)', 520), bar(days, 'day of week', 220)] } as unknown as TopLevelSpec,
  };
}

const CLASS_COLORS = {
  domain: ['dimension', 'measure', 'identifier-like', 'free text', 'constant'],
  range: ['#4c78a8', '#54a24b', '#e45756', '#b279a2', '#9d9d9d'],
};

function distinctPerProperty(r: ProfileReport): ChartSpec | null {
  if (r.properties.length === 0) return null;
  const multiName = r.eventNames.length > 1;
  const rows = uniqueLabels(
    r.properties.slice(0, MAX_BAR_ROWS).map((p, i) => ({
      label: label(multiName ? `${p.eventName} · ${p.key}` : p.key),
      order: i,
      distinct: Math.max(1, p.distinct),
      presence: p.presence,
      cls: p.class,
      approx: p.distinctExact ? '' : '≈',
    })),
  );
  const height = Math.max(60, rows.length * 18);
  const y = { field: 'label', type: 'nominal', sort: rows.map((x) => x.label), title: null };
  const hi = log10ceil(Math.max(...rows.map((x) => x.distinct)) * 1.01);
  const more = r.properties.length > MAX_BAR_ROWS ? ` The first ${MAX_BAR_ROWS} of ${int(r.properties.length)} keys are shown; the table below lists all.` : '';
  return {
    id: 'distinct-per-property',
    title: 'Distinct values per payload key, with presence',
    caption: `Left: distinct values (log scale), coloured by class. Right: share of the event name's events that carry the key.${more}`,
    spec: {
      config: CONFIG,
      data: { values: rows },
      hconcat: [
        {
          width: 480,
          height,
          mark: { type: 'bar' },
          encoding: {
            y,
            x: { field: 'distinct', type: 'quantitative', scale: { type: 'log', domain: [LOG_BASE, Math.max(10, hi)] }, axis: { values: decades(1, Math.max(10, hi)), format: ',' }, title: 'distinct values (log scale)' },
            x2: { datum: LOG_BASE },
            color: { field: 'cls', type: 'nominal', scale: CLASS_COLORS, title: 'class' },
            tooltip: [
              { field: 'label', title: 'key' },
              { field: 'distinct', type: 'quantitative', format: ',', title: 'distinct' },
              { field: 'cls', title: 'class' },
            ],
          },
        },
        {
          width: 160,
          height,
          mark: { type: 'bar', color: '#72b7b2' },
          encoding: {
            y: { ...y, axis: null },
            x: { field: 'presence', type: 'quantitative', scale: { domain: [0, 1] }, axis: { format: '%', tickCount: 4 }, title: 'presence' },
            tooltip: [
              { field: 'label', title: 'key' },
              { field: 'presence', type: 'quantitative', format: '.1%', title: 'presence' },
            ],
          },
        },
      ],
    } as unknown as TopLevelSpec,
  };
}

function compoundCardinality(r: ProfileReport): ChartSpec | null {
  const multiName = r.eventNames.length > 1;
  const rows = uniqueLabels(
    r.dimensionCandidates
      .flatMap((d) => d.candidates.filter((c) => c.kind !== 'single').map((c) => ({ d, c })))
      .slice(0, MAX_BAR_ROWS)
      .map(({ d, c }, i) => ({
        label: label(`${multiName ? `${d.eventName} · ` : ''}${c.keys.join(' × ')}`),
        order: i,
        combinations: Math.max(1, c.combinations),
        crossProduct: Math.max(1, c.crossProduct),
        presence: c.presence,
      })),
  );
  if (rows.length === 0) return null;
  const y = { field: 'label', type: 'nominal', sort: rows.map((x) => x.label), title: null };
  const hi = log10ceil(Math.max(...rows.map((x) => Math.max(x.crossProduct, x.combinations))) * 1.01);
  const x = {
    type: 'quantitative',
    scale: { type: 'log', domain: [LOG_BASE, Math.max(10, hi)] },
    axis: { values: decades(1, Math.max(10, hi)), format: ',' },
    title: 'value combinations (log scale)',
  };
  return {
    id: 'compound-cardinality',
    title: 'Compound-key cardinality',
    caption: 'Bars: value combinations seen together for pairs and triples of dimension candidates. Black tick: the product of the keys’ own distinct counts (a bar reaching it means independent keys; far below it, keys that move together).',
    spec: {
      width: 640,
      height: Math.max(60, rows.length * 18),
      config: CONFIG,
      data: { values: rows },
      layer: [
        {
          mark: { type: 'bar', color: '#4c78a8' },
          encoding: {
            y,
            x: { ...x, field: 'combinations' },
            x2: { datum: LOG_BASE },
            tooltip: [
              { field: 'label', title: 'keys' },
              { field: 'combinations', type: 'quantitative', format: ',', title: 'combinations' },
              { field: 'crossProduct', type: 'quantitative', format: ',', title: 'product of distinct counts' },
              { field: 'presence', type: 'quantitative', format: '.1%', title: 'presence' },
            ],
          },
        },
        { mark: { type: 'tick', color: '#111', thickness: 2 }, encoding: { y, x: { ...x, field: 'crossProduct' } } },
      ],
    } as unknown as TopLevelSpec,
  };
}

// ---- replay charts -------------------------------------------------------------------------------

export function replayChartSpecs(r: ReplayReport): ChartSpec[] {
  const out: ChartSpec[] = [];
  const lat = r.series.filter((s) => s.acknowledged + s.rejected + s.failed > 0 && s.maxMs > 0);
  if (lat.length) {
    const rows = lat.flatMap((s) => [
      { second: s.second, q: 'p50', ms: s.p50Ms },
      { second: s.second, q: 'p99', ms: s.p99Ms },
      { second: s.second, q: 'max', ms: s.maxMs },
    ]);
    const positive = rows.map((x) => x.ms).filter((x) => x > 0);
    const useLog = Math.max(...positive) / Math.min(...positive) > 100;
    out.push({
      id: 'replay-latency',
      title: 'Latency percentiles over time',
      caption: `Latency from each request's scheduled send time to its answer (so queueing counts), of requests answered in each second of the run${useLog ? '; log scale' : ''}.`,
      spec: {
        width: WIDTH,
        height: 260,
        config: CONFIG,
        data: { values: rows.filter((x) => !useLog || x.ms > 0) },
        mark: { type: 'line', strokeWidth: 1.5, point: lat.length <= 40 },
        encoding: {
          x: { field: 'second', type: 'quantitative', title: 'second of the run', axis: { format: 'd', tickMinStep: 1 } },
          y: { field: 'ms', type: 'quantitative', scale: useLog ? { type: 'log' } : {}, title: 'latency, ms' },
          color: { field: 'q', type: 'nominal', scale: { domain: ['p50', 'p99', 'max'], range: ['#4c78a8', '#f58518', '#e45756'] }, title: null },
          tooltip: [
            { field: 'second', title: 'second' },
            { field: 'q', title: 'percentile' },
            { field: 'ms', type: 'quantitative', format: ',.1f', title: 'ms' },
          ],
        },
      } as unknown as TopLevelSpec,
    });
  }
  if (r.series.length) {
    const rows = r.series.flatMap((s) => [
      { second: s.second, outcome: 'acknowledged', events: s.acknowledged },
      { second: s.second, outcome: 'rejected', events: s.rejected },
      { second: s.second, outcome: 'failed', events: s.failed },
    ]);
    out.push({
      id: 'replay-outcomes',
      title: 'Events answered per second, by outcome',
      caption: 'Events whose request was answered in each second of the run: acknowledged, rejected by the target (4xx), or failed after retries.',
      spec: {
        width: WIDTH,
        height: 220,
        config: CONFIG,
        data: { values: rows },
        mark: { type: 'bar' },
        encoding: {
          x: { field: 'second', type: 'ordinal', title: 'second of the run', axis: { labelOverlap: true, labelAngle: 0 } },
          y: { field: 'events', type: 'quantitative', stack: 'zero', title: 'events' },
          color: { field: 'outcome', type: 'nominal', scale: { domain: ['acknowledged', 'rejected', 'failed'], range: ['#54a24b', '#f58518', '#b00020'] }, title: null },
          tooltip: [
            { field: 'second', title: 'second' },
            { field: 'outcome', title: 'outcome' },
            { field: 'events', type: 'quantitative', format: ',', title: 'events' },
          ],
        },
      } as unknown as TopLevelSpec,
    });
  }
  if (r.statuses.length) {
    const rows = r.statuses.map((s, i) => ({ label: s.status === 0 ? 'no answer' : String(s.status), order: i, attempts: s.attempts, cls: statusClass(s.status) }));
    out.push({
      id: 'replay-statuses',
      title: 'HTTP status counts',
      caption: 'Attempts per HTTP status (retries included); “no answer” is a connection error or timeout.',
      spec: {
        width: 420,
        height: Math.max(60, rows.length * 26),
        config: CONFIG,
        data: { values: rows },
        layer: [
          {
            mark: { type: 'bar' },
            encoding: {
              y: { field: 'label', type: 'nominal', sort: rows.map((x) => x.label), title: 'status' },
              x: { field: 'attempts', type: 'quantitative', title: 'attempts' },
              color: { field: 'cls', type: 'nominal', scale: { domain: ['2xx', '4xx', '429', '5xx', 'no answer'], range: ['#54a24b', '#f58518', '#eeca3b', '#e45756', '#555'] }, title: null },
            },
          },
          {
            mark: { type: 'text', align: 'left', dx: 4, fontSize: 11 },
            encoding: {
              y: { field: 'label', type: 'nominal', sort: rows.map((x) => x.label) },
              x: { field: 'attempts', type: 'quantitative' },
              text: { field: 'attempts', type: 'quantitative', format: ',' },
            },
          },
        ],
      } as unknown as TopLevelSpec,
    });
  }
  return out;
}

function statusClass(s: number): string {
  if (s === 0) return 'no answer';
  if (s === 429) return '429';
  if (s >= 500) return '5xx';
  if (s >= 400) return '4xx';
  return '2xx';
}

// ---- rendering -----------------------------------------------------------------------------------

/** Renders one Vega-Lite spec to an SVG string (Vega's headless view; no data is loaded from anywhere). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  // Warnings go nowhere: a report is printed on stdout and must not be interleaved with library chatter.
  const logger = vega.logger(vega.None);
  const view = new vega.View(vega.parse(compile(spec, { logger }).spec), { renderer: 'none', logger });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export async function renderCharts(specs: ChartSpec[]): Promise<RenderedChart[]> {
  const out: RenderedChart[] = [];
  for (const s of specs) out.push({ id: s.id, title: s.title, caption: s.caption, svg: await renderSvg(s.spec) });
  return out;
}

