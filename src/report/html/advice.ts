/**
 * HTML for the advice section: Metronome's confirmation table per event name and the
 * billable-metric drafts (billed share, field sources, flags, the request body).
 */
import type { ConfirmationRow, GroupKeyPlan, MetricDraft } from '../../advice/model.js';
import { draftJson } from '../drafts.js';
import { html } from '../escape.js';
import { int, pct, plural } from '../format.js';
import { billedLine, sourcesLine } from '../markdown-advice.js';
import { code, table } from './parts.js';

function rowCells(r: ConfirmationRow) {
  return {
    cells: [
      { html: r.dimension.map(code).join(' × ') },
      { html: r.inGroupKeys ? '<b>yes</b>' : 'no' },
      r.role,
      { text: r.cardinality === null ? '-' : int(r.cardinality), num: true, sort: r.cardinality ?? -1 },
      { text: r.perCustomer ? `${int(r.perCustomer.p50)} / ${int(r.perCustomer.p99)} / ${int(r.perCustomer.max)}` : '-', num: true, sort: r.perCustomer?.max ?? -1 },
      r.growsWithUsage === null ? '-' : r.growsWithUsage ? 'yes' : 'no',
      { text: r.dropped ? `${int(r.dropped.events)} (${pct(r.dropped.eventsShare)}) / ${pct(r.dropped.valueShare)}` : '-', num: true, sort: r.dropped?.events ?? -1 },
      { html: [...r.flags.map((f) => `<span class="bad">⚠ ${html(f)}</span>`), html(r.reason)].join('<br>') },
    ],
  };
}

export function confirmationTables(plans: GroupKeyPlan[]): string {
  return plans
    .map((p) => {
      const t = p.rows.length
        ? table(
            [
              'dimension',
              'in group_keys?',
              'role',
              { text: 'cardinality (observed)', num: true },
              { text: 'per customer p50 / p99 / max', num: true },
              'grows with usage?',
              { text: 'events (share) / value dropped', num: true },
              'why',
            ],
            p.rows.map(rowCells),
            { sortable: true },
          )
        : '<p class="note">No payload key could be a dimension.</p>';
      return (
        `<h3>${code(p.eventName)} · ${html(plural(p.events, 'event'))} · group keys from ${p.source === 'stripe-meter' ? 'the Stripe meter' : 'the profile (candidates)'}</h3>` +
        `<ul class="why">${p.notes.map((n) => `<li>${html(n)}</li>`).join('')}</ul>${t}`
      );
    })
    .join('\n');
}

export function draftsSection(drafts: MetricDraft[]): string {
  return drafts
    .map((d) => {
      const q = d.request;
      const flags = d.flags.length
        ? `<ul class="flags">${d.flags.map((f) => `<li><b>⚠ ${html(f.kind)}</b>${html(f.text)}</li>`).join('')}</ul>`
        : '<p class="note"><span class="ok">✔</span> nothing to check.</p>';
      return (
        `<div class="draft"><h3>${code(d.eventName)}: ${html(q.aggregation_type ?? '')}${q.aggregation_key ? ` of ${code(q.aggregation_key)}` : ''}</h3>` +
        `<p class="note">${html(billedLine(d))} ${html(sourcesLine(d))}</p>` +
        `<ul class="why">${d.why.map((w) => `<li>${html(w)}</li>`).join('')}</ul>${flags}` +
        `<pre class="mono">${html(draftJson(q))}</pre></div>`
      );
    })
    .join('\n');
}
