/** The terminal's SAMPLE section of a sampled run: the headline, every estimate with its interval, what was not estimated. */
import type { ProfileReport } from '../profile/model.js';
import { cut, indent, safe, wrap } from './terminal-parts.js';
import { table } from './text-table.js';
import { SAMPLE_ADVICE_NOTE, SAMPLE_GUIDE, atLeastText, estimateLabel, estimateText, observedText, sampleHeadline } from './sample-text.js';
import { int } from './format.js';

/** Rows per repeated figure (event names, customers, key presence) before "… and N more". */
const MAX_ROWS_PER_FIGURE = 20;

export function sampleSection(r: ProfileReport, w: number, out: string[]): void {
  const s = r.sample;
  if (!s) return;
  out.push(cut(`SAMPLE: ${sampleHeadline(s)}`, w));
  out.push(wrap(SAMPLE_GUIDE, w, 2, 2));
  const t = table([
    { head: 'estimated figure', shrink: 'cut', min: 16, want: 30, max: 60 },
    { head: 'in sample', align: 'right', drop: 1 },
    { head: 'whole input (95 % interval)' },
  ]);
  const seen = new Map<string, number>();
  let left = 0;
  for (const e of s.estimates) {
    const n = (seen.get(e.figure) ?? 0) + 1;
    seen.set(e.figure, n);
    if (n > MAX_ROWS_PER_FIGURE) left++;
    else t.push([safe(estimateLabel(e), 200), observedText(e), estimateText(e)]);
  }
  out.push(indent(t.render(w - 2)));
  if (left) out.push(cut(`  … and ${int(left)} more estimates (see --json)`, w));
  for (const a of s.atLeast) out.push(wrap(atLeastText(a), w, 4, 2));
  for (const n of s.notEstimated) out.push(wrap(`not estimated: ${n.figure}: ${n.reason}`, w, 4, 2));
  out.push(wrap(SAMPLE_ADVICE_NOTE, w, 4, 2));
  out.push('');
}
