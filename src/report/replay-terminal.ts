/**
 * Plain-text rendering of a replay report (and of two replay runs side by side). Reasons come
 * from the target's answers: untrusted, so control characters are replaced before printing.
 */
import type { ReplayReport } from '../replay/model.js';
import type { LatencySummary } from '../replay/metrics.js';
import { cut, DEFAULT_WIDTH, indent, safe, sparkline, wrap, type TextLayout } from './terminal-parts.js';
import { table } from './text-table.js';
import { dec, int, ms, plural } from './format.js';
import { SINK_TITLE, answeredLabel, sinkRows } from './replay-target-count.js';

const STATUS_TEXT: Record<number, string> = { 0: 'no answer (connection error / timeout)' };
const MAX_REASONS = 15;

function latencyRow(name: string, s: LatencySummary | null): string[] {
  if (!s || s.count === 0) return [name, '-', '-', '-', '-', '-', '-'];
  return [name, ms(s.p50Ms), ms(s.p90Ms), ms(s.p99Ms), ms(s.p999Ms), ms(s.maxMs), int(s.count)];
}

export function renderReplayTerminal(r: ReplayReport, layout: TextLayout = { width: DEFAULT_WIDTH }): string {
  const w = layout.width;
  const out: string[] = [];
  out.push(cut(`meterscope replay · run ${safe(r.runId, 40)}${r.status === 'interrupted' ? ' · INTERRUPTED' : ''}`, w));
  out.push(wrap(safe(`target: ${r.target} (${r.protocol})`, 400), w, 0, 2));
  out.push(
    wrap(
      safe(
        `input: ${r.input.kind === 'run' ? `run ${r.sourceRunId}` : r.input.names.join(', ')} · ${plural(r.input.events, 'event')}` +
          (r.input.rejectedLines ? ` (${plural(r.input.rejectedLines, 'malformed line')} not replayed)` : ''),
        400,
      ),
      w,
      0,
      2,
    ),
  );
  const s = r.settings;
  out.push(
    wrap(
      `pacing: ${s.pacingText} · ${plural(s.connections, 'connection')}` +
        (s.pipelining > 1 ? ` × pipelining ${s.pipelining}` : '') +
        ` · batch ${int(s.batch)}${s.batch > 1 ? ` (flush ${int(s.flushMs)} ms)` : ''} · retries ≤ ${int(s.retries)} · timestamps ${s.timestamps}`,
      w,
      0,
      2,
    ),
  );
  out.push('');
  throughput(r, w, out);
  accounting(r, w, out);
  latency(r, w, out);
  statuses(r, w, out);
  series(r, w, out);
  if (r.notes.length) {
    out.push('');
    for (const n of r.notes) out.push(wrap(safe(`! ${n}`, 400), w, 0, 2));
  }
  return `${out.join('\n')}\n`;
}

function throughput(r: ReplayReport, w: number, out: string[]): void {
  const a = r.achieved;
  out.push('Throughput');
  out.push(
    wrap(
      `${dec(a.eventsPerS)} events/s answered (${dec(a.acknowledgedPerS)} ${r.validatedLater ? 'received' : 'acknowledged'}/s) · ${dec(a.requestsPerS)} requests/s · ${dec(a.attemptsPerS)} attempts/s`,
      w,
      2,
      2,
    ),
  );
  out.push(wrap(`offered ${dec(a.offeredEventsPerS)} events/s over ${dec(r.sendSpanS)} s of sending; ${dec(r.elapsedS)} s from first request to last answer`, w, 2, 2));
  out.push('');
}

function accounting(r: ReplayReport, w: number, out: string[]): void {
  const t = r.totals;
  out.push('Every event accounted for');
  const acc = table([
    { head: '', shrink: 'wrap', min: 12 },
    { head: 'events', align: 'right' },
    { head: 'share', align: 'right' },
  ]);
  const share = (n: number) => (t.eventsSent ? `${((n / t.eventsSent) * 100).toFixed(n === t.eventsSent || n === 0 ? 0 : 2)}%` : '-');
  acc.push([answeredLabel(r), int(t.acknowledged), share(t.acknowledged)]);
  acc.push(['rejected (4xx)', int(t.rejected), share(t.rejected)]);
  acc.push(['failed (after retries)', int(t.failed), share(t.failed)]);
  acc.push([r.accountingOk ? 'sent (= sum above)' : 'sent (MISMATCH)', int(t.eventsSent), share(t.eventsSent)]);
  if (t.notSent) acc.push(['not sent', int(t.notSent), '']);
  out.push(indent(acc.render(w - 2)));
  out.push(
    wrap(
      `${plural(t.requests, 'request')}, ${plural(t.attempts, 'attempt')}, ${plural(t.retries, 'retry', 'retries')}${t.sessionRequests ? `, ${plural(t.sessionRequests, 'session request')}` : ''}`,
      w,
      2,
      2,
    ),
  );
  const sink = sinkRows(r);
  if (sink.length) {
    out.push('', SINK_TITLE);
    const st = table([
      { head: '', shrink: 'wrap', min: 12 },
      { head: 'events', align: 'right' },
    ]);
    for (const [k, n] of sink) st.push([k, int(n)]);
    out.push(indent(st.render(w - 2)));
  }

  out.push('');
}

