/**
 * The profile report's charts: the rate charts (rates.ts), then distinct values per payload key and
 * compound-key cardinality.
 */
import type { ProfileReport } from '../../profile/model.js';
import { int } from '../format.js';
import { CONFIG, decades, label, LOG_BASE, log10ceil, MAX_BAR_ROWS, uniqueLabels, type ChartSpec, type XDef, type YDef } from './style.js';
import { rateDistribution, rateOverTime, weekHour } from './rates.js';

export function profileChartSpecs(r: ProfileReport): ChartSpec[] {
  if (r.events.total === 0) return [];
  const specs = [rateOverTime(r), rateDistribution(r), weekHour(r), distinctPerProperty(r), compoundCardinality(r)];
  return specs.filter((s): s is ChartSpec => s !== null);
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
  const y: YDef = { field: 'label', type: 'nominal', sort: rows.map((x) => x.label), title: null };
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
            x: {
              field: 'distinct',
              type: 'quantitative',
              scale: { type: 'log', domain: [LOG_BASE, Math.max(10, hi)] },
              axis: { values: decades(1, Math.max(10, hi)), format: ',' },
              title: 'distinct values (log scale)',
            },
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
    },
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
  const y: YDef = { field: 'label', type: 'nominal', sort: rows.map((x) => x.label), title: null };
  const hi = log10ceil(Math.max(...rows.map((x) => Math.max(x.crossProduct, x.combinations))) * 1.01);
  const x: XDef = {
    type: 'quantitative',
    scale: { type: 'log', domain: [LOG_BASE, Math.max(10, hi)] },
    axis: { values: decades(1, Math.max(10, hi)), format: ',' },
    title: 'value combinations (log scale)',
  };
  return {
    id: 'compound-cardinality',
    title: 'Compound-key cardinality',
    caption:
      'Bars: value combinations seen together for pairs and triples of dimension candidates. Black tick: the product of the keys’ own distinct counts (a bar reaching it means independent keys; far below it, keys that move together).',
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
    },
  };
}
