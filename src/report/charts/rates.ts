/**
 * The profile's rate charts: events per second over the span against the ingestion limits, the
 * distribution of per-second rates, and hour of day × day of week.
 */
import type { ProfileReport } from '../../profile/model.js';
import { dec, int, when } from '../format.js';
import { DAY_NAMES, weekHourTable } from '../week-hour.js';
import { CONFIG, decades, log10ceil, log10floor, WIDTH, type ChartSpec, type ConcatView, type LayerSpec, type XDef, type YDef } from './style.js';

/** The ingestion limits to draw: one line per distinct capacity, labelled with the paths that share it. */
export function limitLines(r: ProfileReport): { eps: number; label: string }[] {
  const by = new Map<number, string[]>();
  for (const f of r.fit) {
    if (f.mode === 'test') continue;
    const c = f.limits.capacityEventsPerSecond;
    if (!Number.isFinite(c) || c <= 0) continue;
    by.set(c, [...(by.get(c) ?? []), f.label]);
  }
  return [...by.entries()].sort((a, b) => a[0] - b[0]).map(([eps, labels]) => ({ eps, label: `${labels.join(' / ')}: ${int(eps)}/s` }));
}

export function rateOverTime(r: ProfileReport): ChartSpec {
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
  const avg = r.rate.avgEps;
  const positives = [...rows.map((x) => x.eps), avg].filter((x) => x > 0);
  const lo = log10floor(Math.min(...positives, 1));
  const hi = log10ceil(Math.max(...positives, ...limits.map((l) => l.eps)) * 1.5);
  // Symmetric log: empty buckets are drawn at 0 (a log scale cannot show them and would draw a line across the idle time).
  const y: YDef = {
    field: 'eps',
    type: 'quantitative',
    scale: { type: 'symlog', constant: lo, domain: [0, hi] },
    axis: { values: [0, ...decades(lo, hi)], format: ',~g' },
    title: 'events per second (symmetric log scale)',
  };
  const x: XDef = { field: 't', type: 'temporal', scale: { type: 'utc' }, title: 'time (UTC)' };
  const layers: LayerSpec[] = [
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
    // The overview's average (events ÷ span), the same figure as the report's tiles.
    {
      data: { values: [{ eps: avg, label: `average ${dec(avg)}/s over the span` }] },
      mark: { type: 'rule', color: '#2a7a2a', strokeDash: [2, 3], strokeWidth: 1.2 },
      encoding: { y },
    },
    {
      data: { values: [{ eps: avg, label: `average ${dec(avg)}/s over the span` }] },
      mark: { type: 'text', color: '#2a7a2a', align: 'left', baseline: 'bottom', dy: -3, x: 4, fontSize: 11 },
      encoding: { y, text: { field: 'label' } },
    },
    {
      data: { values: limits },
      mark: { type: 'text', color: '#b00020', align: 'right', baseline: 'bottom', dy: -3, x: 'width', fontSize: 11 },
      encoding: { y, text: { field: 'label' } },
    },
  ];
  if (p1.at && p1.eps > 0) layers.push(...peakMarker(r, x, y, b));
  return {
    id: 'rate-over-time',
    title: 'Events per second over the span',
    caption: single
      ? 'Events in each second, empty seconds at 0 (symmetric log scale); red dashed lines are published live ingestion limits, the green dotted line the average over the span; the triangle marks the busiest second.'
      : `Average rate per ${bucketName(b)} and the busiest second inside each, empty buckets at 0 (symmetric log scale); red dashed lines are published live ingestion limits, the green dotted line the average over the span; the triangle marks the busiest second.`,
    spec: { width: WIDTH, height: 280, config: CONFIG, layer: layers },
  };
}

/** The busiest second: a triangle and its label, drawn at the start of the bucket holding it. */
function peakMarker(r: ProfileReport, x: XDef, y: YDef, b: number): LayerSpec[] {
  const p1 = r.rate.peak['1s'];
  if (!p1.at) return [];
  const at = p1.at;
  const atMs = Date.parse(at);
  const bucketStart = new Date(Math.floor(atMs / 1000 / b) * b * 1000).toISOString();
  const firstMs = Date.parse(r.events.first ?? at);
  const lastMs = Date.parse(r.events.last ?? at);
  const right = lastMs > firstMs && (atMs - firstMs) / (lastMs - firstMs) > 0.6;
  const peakRow = [{ t: bucketStart, eps: p1.eps, label: `peak ${int(p1.events)} events/s at ${when(at)}` }];
  return [
    { data: { values: peakRow }, mark: { type: 'point', shape: 'triangle-down', filled: true, size: 110, color: '#d62728', yOffset: -8 }, encoding: { x, y } },
    {
      data: { values: peakRow },
      mark: { type: 'text', align: right ? 'right' : 'left', dx: right ? -8 : 8, dy: -10, fontWeight: 'bold', fontSize: 11, color: '#7a0010' },
      encoding: { x, y, text: { field: 'label' } },
    },
  ];
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
    if (!out.some((o) => o.from === h.from && o.to === h.to))
      out.push({ label: `${int(h.from)}–${int(h.to)}`, from: h.from, to: h.to, seconds: h.seconds, order: out.length });
  }
  return out.sort((a, b) => a.from - b.from).map((o, i) => ({ ...o, order: i }));
}

export function rateDistribution(r: ProfileReport): ChartSpec {
  const rows = rateHistogramRows(r);
  const q = r.rate.percentiles;
  const x: XDef = { field: 'label', type: 'ordinal', sort: rows.map((o) => o.label), title: 'events in one second', axis: { labelAngle: 0 } };
  // Both layers carry the same y definition: Vega-Lite merges their axes.
  const y: YDef = {
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
    },
  };
}

export function weekHour(r: ProfileReport): ChartSpec {
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
      },
    };
  }
  // Spans beyond ~3 weeks have 6 h or 1 day series buckets: chart the two marginals the model has.
  const hours = r.rate.hourOfDay.map((h) => ({ label: String(h.hour), order: h.hour, avgEps: h.avgEps, panel: 'hour of day (UTC)' }));
  const days = r.rate.dayOfWeek.map((d) => ({ label: d.name, order: d.day, avgEps: d.avgEps, panel: 'day of week (UTC)' }));
  const bar = (values: { label: string; avgEps: number }[], title: string, width: number): ConcatView => ({
    width,
    height: 160,
    data: { values },
    mark: { type: 'bar', color: '#4c78a8' },
    encoding: {
      x: { field: 'label', type: 'ordinal', sort: values.map((v) => v.label), title, axis: { labelAngle: 0 } },
      y: { field: 'avgEps', type: 'quantitative', title: 'avg events/s' },
      tooltip: [
        { field: 'label', title },
        { field: 'avgEps', type: 'quantitative', format: ',.3~f', title: 'avg events/s' },
      ],
    },
  });
  return {
    id: 'week-hour',
    title: 'Hour of day and day of week (UTC)',
    caption: `Average events per second by hour of day and by weekday. The span is long enough that the rate series has ${bucketName(r.rate.series.bucketSeconds)} buckets, so the hour × weekday cross table cannot be derived; these are its two marginals.`,
    spec: { config: CONFIG, hconcat: [bar(hours, 'hour of day (UTC)', 520), bar(days, 'day of week', 220)] },
  };
}
