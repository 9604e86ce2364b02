/** The Problems section of the HTML report: what the APIs would refuse or drop, and rejected lines. */
import type { ProfileReport } from '../../profile/model.js';
import { cutoverRows } from '../fit-notes.js';
import { html, truncate } from '../escape.js';
import { duration, pct, plural, when } from '../format.js';
import { code, section, table } from './parts.js';

export function problems(r: ProfileReport): string {
  const items: string[] = [];
  const rejected = rejectsBlock(r);
  if (rejected) items.push(rejected);
  if (r.events.total > 0) {
    const id = r.identity;
    const t = r.time;
    // The last field marks a row that is no problem for either API (shown, never as ✖).
    const rows: [string, number, string, boolean?][] = [
      ['events without an identifier', id.withoutIdentifier, 'Stripe generates one; Metronome needs a transaction_id'],
      ['duplicates within 24 h', id.duplicates24h, 'Stripe rejects them'],
      ['duplicates within 34 days', id.duplicates34d, 'Metronome drops them'],
      ['older than 35 days', t.staleOver35d, `Stripe rejects them (as of ${when(t.asOf)} UTC)`],
      ['older than 34 days', t.staleOver34d, 'beyond Metronome backdating'],
      ['more than 5 min ahead', t.futureOver5m, 'Stripe rejects them'],
      ['more than 24 h ahead', t.futureOver24h, 'Metronome rejects them'],
      ['out of file order', t.outOfOrder, `up to ${duration(t.maxBackwardsSeconds)} back; neither API needs time order`, true],
      ['events without a customer', r.customers.missing, `key ${r.customers.key}`],
      ...cutoverRows(r),
    ];
    items.push(
      table(
        ['check', { text: 'events', num: true }, 'meaning'],
        rows.map(([k, n, why, harmless]) => ({
          cells: [{ html: n > 0 && !harmless ? `<span class="bad">✖</span> ${html(k)}` : `<span class="ok">✔</span> ${html(k)}` }, n, why],
        })),
      ),
    );
    const ex = [...id.examples24h, ...id.examples34d].slice(0, 6);
    if (ex.length) {
      items.push(
        '<h3>Duplicate identifier examples</h3>' +
          table(
            ['identifier', 'first', 'duplicate', { text: 'gap', num: true }],
            ex.map((e) => ({
              cells: [
                { html: code(e.identifier) },
                `${e.first.source.split('/').pop()}:${e.first.line} ${when(e.first.at)}`,
                `${e.duplicate.source.split('/').pop()}:${e.duplicate.line} ${when(e.duplicate.at)}`,
                { text: duration(e.gapSeconds), num: true, sort: e.gapSeconds },
              ],
            })),
          ),
      );
    }
  }
  const required = requirementsBlock(r);
  if (required) items.push(required);
  return section('problems', 'Problems', items.join('\n') || '<p class="note">No events.</p>');
}

/** Rejected lines by reason, with examples. */
function rejectsBlock(r: ProfileReport): string | null {
  if (!r.rejects.total) return null;
  return (
    `<h3>${html(plural(r.rejects.total, 'rejected line'))} (kept in the rejects table)</h3>` +
    table(
      ['reason', { text: 'lines', num: true }],
      r.rejects.byReason.map((b) => ({ cells: [b.reason, b.count] })),
    ) +
    (r.rejects.examples.length
      ? table(
          ['source', { text: 'line', num: true }, 'reason', 'text'],
          r.rejects.examples.map((e) => ({
            cells: [e.source.split('/').pop() ?? e.source, e.line, e.reason, { html: `<span class="mono">${html(truncate(e.raw, 200))}</span>` }],
          })),
        )
      : '')
  );
}

/** Coverage of the keys --require named, per event name. */
function requirementsBlock(r: ProfileReport): string | null {
  if (!r.requirements) return null;
  return (
    `<h3>Required keys: ${r.requirements.keys.map(code).join(', ')}</h3>` +
    table(
      [
        'event name',
        { text: 'events', num: true },
        { text: 'complete', num: true },
        { text: 'coverage', num: true },
        'per key',
        { text: 'customers missing', num: true },
      ],
      r.requirements.byEventName.map((n) => ({
        cells: [
          { html: code(n.eventName) },
          n.events,
          n.complete,
          { text: pct(n.coverage), num: true, sort: n.coverage },
          n.perKey.map((k) => `${k.key} ${pct(k.coverage)}`).join(', '),
          n.customersMissing,
        ],
      })),
    )
  );
}