function latency(r: ReplayReport, w: number, out: string[]): void {
  out.push('Latency (ms)');
  const num = (head: string, drop?: number) => ({ head, align: 'right' as const, drop });
  const lt = table([{ head: '', shrink: 'wrap', min: 14 }, num('p50'), num('p90', 2), num('p99'), num('p99.9', 1), num('max'), num('count')]);
  lt.push(latencyRow('from scheduled time (corrected)', r.latency));
  lt.push(latencyRow('service time per attempt', r.service));
  if (r.connectionWait) lt.push(latencyRow('wait for a free connection', r.connectionWait));
  if (r.lag) lt.push(latencyRow('schedule lag (generator)', r.lag));
  out.push(indent(lt.render(w - 2)));
  out.push('');
}

function statuses(r: ReplayReport, w: number, out: string[]): void {
  out.push('HTTP statuses (attempts)');
  const st = table([
    { head: 'status', align: 'right' },
    { head: 'attempts', align: 'right' },
    { head: '', shrink: 'wrap', min: 16 },
  ]);
  for (const x of r.statuses) st.push([String(x.status), int(x.attempts), STATUS_TEXT[x.status] ?? '']);
  out.push(indent(st.render(w - 2)));
  const notAck = r.outcomes.filter((o) => o.outcome !== 'acknowledged');
  if (!notAck.length) return;
  out.push('');
  out.push('Not acknowledged: reasons');
  const ot = table([{ head: 'outcome' }, { head: 'status', align: 'right' }, { head: 'events', align: 'right' }, { head: 'reason', shrink: 'wrap', min: 20 }]);
  for (const o of notAck.slice(0, MAX_REASONS)) ot.push([o.outcome, String(o.status), int(o.events), safe(o.reason, 120)]);
  out.push(indent(ot.render(w - 2)));
  if (notAck.length > MAX_REASONS) out.push(`  … ${int(notAck.length - MAX_REASONS)} more reasons (--json for all)`);
}

function series(r: ReplayReport, w: number, out: string[]): void {
  if (r.series.length <= 1) return;
  out.push('');
  out.push(`Per second (${int(r.series.length)} s)`);
  // Label, sparkline and the maximum share the line; the sparkline gets what is left (at most 60).
  const line = (label: string, values: number[], max: string) => `  ${label.padEnd(14)}${sparkline(values, Math.min(60, w - 18 - max.length))}  ${max}`;
  out.push(
    line(
      'events sent',
      r.series.map((x) => x.events),
      `max ${int(Math.max(...r.series.map((x) => x.events)))}/s`,
    ),
  );
  out.push(
    line(
      'p99 latency',
      r.series.map((x) => x.p99Ms),
      `max ${ms(Math.max(...r.series.map((x) => x.p99Ms)))} ms`,
    ),
  );
  if (r.series.some((x) => x.retries > 0))
    out.push(
      line(
        'retries',
        r.series.map((x) => x.retries),
        `max ${int(Math.max(...r.series.map((x) => x.retries)))}/s`,
      ),
    );
}

/** Two replay runs side by side (b relative to a). */
export function renderReplayComparison(a: ReplayReport, b: ReplayReport, layout: TextLayout = { width: DEFAULT_WIDTH }): string {
  const w = layout.width;
  const out: string[] = [];
  out.push(cut(`replay comparison · ${safe(a.runId, 40)} (A) vs ${safe(b.runId, 40)} (B)`, w));
  const rows: [string, number | null, number | null, 'higher' | 'lower'][] = [
    ['events/s answered', a.achieved.eventsPerS, b.achieved.eventsPerS, 'higher'],
    ['requests/s', a.achieved.requestsPerS, b.achieved.requestsPerS, 'higher'],
    ['latency p50 ms', a.latency.p50Ms, b.latency.p50Ms, 'lower'],
    ['latency p99 ms', a.latency.p99Ms, b.latency.p99Ms, 'lower'],
    ['latency p99.9 ms', a.latency.p999Ms, b.latency.p999Ms, 'lower'],
    ['latency max ms', a.latency.maxMs, b.latency.maxMs, 'lower'],
    ['service p99 ms', a.service.p99Ms, b.service.p99Ms, 'lower'],
    ['schedule lag p99 ms', a.lag?.p99Ms ?? null, b.lag?.p99Ms ?? null, 'lower'],
    ['acknowledged', a.totals.acknowledged, b.totals.acknowledged, 'higher'],
    ['rejected', a.totals.rejected, b.totals.rejected, 'lower'],
    ['failed', a.totals.failed, b.totals.failed, 'lower'],
    ['retries', a.totals.retries, b.totals.retries, 'lower'],
  ];
  const tb = table([{ head: '' }, { head: 'A', align: 'right' }, { head: 'B', align: 'right' }, { head: 'B vs A', align: 'right' }]);
  for (const [name, x, y] of rows) {
    const change = x !== null && y !== null && x !== 0 ? `${y >= x ? '+' : ''}${(((y - x) / x) * 100).toFixed(1)}%` : '-';
    tb.push([name, x === null ? '-' : dec(x), y === null ? '-' : dec(y), change]);
  }
  out.push(indent(tb.render(w - 2)));
  out.push(wrap(`A: ${safe(a.settings.pacingText, 40)}, ${a.protocol} → ${safe(a.target, 200)}`, w, 2, 2));
  out.push(wrap(`B: ${safe(b.settings.pacingText, 40)}, ${b.protocol} → ${safe(b.target, 200)}`, w, 2, 2));
  return `${out.join('\n')}\n`;
}
