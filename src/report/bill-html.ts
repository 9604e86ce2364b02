/**
 * The bill as one self-contained HTML page (the report shell: no network, only its own script).
 * Cells are built with the table helper, which escapes every text it is given.
 */
import type { BillModel } from '../bill/model.js';
import { page } from './html/page.js';
import { section, table, tiles, type CellLike } from './html/parts.js';
import { html } from './escape.js';
import { int } from './format.js';
import { billHeadline, groupText, parityHeadline, periodText, quantity, relPct } from './bill-common.js';

export const HTML_MAX_ROWS = 5000;

const num = (n: number | null): CellLike => ({ text: quantity(n), num: true, sort: n ?? -Infinity });

export function renderBillHtml(b: BillModel): string {
  const parts: string[] = [];
  parts.push(
    tiles([
      { k: 'events', v: int(b.events) },
      { k: 'metrics', v: int(b.metrics.length) },
      { k: 'usage lines', v: int(b.usage.length) },
      ...(b.paritySummary ? [{ k: 'parity over tolerance', v: int(b.paritySummary.over), d: `of ${int(b.paritySummary.pairs)} pairs` }] : []),
    ]),
  );
  parts.push(
    section(
      'metrics',
      'Metrics',
      table(
        ['metric', 'aggregation', { text: 'events', num: true }, { text: 'billed', num: true }, { text: 'excluded', num: true }, { text: 'customers', num: true }],
        b.metrics.map((m) => ({
          cells: [m.name, `${m.aggregationType}${m.aggregationKey ? ` ${m.aggregationKey}` : ''}`, m.events, m.billedEvents, m.excluded.events, m.customers],
        })),
      ),
    ),
  );
  parts.push(
    section(
      'excluded',
      'Excluded events',
      `<p>Each excluded event is counted once, under the first reason that applies.</p>\n${table(
        ['metric', 'reason', { text: 'events', num: true }, { text: 'value', num: true }],
        b.metrics.flatMap((m) => m.excluded.byReason.map((r) => ({ cells: [m.name, r.reason, r.events, num(r.value)] }))),
        { sortable: true },
      )}`,
    ),
  );
  const usage = b.usage.slice(0, HTML_MAX_ROWS);
  const more =
    b.usage.length > usage.length ? `<p>${html(int(b.usage.length - usage.length))} more lines: see <code>bill --json</code> or <code>--out FILE.csv</code>.</p>` : '';
  parts.push(
    section(
      'usage',
      'Usage',
      table(
        ['metric', 'customer', 'period', 'group', { text: 'quantity', num: true }, { text: 'events', num: true }],
        usage.map((u) => ({ cells: [u.metric, u.customer, periodText(u.periodStart, b.settings.period), groupText(u.group), num(u.quantity), u.events] })),
        { sortable: true },
      ) + more,
    ),
  );
  const parity = paritySection(b);
  if (parity) parts.push(parity);
  return page({
    title: `meterscope bill · run ${b.runId}`,
    subtitle: html(billHeadline(b)),
    nav: [
      { id: 'metrics', label: 'Metrics' },
      { id: 'excluded', label: 'Excluded' },
      { id: 'usage', label: 'Usage' },
      ...(b.paritySummary ? [{ id: 'parity', label: 'Stripe parity' }] : []),
    ],
    body: parts.join('\n'),
    model: b,
  });
}

/** The log against Stripe's summaries: every pair that is not a match, largest first. */
function paritySection(b: BillModel): string | null {
  const headline = parityHeadline(b);
  if (!headline || !b.parity || !b.paritySummary) return null;
  const rows = b.parity.filter((r) => r.status !== 'match').slice(0, HTML_MAX_ROWS);
  const skipped = b.paritySummary.skipped.map((s) => `<li>not compared: <code>${html(s.metric)}</code>: ${html(s.reason)}</li>`).join('');
  return section(
    'parity',
    'Stripe parity',
    `<p>${html(headline)}</p>\n${
      rows.length
        ? table(
            [
              'metric',
              'meter',
              'customer',
              'period',
              { text: 'log', num: true },
              { text: 'Stripe', num: true },
              { text: 'Stripe − log', num: true },
              { text: 'rel.', num: true },
              'status',
            ],
            rows.map((r) => ({
              cells: [
                r.metric,
                r.meter,
                r.customer,
                periodText(r.periodStart, b.settings.period),
                num(r.log),
                num(r.stripe),
                num(r.diff),
                { text: relPct(r), num: true, sort: r.relDiff },
                r.error ? `${r.status}: ${r.error}` : r.status,
              ],
            })),
            { sortable: true },
          )
        : ''
    }${skipped ? `<ul>${skipped}</ul>` : ''}`,
  );
}
