/**
 * Vega-Lite specs to SVG strings at report time, with Vega in Node (no browser, no canvas). The HTML
 * report inlines the SVG, so it needs no script or network to show the charts. Vega escapes the text
 * it writes into SVG. Only the HTML renderers import this module, and they are loaded only when HTML
 * is asked for (src/report/index.ts): text and JSON output never load Vega.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { ChartSpec, RenderedChart } from './style.js';

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
