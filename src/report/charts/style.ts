/**
 * What every chart shares: the spec types (derived from Vega-Lite's TopLevelSpec), the look (width,
 * font, axis and legend config) and the label and log-scale helpers.
 */
import type { Config, TopLevelSpec } from 'vega-lite';
import { stripControls, truncate } from '../escape.js';

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

/** One layer of a layered spec. */
export type LayerSpec = Extract<TopLevelSpec, { layer: unknown }>['layer'][number];
/** One view of a concatenated spec. */
export type ConcatView = Extract<TopLevelSpec, { hconcat: unknown }>['hconcat'][number];
type Encoding = NonNullable<Extract<LayerSpec, { mark: unknown }>['encoding']>;
/** Position channel definitions shared by several layers. */
export type XDef = NonNullable<Encoding['x']>;
export type YDef = NonNullable<Encoding['y']>;

export const WIDTH = 860;
const FONT = 'system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif';
export const CONFIG: Config = {
  font: FONT,
  background: 'white',
  view: { stroke: null },
  axis: { labelLimit: 280, labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#e8e8e8', domainColor: '#888', tickColor: '#888' },
  legend: { labelFontSize: 11, titleFontSize: 11, orient: 'top', labelLimit: 320 },
};
/** Property/compound rows shown at most in a bar chart (the tables list all). */
export const MAX_BAR_ROWS = 60;
const LABEL_CHARS = 48;

export const label = (s: string) => truncate(stripControls(s).replace(/\s+/g, ' '), LABEL_CHARS);

/** Makes labels unique (two long keys may cut to the same text) so bars don't merge. */
export function uniqueLabels<T extends { label: string }>(rows: T[]): T[] {
  const seen = new Map<string, number>();
  for (const r of rows) {
    const n = (seen.get(r.label) ?? 0) + 1;
    seen.set(r.label, n);
    if (n > 1) r.label = `${r.label} (${n})`;
  }
  return rows;
}

/** 1, 10, 100, … from lo to hi (powers of ten), for log-axis ticks without minor-tick clutter. */
export function decades(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)) && out.length < 40; e++) out.push(10 ** e);
  return out.map((v) => Number(v.toPrecision(1)));
}

/** Log-scale bars start here, below 1, so a key with a single value still shows a sliver. */
export const LOG_BASE = 0.7;

export const log10floor = (x: number) => 10 ** Math.floor(Math.log10(x));
export const log10ceil = (x: number) => 10 ** Math.ceil(Math.log10(x));
