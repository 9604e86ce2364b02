/**
 * Markdown for the advice section: Metronome's confirmation table per event name (dimension, in
 * group_keys?, role, measured cardinality, grows with usage?, events and value dropped) and the
 * billable-metric drafts with the share they bill and where each field came from.
 */
import type { ConfirmationRow, GroupKeyPlan, MetricDraft } from '../advice/model.js';
import { draftJson } from './drafts.js';
import { mdCode, mdFence, mdText } from './escape.js';
import { int, pct, plural } from './format.js';

export const mdRow = (cells: string[]) => `| ${cells.join(' | ')} |`;
export const mdHeader = (cells: string[], align: ('l' | 'r')[]) => [mdRow(cells), mdRow(align.map((a) => (a === 'r' ? '---:' : '---')))];

const perCustomer = (r: ConfirmationRow) => (r.perCustomer ? `${int(r.perCustomer.p50)} / ${int(r.perCustomer.p99)} / ${int(r.perCustomer.max)}` : '-');
const droppedText = (r: ConfirmationRow) => (r.dropped ? `${int(r.dropped.events)} (${pct(r.dropped.eventsShare)}) / ${pct(r.dropped.valueShare)}` : '-');

export function confirmationTable(plan: GroupKeyPlan): string[] {
  const out = [
    `### ${mdCode(plan.eventName)}: ${plural(plan.events, 'event')}; group keys from ${plan.source === 'stripe-meter' ? 'the Stripe meter' : 'the profile (candidates)'}`,
    '',
  ];
  for (const n of plan.notes) out.push(`- ${mdText(n, 400)}`);
  out.push('');
  if (plan.rows.length === 0) return [...out, 'No payload key could be a dimension.', ''];
  out.push(
    ...mdHeader(
      ['dimension', 'in group_keys?', 'role', 'cardinality (observed)', 'per customer p50 / p99 / max', 'grows with usage?', 'events (share) / value dropped', 'why'],
      ['l', 'l', 'l', 'r', 'r', 'l', 'r', 'l'],
    ),
  );
  for (const r of plan.rows) {
    out.push(
      mdRow([
        r.dimension.map((k) => mdCode(k, 40)).join(' × '),
        r.inGroupKeys ? '**yes**' : 'no',
        r.role,
        r.cardinality === null ? '-' : int(r.cardinality),
        perCustomer(r),
        r.growsWithUsage === null ? '-' : r.growsWithUsage ? '**yes**' : 'no',
        droppedText(r),
        mdText([...r.flags.map((f) => `⚠ ${f}`), r.reason].join('; '), 300),
      ]),
    );
  }
  return [...out, ''];
}

export function billedLine(d: MetricDraft): string {
  if (!d.billed) return 'Billed share not measured (a report stored by an older version: profile the input again).';
  return `Bills ${int(d.billed.events)} of ${plural(d.events, 'event')} (${pct(d.billed.eventsShare)}) and ${pct(d.billed.valueShare)} of their value.`;
}

export function sourcesLine(d: MetricDraft): string {
  const s = d.sources;
  const name = (x: string) => (x === 'stripe-meter' ? `Stripe meter ${d.stripeMeterId ?? ''}`.trim() : x === 'flag' ? '--group-key' : 'the profile');
  return `Event name from ${name(s.eventName)}; customer (${d.customerKey}) from ${name(s.customer)}; aggregation from ${name(s.aggregation)}; group keys from ${name(s.groupKeys)}.`;
}

export function draftSection(d: MetricDraft): string[] {
  const q = d.request;
  const title = `${q.aggregation_type}${q.aggregation_key ? ` of ${mdCode(q.aggregation_key)}` : ''}`;
  const out = [`### ${mdCode(d.eventName)}: ${title}`, ''];
  out.push(`${mdText(billedLine(d), 300)} ${mdText(sourcesLine(d), 400)}`, '');
  for (const w of d.why) out.push(`- ${mdText(w, 500)}`);
  out.push('');
  if (d.flags.length) {
    out.push('Check before creating:', '');
    for (const f of d.flags) out.push(`- ⚠ **${mdText(f.kind)}**: ${mdText(f.text, 500)}`);
    out.push('');
  }
  out.push(mdFence(draftJson(q), 'json'), '');
  return out;
}
