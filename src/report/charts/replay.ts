/**
 * The replay report's charts: latency percentiles per second, events answered per second by
 * outcome, and attempts per HTTP status.
 */
import type { ReplayReport } from '../../replay/model.js';
import { CONFIG, WIDTH, type ChartSpec } from './style.js';

export function replayChartSpecs(r: ReplayReport): ChartSpec[] {
  return [latencyChart(r), outcomesChart(r), statusesChart(r)].filter((c): c is ChartSpec => c !== null);
}

/** p50/p99/max latency per second of the run (log scale when they span more than 100×). */
function latencyChart(r: ReplayReport): ChartSpec | null {
  const lat = r.series.filter((s) => s.acknowledged + s.rejected + s.failed > 0 && s.maxMs > 0);
  if (!lat.length) return null;
  const rows = lat.flatMap((s) => [
    { second: s.second, q: 'p50', ms: s.p50Ms },
    { second: s.second, q: 'p99', ms: s.p99Ms },
    { second: s.second, q: 'max', ms: s.maxMs },
  ]);
  const positive = rows.map((x) => x.ms).filter((x) => x > 0);
  const useLog = Math.max(...positive) / Math.min(...positive) > 100;
  return {
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
    },
  };
}

/** Events answered per second, stacked by outcome. */
function outcomesChart(r: ReplayReport): ChartSpec | null {
  if (!r.series.length) return null;
  const rows = r.series.flatMap((s) => [
    { second: s.second, outcome: 'acknowledged', events: s.acknowledged },
    { second: s.second, outcome: 'rejected', events: s.rejected },
    { second: s.second, outcome: 'failed', events: s.failed },
  ]);
  return {
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
    },
  };
}

/** Attempts per HTTP status. */
function statusesChart(r: ReplayReport): ChartSpec | null {
  if (!r.statuses.length) return null;
  const rows = r.statuses.map((s, i) => ({ label: s.status === 0 ? 'no answer' : String(s.status), order: i, attempts: s.attempts, cls: statusClass(s.status) }));
  return {
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
            color: {
              field: 'cls',
              type: 'nominal',
              scale: { domain: ['2xx', '4xx', '429', '5xx', 'no answer'], range: ['#54a24b', '#f58518', '#eeca3b', '#e45756', '#555'] },
              title: null,
            },
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
    },
  };
}

function statusClass(s: number): string {
  if (s === 0) return 'no answer';
  if (s === 429) return '429';
  if (s >= 500) return '5xx';
  if (s >= 400) return '4xx';
  return '2xx';
}
