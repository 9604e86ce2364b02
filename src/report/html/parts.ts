/** Small HTML building blocks for the reports. Every argument that is text is escaped here. */
import { html } from '../escape.js';
import { int } from '../format.js';
import type { RenderedChart } from '../charts/style.js';

export interface Cell {
  /** Ready HTML (already escaped by the caller) … */
  html?: string;
  /** … or plain text, escaped here. */
  text?: string | number;
  /** Sort key for sortable tables (numbers sort numerically). */
  sort?: number | string;
  num?: boolean;
  cls?: string;
}

export type CellLike = Cell | string | number;

const cellOf = (c: CellLike): Cell => (typeof c === 'object' ? c : typeof c === 'number' ? { text: int(c), num: true, sort: c } : { text: c });

export function table(
  heads: (string | { text: string; num?: boolean })[],
  rows: { cells: CellLike[]; attrs?: Record<string, string> }[],
  opts: { id?: string; sortable?: boolean; cls?: string } = {},
): string {
  const th = heads
    .map((h) => (typeof h === 'string' ? { text: h, num: false } : h))
    .map((h) => `<th${h.num ? ' class="num"' : ''} scope="col">${html(h.text)}</th>`)
    .join('');
  const body = rows
    .map((r) => {
      const attrs = Object.entries(r.attrs ?? {})
        .map(([k, v]) => ` data-${html(k)}="${html(v)}"`)
        .join('');
      const tds = r.cells
        .map(cellOf)
        .map((c) => {
          const cls = [c.num ? 'num' : '', c.cls ?? ''].filter(Boolean).join(' ');
          const sort = c.sort !== undefined ? ` data-sort="${html(c.sort)}"` : '';
          return `<td${cls ? ` class="${html(cls)}"` : ''}${sort}>${c.html ?? html(c.text ?? '')}</td>`;
        })
        .join('');
      return `<tr${attrs}>${tds}</tr>`;
    })
    .join('\n');
  const classes = [opts.sortable ? 'sortable' : '', opts.cls ?? ''].filter(Boolean).join(' ');
  return `<table${opts.id ? ` id="${html(opts.id)}"` : ''}${classes ? ` class="${classes}"` : ''}><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

export function section(id: string, title: string, inner: string): string {
  return `<section id="${html(id)}"><h2>${html(title)}</h2>\n${inner}\n</section>`;
}

export function tiles(items: { k: string; v: string; d?: string }[]): string {
  return `<div class="tiles">${items
    .map((t) => `<div class="tile"><div class="k">${html(t.k)}</div><div class="v">${html(t.v)}</div>${t.d ? `<div class="d">${html(t.d)}</div>` : ''}</div>`)
    .join('')}</div>`;
}

/** A chart's SVG comes from Vega (which escapes the text it draws); title and caption are escaped here. */
export function figure(c: RenderedChart | undefined): string {
  if (!c) return '';
  return `<figure class="chart" id="chart-${html(c.id)}" data-chart="${html(c.id)}"><figcaption>${html(c.title)}</figcaption><p class="caption">${html(c.caption)}</p>${c.svg}</figure>`;
}

const VERDICT_TEXT: Record<string, string> = { fits: '✔ FITS', tight: '▲ TIGHT', exceeds: '✖ EXCEEDS', inconclusive: '? INCONCLUSIVE AT THIS SAMPLE' };

/** Verdict cell: colour plus symbol and word, so it reads in greyscale and without colour vision. */
export function verdictCell(v: string): Cell {
  return { html: html(VERDICT_TEXT[v] ?? v.toUpperCase()), cls: `verdict ${v}`, sort: ['fits', 'tight', 'exceeds'].indexOf(v) };
}

export const code = (s: string) => `<code>${html(s)}</code>`;
