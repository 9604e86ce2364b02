/**
 * Terminal text for the Stripe commands. Meter names and event names come from the Stripe account
 * and the log: untrusted, so control characters are replaced (safe) before printing.
 */
import path from 'node:path';
import type { StripeMeter } from '../stripe/meters.js';
import type { EventLocation, StripeCheckResult } from '../stripe/check.js';
import type { ReconcileResult } from '../stripe/reconcile.js';
import { int, plural, when } from './format.js';
import { DEFAULT_WIDTH, safe, wrap, type TextLayout } from './terminal-parts.js';
import { table, type Column } from './text-table.js';

/** Billing amounts are shown exactly (up to float noise): rounding could hide a difference. */
const amount = (n: number) => (Number.isInteger(n) ? int(n) : String(Number(n.toPrecision(12))));
/** Borderless columns, two spaces apart. */
const bare = (columns: Column[]) => table(columns, { rules: 'bare' });
const num = (head: string, drop?: number): Column => ({ head, align: 'right', drop });
const name = (head: string, min = 12, drop?: number): Column => ({ head, shrink: 'cut', min, drop });
const DEFAULT_LAYOUT: TextLayout = { width: DEFAULT_WIDTH };
const at = (l: EventLocation | null) => (l ? `${safe(path.basename(l.source), 40)} line ${l.line}` : '');

export function renderMeters(meters: StripeMeter[], layout = DEFAULT_LAYOUT): string {
  if (meters.length === 0) return 'No Billing Meters on this Stripe account.\n';
  const t = bare([
    name('meter', 14),
    name('display name', 12, 1),
    name('event name'),
    { head: 'status' },
    { head: 'formula' },
    name('customer key', 12, 3),
    name('value key', 10, 4),
    name('dimensions', 10, 2),
    name('Metronome', 10, 5),
  ]);
  for (const m of meters) {
    t.push([
      safe(m.id, 40),
      safe(m.displayName, 30),
      safe(m.eventName, 40),
      m.status,
      m.formula || '?',
      safe(m.customerKey, 30),
      safe(m.valueKey, 30),
      safe(m.dimensionKeys.join(', '), 40),
      m.metronome ? `${m.metronome.aggregationType}${m.metronome.aggregationKey ? `(${safe(m.metronome.aggregationKey, 16)})` : ''}` : '?',
    ]);
  }
  const active = meters.filter((m) => m.status === 'active').length;
  return `${plural(meters.length, 'meter')} (${int(active)} active)\n${t.render(layout.width)}\n`;
}

export function renderCheck(r: StripeCheckResult, layout = DEFAULT_LAYOUT): string {
  const w = layout.width;
  const out: string[] = [];
  out.push(
    wrap(
      `Run ${r.runId}: ${plural(r.events, 'event')}${r.span.first ? `, ${when(r.span.first)} → ${when(r.span.last)} UTC` : ''}; ` +
        `Stripe has ${plural(r.meterCount, 'meter')} (${int(r.activeMeterCount)} active).`,
      w,
    ),
  );
  if (r.meters.length > 0) {
    const t = bare([
      name('meter', 14),
      name('event name', 12),
      { head: 'formula' },
      num('events'),
      num('billable'),
      num('rejected', 2),
      num('negative', 3),
      num('customers', 1),
      name('Metronome', 9, 4),
    ]);
    for (const c of r.meters) {
      t.push([
        safe(c.meterId, 40),
        safe(c.eventName, 40),
        c.formula || '?',
        int(c.events),
        int(c.billableEvents),
        int(c.events - c.billableEvents),
        int(c.negativeValues),
        int(c.customers),
        c.metronome ? `${c.metronome.aggregationType}${c.metronome.alternative ? `/${c.metronome.alternative}` : ''}` : '?',
      ]);
    }
    out.push('', 'Active meters', t.render(w));
  }
  const findings = checkFindings(r);
  out.push('', findings.length ? 'Findings' : wrap('Findings: none; every event name has an active meter and every event carries valid keys.', w));
  for (const [depth, f] of findings) out.push(depth ? wrap(f, w, 4, 2) : wrap(`- ${f}`, w, 2, 2));
  const mapped = r.meters.filter((c) => c.metronome);
  if (mapped.length > 0) {
    out.push('', 'Metronome billable metrics these meters need');
    for (const c of mapped) out.push(wrap(`- ${safe(c.eventName, 40)}: ${safe(c.metronome!.reason, 400)}`, w, 2, 2));
  }
  return `${out.join('\n')}\n`;
}

