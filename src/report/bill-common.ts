/**
 * Wording shared by the bill renderers (text, Markdown, HTML, CSV). Everything returned is plain
 * text: payload-derived parts (customers, group values, metric names) are escaped by each renderer.
 */
import type { BillModel, ParityRow, UsageLine } from '../bill/model.js';
import { int, plural, when } from './format.js';

/** Billing amounts exactly (up to float noise): rounding could hide a difference. */
export const quantity = (n: number | null): string => (n === null ? '-' : Number.isInteger(n) ? int(n) : String(Number(n.toPrecision(12))));

export const relPct = (r: ParityRow): string => `${r.relDiff > 0 ? '+' : ''}${(r.relDiff * 100).toFixed(2)}%`;

/** 'region=eu, tier=pro' (empty for no group). */
export const groupText = (g: UsageLine['group']): string =>
  g
    ? Object.entries(g)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')
    : '';

export const periodText = (iso: string, period: BillModel['settings']['period']): string =>
  period === 'month' ? iso.slice(0, 7) : period === 'hour' ? when(iso).slice(0, 16) : iso.slice(0, 10);

const DEDUP: Record<BillModel['settings']['dedup'], string> = {
  metronome: 'an identifier seen in the previous 34 days dropped (Metronome)',
  stripe: 'an identifier seen in the previous 24 h dropped (Stripe)',
  none: 'no deduplication',
};

/** One sentence: the run, the span, and how it was billed. */
export function billHeadline(b: BillModel): string {
  const s = b.settings;
  const span = b.span.first ? `, ${when(b.span.first)} → ${when(b.span.last)} UTC` : '';
  const range = s.from || s.to ? `; only ${s.from ? `from ${when(s.from)}` : ''}${s.from && s.to ? ' ' : ''}${s.to ? `until ${when(s.to)}` : ''}` : '';
  const sent = s.backfill ? `sent at ${when(s.asOf)} (Metronome refuses events older than 34 days or more than 24 h ahead)` : 'each event sent when it happened';
  return `Run ${b.runId}: ${plural(b.events, 'event')}${span}. Billed by ${s.period} (UTC), ${DEDUP[s.dedup]}, ${sent}${range}; ${plural(b.metrics.length, 'metric')} from ${s.metrics === 'file' ? s.metricsFile : "the run's drafts"}.`;
}

/** One sentence on the parity result, or null without --stripe. */
export function parityHeadline(b: BillModel): string | null {
  const p = b.paritySummary;
  if (!p) return null;
  const tol = `${Number((p.tolerance * 100).toPrecision(6))}%`;
  if (p.pairs === 0) return `Stripe parity: nothing to compare (${plural(p.skipped.length, 'metric')} skipped); ${plural(p.requests, 'API request')}.`;
  return (
    `Stripe parity: ${plural(p.pairs, 'customer × period pair')} (${plural(p.customers, 'customer')}, ${plural(p.periods, 'period')}): ` +
    `${int(p.matching)} match, ${int(p.withinOnePercent)} within 1%, ${int(p.over)} over the ${tol} tolerance` +
    `${p.over === 0 ? ' — ready for cut-over on these metrics' : ' — not ready'}; ${plural(p.requests, 'API request')}.`
  );
}
