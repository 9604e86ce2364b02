/** The bill on a terminal. Names, customers and group values are untrusted: safe() replaces control characters. */
import type { BillModel } from '../bill/model.js';
import { DEFAULT_WIDTH, safe, wrap } from './terminal-parts.js';
import { int } from './format.js';
import { table as textTable, type TextTable } from './text-table.js';

/** Borderless columns two spaces apart, as the Stripe tables; wide text columns wrap past 120 columns. */
/** Numbers keep their width; text columns wrap down to `min`; columns with `drop` go first when even that is too wide. */
const table = (head: (string | { head: string; drop?: number; min?: number })[]) =>
  textTable(
    head.map((c) => {
      const h = typeof c === 'string' ? { head: c } : c;
      const numeric = /events|billed|excluded|customers|lines|quantity|log|Stripe|rel\./.test(h.head);
      return numeric ? { ...h, align: 'right' as const } : { min: 8, ...h, shrink: 'wrap' as const };
    }),
    { rules: 'bare' },
  );

import { billHeadline, groupText, parityHeadline, periodText, quantity, relPct } from './bill-common.js';

/** `width`: the terminal's columns; tables give way first, other lines wrap. */
export function renderBillText(b: BillModel, opts: { maxRows?: number; width?: number } = {}): string {
  const max = opts.maxRows ?? 50;
  const width = opts.width ?? DEFAULT_WIDTH;
  const text = (t: TextTable) => t.render(width);
  const out: string[] = [billHeadline(b), ''];
  const lines = new Map<string, number>();
  for (const u of b.usage) lines.set(u.metric, (lines.get(u.metric) ?? 0) + 1);
  const mt = table(['metric', 'aggregation', 'events', 'billed', 'excluded', 'customers', 'usage lines']);
  for (const m of b.metrics) {
    mt.push([
      safe(m.name, 32),
      `${m.aggregationType}${m.aggregationKey ? `(${safe(m.aggregationKey, 20)})` : ''}`,
      int(m.events),
      int(m.billedEvents),
      int(m.excluded.events),
      int(m.customers),
      int(lines.get(m.name) ?? 0),
    ]);
  }
  out.push(text(mt), '');
  out.push('Excluded events (first reason that applies)');
  for (const m of b.metrics) {
    out.push(`  ${safe(m.name, 40)}: ${m.excluded.byReason.length ? m.excluded.byReason.map((r) => `${safe(r.reason, 60)} ${int(r.events)}`).join(' · ') : 'none'}`);
  }
  out.push('');
  if (b.usage.length === 0) out.push('No usage: no event passed any metric.');
  else {
    const ut = table(['metric', 'customer', 'period', 'group', 'quantity', 'events']);
    for (const u of b.usage.slice(0, max))
      ut.push([
        safe(u.metric, 28),
        safe(u.customer, 28),
        periodText(u.periodStart, b.settings.period),
        safe(groupText(u.group), 40),
        quantity(u.quantity),
        int(u.events),
      ]);
    out.push(
      `Usage (${b.usage.length > max ? `first ${int(max)} of ${int(b.usage.length)} lines; all with --json or --out FILE.csv` : `${int(b.usage.length)} lines`})`,
      text(ut),
    );
  }
  const headline = parityHeadline(b);
  if (headline && b.parity && b.paritySummary) {
    out.push('', headline);
    const rows = b.parity.filter((r) => r.status !== 'match').sort((x, y) => Math.abs(y.relDiff) - Math.abs(x.relDiff) || Math.abs(y.diff) - Math.abs(x.diff));
    if (rows.length) {
      const pt = table(['metric', { head: 'meter', drop: 2 }, 'customer', 'period', 'log', 'Stripe', 'Stripe − log', { head: 'rel.', drop: 1 }, 'status']);
      for (const r of rows.slice(0, max)) {
        pt.push([
          safe(r.metric, 24),
          safe(r.meter, 24),
          safe(r.customer, 24),
          periodText(r.periodStart, b.settings.period),
          quantity(r.log),
          quantity(r.stripe),
          quantity(r.diff),
          relPct(r),
          r.error ? `${r.status}: ${safe(r.error, 40)}` : r.status,
        ]);
      }
      out.push(`Differences, largest first${rows.length > max ? ` (first ${int(max)} of ${int(rows.length)})` : ''}:`, text(pt));
    }
    for (const s of b.paritySummary.skipped) out.push(`  not compared: ${safe(s.metric, 40)}: ${safe(s.reason, 120)}`);
  }
  // Tables already fit the width; every other line wraps to it.
  return `${out.map((l) => (l.includes('\n') ? l : wrap(l, width, 0, l.startsWith('  ') ? 4 : 2))).join('\n')}\n`;
}