/** The check's findings, each with its depth (1: a detail of the finding above). */
function checkFindings(r: StripeCheckResult): [0 | 1, string][] {
  const findings: [0 | 1, string][] = [];
  if (r.unmetered.length > 0) {
    findings.push([
      0,
      `${plural(r.totals.unmeteredEvents, 'event')} under ${plural(r.unmetered.length, 'event name')} match no active meter (usage that bills nothing):`,
    ]);
    for (const u of r.unmetered) {
      findings.push([1, `${safe(u.eventName, 60)}: ${plural(u.events, 'event')}${u.inactiveMeterId ? ` (meter ${safe(u.inactiveMeterId, 32)} is inactive)` : ''}`]);
    }
  }
  for (const c of r.meters) {
    const meter = `${safe(c.meterId, 32)} (${safe(c.eventName, 40)})`;
    const add = (text: string) => findings.push([0, `${meter}: ${text}`]);
    if (c.finding === 'idle') add("no events in the run's span");
    const rejected = (l: EventLocation | null) => `(Stripe rejects them: they bill nothing; first: ${at(l)})`;
    if (c.missingCustomerKey)
      add(`${plural(c.missingCustomerKey, 'event')} without the customer key "${safe(c.customerKey, 40)}" ${rejected(c.examples.missingCustomerKey)}`);
    if (c.missingValueKey) add(`${plural(c.missingValueKey, 'event')} without the value key "${safe(c.valueKey, 40)}" ${rejected(c.examples.missingValueKey)}`);
    if (c.nonNumericValues) add(`${plural(c.nonNumericValues, 'event')} with a non-numeric "${safe(c.valueKey, 40)}" ${rejected(c.examples.nonNumericValue)}`);
    if (c.negativeValues)
      add(
        `${plural(c.negativeValues, 'event')} with a negative "${safe(c.valueKey, 40)}" (Stripe takes them as corrections; review before migrating; first: ${at(c.examples.negativeValue)})`,
      );
  }
  return findings;
}

export function renderReconcile(r: ReconcileResult, opts: { maxRows?: number } = {}, layout = DEFAULT_LAYOUT): string {
  const w = layout.width;
  const out: string[] = [];
  const windows = r.granularity === 'span' ? 'one window over the run' : `${r.granularity} windows`;
  out.push(
    wrap(
      `Run ${r.runId} against Stripe meter event summaries (${windows}${r.dedup ? ', duplicate identifiers within 24 h dropped' : ''}); ${plural(r.requests, 'API request')}.`,
      w,
    ),
  );
  if (r.meters.length > 0) reconcileMeters(r, w, out);
  for (const s of r.skippedMeters) out.push(wrap(`skipped ${safe(s.meterId, 32)} (${safe(s.eventName, 40)}): ${s.reason}`, w, 2, 2));
  const diffs = r.rows.filter((x) => x.status !== 'match').sort((a, b) => Math.abs(b.difference) - Math.abs(a.difference));
  if (diffs.length === 0) {
    out.push('', r.rows.length ? `No differences: all ${plural(r.rows.length, 'window')} match.` : 'Nothing to compare.');
    return `${out.join('\n')}\n`;
  }
  const max = opts.maxRows ?? 30;
  out.push('', wrap(`${plural(diffs.length, 'difference')} (of ${plural(r.rows.length, 'window')} compared), largest first:`, w));
  const t = bare([
    name('meter', 10),
    name('customer', 12),
    { head: 'window start' },
    num('events', 1),
    num('log'),
    num('Stripe'),
    num('Stripe − log'),
    { head: 'status', shrink: 'wrap', min: 8 },
  ]);
  for (const d of diffs.slice(0, max)) {
    t.push([
      safe(d.meterId, 40),
      safe(d.customer, 40),
      when(d.windowStart).slice(0, 16),
      int(d.logEvents),
      amount(d.logValue),
      d.stripeValue === null ? '-' : amount(d.stripeValue),
      amount(d.difference),
      d.status === 'stripe-error' ? `error: ${safe(d.error ?? '', 80)}` : d.status,
    ]);
  }
  out.push(t.render(w));
  if (diffs.length > max) out.push(`… ${int(diffs.length - max)} more (--json, or the stripe_reconcile table).`);
  return `${out.join('\n')}\n`;
}

/** One row per meter compared; "rejected" counts the meter's whole run, "duplicates" those of the customers compared. */
function reconcileMeters(r: ReconcileResult, w: number, out: string[]): void {
  const range = (m: ReconcileResult['meters'][number]) => `${when(m.start)} → ${when(m.end)} UTC${m.granularity === 'span' ? '' : ` by ${m.granularity}`}`;
  const ranges = new Set(r.meters.map(range));
  if (ranges.size === 1) out.push(wrap(`Windows: ${[...ranges][0]}.`, w));
  const t = bare([
    name('meter', 10),
    name('event name', 10, 2),
    { head: 'formula', drop: 3 },
    num('customers'),
    num('differing'),
    num('log total'),
    num('Stripe total'),
    num('rejected', 1),
    num('duplicates'),
  ]);
  for (const m of r.meters) {
    t.push([
      safe(m.meterId, 40),
      safe(m.eventName, 40),
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
  out.push('', t.render(w));
  if (ranges.size > 1) for (const m of r.meters) out.push(wrap(`${safe(m.meterId, 32)}: ${range(m)}`, w, 2, 2));
}
