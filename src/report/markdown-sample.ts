/** The Markdown report's sample section (profile --sample): headline, every estimate with its interval, what was not estimated. */
import type { ProfileReport } from '../profile/model.js';
import { mdText } from './escape.js';
import { mdHeader as header, mdRow as row } from './markdown-advice.js';
import { SAMPLE_GUIDE, atLeastText, estimateLabel, estimateText, observedText, sampleHeadline } from './sample-text.js';

export function sampleSection(r: ProfileReport): string[] {
  const s = r.sample;
  if (!s) return [];
  const out = [`> **${mdText(sampleHeadline(s))}.** ${mdText(SAMPLE_GUIDE)}`, '', '## Sample estimates', ''];
  out.push(...header(['estimated figure', 'in the sample', 'whole input (95 % interval)'], ['l', 'r', 'l']));
  for (const e of s.estimates) out.push(row([mdText(estimateLabel(e), 200), observedText(e), estimateText(e)]));
  out.push('', ...s.atLeast.map((a) => `- ${mdText(atLeastText(a))}`), ...s.notEstimated.map((n) => `- not estimated: ${mdText(n.figure)}: ${mdText(n.reason)}`), '');
  return out;
}
