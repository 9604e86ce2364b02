/**
 * The PROBLEMS section of the terminal report: what the APIs would refuse or drop (rejected lines,
 * duplicate identifiers, stale and future events, missing customers and required keys).
 */
import type { ProfileReport } from '../profile/model.js';
import { duplicateAt, duration, int, pct, plural, when } from './format.js';
import { cut, displayWidth, safe, wrap } from './terminal-parts.js';
import { cutoverRows } from './fit-notes.js';

/** Of a rejected line, at least this many characters are shown (the width allowing more). */
const MIN_REJECT_TEXT = 160;

/** A problem line: its text and its depth (0 = a problem, 1 = a detail of the one above, 2 = text shown as it is, folded). */
type Item = [depth: 0 | 1 | 2, text: string];

const INDENT = [2, 4, 6];

export function problems(r: ProfileReport, w: number, out: string[]): void {
  const items: Item[] = [...rejects(r, w)];
  if (r.events.total > 0) items.push(...identity(r), ...timing(r), ...customers(r));
  if (r.events.total === 0) items.unshift([0, 'no events: the input was empty or every record was rejected']);
  out.push('PROBLEMS');
  if (items.length === 0) out.push('  none found');
  for (const [depth, text] of items) {
    if (depth === 2) out.push(...fold(text, w - INDENT[2]).map((piece) => ' '.repeat(INDENT[2]) + piece));
    else out.push(wrap(text, w, INDENT[depth], depth === 0 ? 4 : 2));
  }
}

function rejects(r: ProfileReport, w: number): Item[] {
  if (r.rejects.total === 0) return [];
  const items: Item[] = [[0, `rejected: ${plural(r.rejects.total, 'line')} (kept in the rejects table)`]];
  for (const b of r.rejects.byReason.slice(0, 8)) items.push([1, `${int(b.count).padStart(10)}  ${safe(b.reason, 200)}`]);
  for (const e of r.rejects.examples) {
    items.push([1, safe(`${e.source.split('/').pop()}:${e.line}: ${e.reason}:`, 400)]);
    // The raw line folded under its location: enough of it to see what is wrong with it.
    items.push([2, safe(e.raw, Math.max(MIN_REJECT_TEXT, w - INDENT[2]))]);
  }
  return items;
}

/** Splits text into pieces of `width` columns (raw log text: no word boundaries to respect). */
function fold(text: string, width: number): string[] {
  const pieces: string[] = [];
  let cur = '';
  for (const ch of text) {
    if (displayWidth(cur + ch) > width) {
      pieces.push(cur);
      cur = '';
    }
    cur += ch;
  }
  return cur ? [...pieces, cur] : pieces;
}

function identity(r: ProfileReport): Item[] {
  const id = r.identity;
  const items: Item[] = [];
  if (id.withoutIdentifier) items.push([0, `no identifier: ${plural(id.withoutIdentifier, 'event')} (Stripe generates one; Metronome needs a transaction_id)`]);
  if (id.duplicates24h || id.duplicates34d) {
    items.push([
      0,
      `duplicate identifiers: ${int(id.duplicates24h)} within 24 h (Stripe rejects), ${int(id.duplicates34d)} within 34 days (Metronome drops); ${plural(id.reusedIdentifiers, 'identifier')} reused`,
    ]);
    for (const e of [...id.examples24h.slice(0, 3), ...id.examples34d.slice(0, 2)]) {
      items.push([1, safe(`${cut(e.identifier, 60)}: ${duplicateAt(e)}, ${duration(e.gapSeconds)} later`, 400)]);
    }
  }
  return items;
}

function timing(r: ProfileReport): Item[] {
  const t = r.time;
  const items: Item[] = [];
  if (t.staleOver35d || t.staleOver34d) {
    items.push([0, `old: ${plural(t.staleOver35d, 'event')} > 35 days before ${when(t.asOf)} (Stripe rejects), ${int(t.staleOver34d)} > 34 days (Metronome)`]);
  }
  if (t.futureOver5m)
    items.push([0, `future: ${plural(t.futureOver5m, 'event')} > 5 min after ${when(t.asOf)} (Stripe rejects); ${int(t.futureOver24h)} > 24 h (Metronome rejects)`]);
  return items;
}

function customers(r: ProfileReport): Item[] {
  const items: Item[] = [];
  if (r.customers.missing) items.push([0, `no customer: ${plural(r.customers.missing, 'event')}`]);
  for (const [check, n, meaning] of cutoverRows(r)) if (n > 0) items.push([0, `${check}: ${plural(n, 'event')} (${meaning})`]);
  for (const n of r.requirements?.byEventName ?? []) {
    if (n.complete === n.events) continue;
    const keys = n.perKey
      .filter((k) => k.present < n.events)
      .map((k) => `${k.key} ${pct(k.coverage)}`)
      .join(', ');
    items.push([
      0,
      safe(`missing required keys in ${n.eventName}: ${plural(n.events - n.complete, 'event')} (coverage ${keys}); ${plural(n.customersMissing, 'customer')}`, 400),
    ]);
    const top = n.topCustomersMissing
      .slice(0, 5)
      .map((c) => `${safe(c.customer, 24)} ${int(c.events)}`)
      .join(', ');
    if (top) items.push([1, `most affected: ${top}`]);
  }
  return items;
}
