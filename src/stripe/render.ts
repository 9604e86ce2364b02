/**
 * Terminal text for the Stripe commands. Meter names and event names come from the Stripe account
 * and the log: untrusted, so control characters are replaced (safe) before printing.
 */
import path from 'node:path';
import Table from 'cli-table3';
import { safe } from '../report/terminal.js';
import { int, plural, when } from '../report/format.js';
import type { StripeMeter } from './meters.js';
import type { EventLocation, StripeCheckResult } from './check.js';
import type { ReconcileResult } from './reconcile.js';

/** Billing amounts are shown exactly (up to float noise): rounding could hide a difference. */
export const amount = (n: number) => (Number.isInteger(n) ? int(n) : String(Number(n.toPrecision(12))));
/** Borderless columns, two spaces apart, so the tables fit 100 columns. */
export const table = (head: string[]) =>
  new Table({
    head,
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
      left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
/** A table's text without the padding cli-table3 leaves at line ends. */
export const text = (t: Table.Table) => t.toString().split('\n').map((l) => l.trimEnd()).join('\n');
const at = (l: EventLocation | null) => (l ? `${safe(path.basename(l.source), 40)} line ${l.line}` : '');

export function renderMeters(meters: StripeMeter[]): string {
  if (meters.length === 0) return 'No Billing Meters on this Stripe account.\n';
  const t = table(['meter', 'display name', 'event name', 'status', 'formula', 'customer key', 'value key', 'dimensions', 'Metronome']);
  for (const m of meters) {
    t.push([
      safe(m.id, 32),
      safe(m.displayName, 24),
      safe(m.eventName, 28),
      m.status,
      m.formula || '?',
      safe(m.customerKey, 20),
      safe(m.valueKey, 16),
      safe(m.dimensionKeys.join(', '), 20),
      m.metronome ? `${m.metronome.aggregationType}${m.metronome.aggregationKey ? `(${safe(m.metronome.aggregationKey, 16)})` : ''}` : '?',
    ]);
  }
  const active = meters.filter((m) => m.status === 'active').length;
  return `${plural(meters.length, 'meter')} (${int(active)} active)\n${text(t)}\n`;
}

export function renderCheck(r: StripeCheckResult): string {
  const out: string[] = [];
  out.push(
    `Run ${r.runId}: ${plural(r.events, 'event')}${r.span.first ? `, ${when(r.span.first)} → ${when(r.span.last)} UTC` : ''}; ` +
      `Stripe has ${plural(r.meterCount, 'meter')} (${int(r.activeMeterCount)} active).`,
  );
  if (r.meters.length > 0) {
    const t = table(['meter', 'event name', 'formula', 'events', 'billable', 'rejected', 'negative', 'customers', 'Metronome']);
    for (const c of r.meters) {
      t.push([
        safe(c.meterId, 24),
        safe(c.eventName, 24),
        c.formula || '?',
        int(c.events),
        int(c.billableEvents),
        int(c.events - c.billableEvents),
        int(c.negativeValues),
        int(c.customers),
        c.metronome ? `${c.metronome.aggregationType}${c.metronome.alternative ? `/${c.metronome.alternative}` : ''}` : '?',
      ]);
    }
    out.push('', 'Active meters', text(t));
  }
  const findings: string[] = [];
  if (r.unmetered.length > 0) {
    findings.push(
      `${plural(r.totals.unmeteredEvents, 'event')} under ${plural(r.unmetered.length, 'event name')} match no active meter (usage that bills nothing):`,
    );
    for (const u of r.unmetered) {
      findings.push(`    ${safe(u.eventName, 60)}: ${plural(u.events, 'event')}${u.inactiveMeterId ? ` (meter ${safe(u.inactiveMeterId, 32)} is inactive)` : ''}`);
    }
  }
  for (const c of r.meters) {
    const name = `${safe(c.meterId, 32)} (${safe(c.eventName, 40)})`;
    if (c.finding === 'idle') findings.push(`${name}: no events in the run's span`);
    const rejected = (l: EventLocation | null) => `(Stripe rejects them: they bill nothing; first: ${at(l)})`;
    if (c.missingCustomerKey) findings.push(`${name}: ${plural(c.missingCustomerKey, 'event')} without the customer key "${safe(c.customerKey, 40)}" ${rejected(c.examples.missingCustomerKey)}`);
    if (c.missingValueKey) findings.push(`${name}: ${plural(c.missingValueKey, 'event')} without the value key "${safe(c.valueKey, 40)}" ${rejected(c.examples.missingValueKey)}`);
    if (c.nonNumericValues) findings.push(`${name}: ${plural(c.nonNumericValues, 'event')} with a non-numeric "${safe(c.valueKey, 40)}" ${rejected(c.examples.nonNumericValue)}`);
    if (c.negativeValues) findings.push(`${name}: ${plural(c.negativeValues, 'event')} with a negative "${safe(c.valueKey, 40)}" (Stripe takes them as corrections; review before migrating; first: ${at(c.examples.negativeValue)})`);
  }
  out.push('', findings.length ? 'Findings' : 'Findings: none; every event name has an active meter and every event carries valid keys.');
  for (const f of findings) out.push(f.startsWith('    ') ? f : `  - ${f}`);
  const mapped = r.meters.filter((c) => c.metronome);
  if (mapped.length > 0) {
    out.push('', 'Metronome billable metrics these meters need');
    for (const c of mapped) out.push(`  - ${safe(c.eventName, 40)}: ${safe(c.metronome!.reason, 160)}`);
  }
  return `${out.join('\n')}\n`;
}

export function renderReconcile(r: ReconcileResult, opts: { maxRows?: number } = {}): string {
  const out: string[] = [];
  const windows = r.granularity === 'span' ? 'one window over the run' : `${r.granularity} windows`;
  out.push(
    `Run ${r.runId} against Stripe meter event summaries (${windows}${r.dedup ? ', duplicate identifiers within 24 h dropped' : ''}); ${plural(r.requests, 'API request')}.`,
  );
  if (r.meters.length > 0) {
    const range = (m: ReconcileResult['meters'][number]) => `${when(m.start)} → ${when(m.end)} UTC${m.granularity === 'span' ? '' : ` by ${m.granularity}`}`;
    const ranges = new Set(r.meters.map(range));
    if (ranges.size === 1) out.push(`Windows: ${[...ranges][0]}.`);
    const t = table(['meter', 'event name', 'formula', 'customers', 'differing', 'log total', 'Stripe total', 'rejected', 'duplicates']);
    for (const m of r.meters) {
      t.push([
        safe(m.meterId, 24),
        safe(m.eventName, 24),
        m.formula,
        m.customersCompared === m.customers ? int(m.customers) : `${int(m.customersCompared)} of ${int(m.customers)}`,
        int(m.customersDiffering),
        // A sum of per-customer last values means nothing; the rows below compare them one by one.
        m.formula === 'last' ? '-' : amount(m.logTotal),
        m.formula === 'last' ? '-' : amount(m.stripeTotal),
        int(m.rejectedEvents),
        int(m.duplicateEvents),
      ]);
    }
    out.push('', text(t));
    if (ranges.size > 1) for (const m of r.meters) out.push(`  ${safe(m.meterId, 32)}: ${range(m)}`);
  }
  for (const s of r.skippedMeters) out.push(`  skipped ${safe(s.meterId, 32)} (${safe(s.eventName, 40)}): ${s.reason}`);
  const diffs = r.rows.filter((x) => x.status !== 'match').sort((a, b) => Math.abs(b.difference) - Math.abs(a.difference));
  if (diffs.length === 0) {
    out.push('', r.rows.length ? `No differences: all ${plural(r.rows.length, 'window')} match.` : 'Nothing to compare.');
    return `${out.join('\n')}\n`;
  }
  const max = opts.maxRows ?? 30;
  out.push('', `${plural(diffs.length, 'difference')} (of ${plural(r.rows.length, 'window')} compared), largest first:`);
  const t = table(['meter', 'customer', 'window start', 'events', 'log', 'Stripe', 'Stripe − log', 'status']);
  for (const d of diffs.slice(0, max)) {
    t.push([
      safe(d.meterId, 20),
      safe(d.customer, 24),
      when(d.windowStart).slice(0, 16),
      int(d.logEvents),
      amount(d.logValue),
      d.stripeValue === null ? '-' : amount(d.stripeValue),
      amount(d.difference),
      d.status === 'stripe-error' ? `error: ${safe(d.error ?? '', 40)}` : d.status,
    ]);
  }
  out.push(text(t));
  if (diffs.length > max) out.push(`… ${int(diffs.length - max)} more (--json, or the stripe_reconcile table).`);
  return `${out.join('\n')}\n`;
}
