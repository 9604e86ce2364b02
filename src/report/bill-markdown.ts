/**
 * The bill as Markdown. Every payload-derived string (metric names, customers, group values,
 * reasons naming keys, Stripe messages) goes through mdText / mdCode: nothing from a log can open
 * markup, a link or a table cell.
 */
import type { BillModel } from '../bill/model.js';
import { mdCode, mdText } from './escape.js';
import { int } from './format.js';
import { billHeadline, groupText, parityHeadline, periodText, quantity, relPct } from './bill-common.js';

/** Usage lines and parity rows beyond this are left to --json / CSV. */
export const MD_MAX_ROWS = 2000;

const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
const head = (cells: string[], right: number[] = []) => [row(cells), row(cells.map((_, i) => (right.includes(i) ? '---:' : '---')))].join('\n');

export function renderBillMarkdown(b: BillModel): string {
  const out: string[] = [`# Bill of run ${mdText(b.runId)}`, '', mdText(billHeadline(b), 2000), ''];
  out.push('## Metrics', '', head(['metric', 'aggregation', 'events', 'billed', 'excluded', 'customers'], [2, 3, 4, 5]));
  for (const m of b.metrics) {
    out.push(
      row([
        mdCode(m.name),
        `${m.aggregationType}${m.aggregationKey ? ` ${mdCode(m.aggregationKey)}` : ''}`,
        int(m.events),
        int(m.billedEvents),
        int(m.excluded.events),
        int(m.customers),
      ]),
    );
  }
  out.push(
    '',
    '## Excluded events',
    '',
    'Each excluded event is counted once, under the first reason that applies.',
    '',
    head(['metric', 'reason', 'events', 'value'], [2, 3]),
  );
  for (const m of b.metrics) for (const r of m.excluded.byReason) out.push(row([mdCode(m.name), mdText(r.reason), int(r.events), quantity(r.value)]));
  out.push('', '## Usage', '');
  if (b.usage.length === 0) out.push('No usage: no event passed any metric.');
  else {
    out.push(head(['metric', 'customer', 'period', 'group', 'quantity', 'events'], [4, 5]));
    for (const u of b.usage.slice(0, MD_MAX_ROWS))
      out.push(
        row([mdCode(u.metric), mdText(u.customer), periodText(u.periodStart, b.settings.period), mdText(groupText(u.group)), quantity(u.quantity), int(u.events)]),
      );
    if (b.usage.length > MD_MAX_ROWS) out.push('', `${int(b.usage.length - MD_MAX_ROWS)} more lines: see \`bill --json\` or \`--out FILE.csv\`.`);
  }
  const headline = parityHeadline(b);
  if (headline && b.parity && b.paritySummary) {
    out.push('', '## Stripe parity', '', mdText(headline, 2000), '');
    const rows = b.parity.filter((r) => r.status !== 'match');
    if (rows.length) {
      out.push(head(['metric', 'meter', 'customer', 'period', 'log', 'Stripe', 'Stripe − log', 'rel.', 'status'], [4, 5, 6, 7]));
      for (const r of rows.slice(0, MD_MAX_ROWS)) {
        out.push(
          row([
            mdCode(r.metric),
            mdCode(r.meter),
            mdText(r.customer),
            periodText(r.periodStart, b.settings.period),
            quantity(r.log),
            quantity(r.stripe),
            quantity(r.diff),
            relPct(r),
            mdText(r.error ? `${r.status}: ${r.error}` : r.status),
          ]),
        );
      }
    }
    for (const s of b.paritySummary.skipped) out.push('', `- not compared: ${mdCode(s.metric)}: ${mdText(s.reason)}`);
  }
  return `${out.join('\n')}\n`;
}
