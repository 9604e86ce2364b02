/**
 * An independent plain-JS bill: the same rules as docs/bill.md, written event by event over parsed
 * log lines (test/support/parse-events.ts), never through meterscope's SQL. Tests compare every
 * usage quantity and every exclusion count of `bill` with it.
 */
import type { BillableMetricCreateParams } from '@metronome/sdk/resources/v1/billable-metrics';
import type { ParsedEvent } from './parse-events.js';

export type Request = BillableMetricCreateParams;
export type Period = 'month' | 'week' | 'day' | 'hour';

export interface OracleOptions {
  period: Period;
  dedup: 'metronome' | 'stripe' | 'none';
  /** --backfill: events before oldest / after newest (ms) are refused. */
  accept?: { oldest: number; newest: number };
  range?: { from: number; to: number };
}

export interface OracleLine {
  customer: string;
  period: number;
  group: Record<string, string> | null;
  quantity: number;
  events: number;
}

export interface OracleBill {
  lines: OracleLine[];
  reasons: Map<string, number>;
  billed: number;
}

const DAY = 86_400_000;

/** Text of a payload value: strings as they are, anything else as JSON (as the log wrote it). */
const textOf = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
const present = (props: Record<string, unknown>, k: string) => Object.prototype.hasOwnProperty.call(props, k) && props[k] !== null;

function numberOf(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return null;
  const t = v.trim();
  return /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(t) ? Number(t) : null;
}

export function periodOf(ms: number, period: Period): number {
  const d = new Date(ms);
  if (period === 'month') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  if (period === 'hour') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours());
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  return period === 'day' ? day : day - ((d.getUTCDay() + 6) % 7) * DAY;
}

/** Log order: time, then line, then position in the line (one source). */
const before = (a: ParsedEvent, b: ParsedEvent) => a.time - b.time || a.line - b.line || a.seq - b.seq;

/** Events dropped as duplicates: the previous use of the identifier among ingested events is at most the window before. */
function duplicates(events: ParsedEvent[], o: OracleOptions): Set<ParsedEvent> {
  const out = new Set<ParsedEvent>();
  if (o.dedup === 'none') return out;
  const window = o.dedup === 'metronome' ? 34 * DAY : DAY;
  const last = new Map<string, number>();
  for (const e of [...events].sort(before)) {
    if (e.identifier === '' || e.customer === '') continue;
    if (o.accept && (e.time < o.accept.oldest || e.time > o.accept.newest)) continue;
    const prev = last.get(e.identifier);
    if (prev !== undefined && e.time - prev <= window) out.add(e);
    last.set(e.identifier, e.time);
  }
  return out;
}

function reasonOf(e: ParsedEvent, m: Request, o: OracleOptions, dups: Set<ParsedEvent>, groupBy: string[]): string {
  const et = m.event_type_filter;
  if ((et?.in_values && !et.in_values.includes(e.name)) || (et?.not_in_values && et.not_in_values.includes(e.name))) return 'event type not matched';
  if (o.accept && e.time < o.accept.oldest) return 'older than 34 days';
  if (o.accept && e.time > o.accept.newest) return 'more than 24 h ahead';
  if (e.customer === '') return 'missing customer';
  if (dups.has(e)) return o.dedup === 'metronome' ? 'duplicate (metronome 34d)' : 'duplicate (stripe 24h)';
  if (o.range && (e.time < o.range.from || e.time >= o.range.to)) return 'outside --from/--to';
  for (const f of m.property_filters ?? []) {
    const has = present(e.props, f.name);
    const missing = groupBy.includes(f.name)
      ? `missing group key ${f.name}`
      : f.name === m.aggregation_key
        ? `missing aggregation key ${f.name}`
        : `missing property ${f.name}`;
    if ((f.exists === true || f.in_values) && !has) return missing;
    if (f.exists === false && has) return `property ${f.name} present (exists: false)`;
    if (f.in_values && !f.in_values.includes(textOf(e.props[f.name]))) return `property ${f.name} not in in_values`;
    if (f.not_in_values && has && f.not_in_values.includes(textOf(e.props[f.name]))) return `property ${f.name} in not_in_values`;
  }
  const agg = m.aggregation_type;
  if (agg !== 'COUNT' && agg !== 'UNIQUE' && numberOf(present(e.props, m.aggregation_key!) ? e.props[m.aggregation_key!] : undefined) === null)
    return 'non-numeric value';
  return '';
}

export function oracleBill(events: ParsedEvent[], m: Request, o: OracleOptions): OracleBill {
  const groupBy = [...new Set((m.group_keys ?? []).flat())];
  const dups = duplicates(events, o);
  const reasons = new Map<string, number>();
  const buckets = new Map<string, { customer: string; period: number; group: Record<string, string> | null; evs: ParsedEvent[] }>();
  for (const e of events) {
    const reason = reasonOf(e, m, o, dups, groupBy);
    if (reason !== '') {
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      continue;
    }
    const group = groupBy.length ? Object.fromEntries(groupBy.map((k) => [k, textOf(e.props[k])])) : null;
    const period = periodOf(e.time, o.period);
    const key = JSON.stringify([e.customer, period, group]);
    let b = buckets.get(key);
    if (!b) buckets.set(key, (b = { customer: e.customer, period, group, evs: [] }));
    b.evs.push(e);
  }
  const value = (e: ParsedEvent) => numberOf(e.props[m.aggregation_key!])!;
  const lines = [...buckets.values()].map((b) => {
    let quantity: number;
    switch (m.aggregation_type) {
      case 'COUNT':
        quantity = b.evs.length;
        break;
      case 'SUM':
        quantity = b.evs.reduce((s, e) => s + value(e), 0);
        break;
      case 'MAX':
        quantity = Math.max(...b.evs.map(value));
        break;
      case 'UNIQUE':
        quantity = new Set(b.evs.map((e) => textOf(e.props[m.aggregation_key!]))).size;
        break;
      default:
        quantity = value([...b.evs].sort(before)[b.evs.length - 1]);
    }
    return { customer: b.customer, period: b.period, group: b.group, quantity, events: b.evs.length };
  });
  return { lines, reasons, billed: lines.reduce((s, l) => s + l.events, 0) };
}
