/** The HTML report's sample section (profile --sample): headline, every estimate with its interval, what was not estimated. */
import type { ProfileReport } from '../../profile/model.js';
import { html } from '../escape.js';
import { section, table } from './parts.js';
import { SAMPLE_GUIDE, atLeastText, estimateLabel, estimateText, observedText, sampleHeadline } from '../sample-text.js';

export function sampleSection(r: ProfileReport): string {
  const s = r.sample;
  if (!s) return '';
  const t = table(
    ['estimated figure', { text: 'in the sample', num: true }, 'whole input (95 % interval)'],
    s.estimates.map((e) => ({ cells: [estimateLabel(e), { text: observedText(e), num: true }, estimateText(e)] })),
    { id: 'sample-table' },
  );
  const notes = [...s.atLeast.map(atLeastText), ...s.notEstimated.map((n) => `not estimated: ${n.figure}: ${n.reason}`)];
  return section(
    'sample',
    'Sample estimates',
    `<p class="note"><b>${html(sampleHeadline(s))}.</b> ${html(SAMPLE_GUIDE)}</p>${t}${notes.map((n) => `<p class="note">${html(n)}</p>`).join('')}`,
  );
}
