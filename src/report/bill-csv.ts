/**
 * The bill's usage lines as CSV (RFC 4180): one row per usage line, one column per group key of any
 * metric (empty where a metric lacks it). Values are written exactly, quoted when needed; a
 * spreadsheet may still read a cell starting with = + - @ as a formula.
 */
import type { BillModel } from '../bill/model.js';

/** One RFC 4180 field: quoted when it holds a comma, quote, CR or LF (quotes doubled). */
export function csvField(v: string | number): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function renderBillCsv(b: BillModel): string {
  const keys = [...new Set(b.metrics.flatMap((m) => m.groupBy))];
  const aggregation = new Map(b.metrics.map((m) => [m.name, m.aggregationType]));
  const lines = [['metric', 'aggregation', 'customer', 'period_start', ...keys.map((k) => `group:${k}`), 'quantity', 'events']];
  for (const u of b.usage) {
    lines.push([u.metric, aggregation.get(u.metric) ?? '', u.customer, u.periodStart, ...keys.map((k) => u.group?.[k] ?? ''), String(u.quantity), String(u.events)]);
  }
  return lines.map((l) => l.map(csvField).join(',')).join('\r\n') + '\r\n';
}
