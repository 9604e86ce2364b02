/**
 * Plain-text rendering of a replay report (and of two replay runs side by side). Reasons come
 * from the target's answers: untrusted, so control characters are replaced before printing.
 */
import type { ReplayReport } from '../replay/model.js';
import type { LatencySummary } from '../replay/metrics.js';
import { indent, safe, sparkline, table } from './terminal-parts.js';
import { dec, int, ms } from './format.js';
import { SINK_TITLE, answeredLabel, sinkRows } from './replay-target-count.js';

const STATUS_TEXT: Record<number, string> = { 0: 'no answer (connection error / timeout)' };

function latencyRow(name: string, s: LatencySummary | null): string[] {
  if (!s || s.count === 0) return [name, '-', '-', '-', '-', '-', '-'];
  return [name, ms(s.p50Ms), ms(s.p90Ms), ms(s.p99Ms), ms(s.p999Ms), ms(s.maxMs), int(s.count)];
}

export function renderReplayTerminal(r: ReplayReport): string {
  const out: string[] = [];
  const t = r.totals;
  out.push(`meterscope replay · run ${safe(r.runId, 40)}${r.status === 'interrupted' ? ' · INTERRUPTED' : ''}`);
  out.push(safe(`target: ${r.target} (${r.protocol})`, 100));
  out.push(
    safe(
      `input: ${r.input.kind === 'run' ? `run ${r.sourceRunId}` : r.input.names.join(', ')} · ${int(r.input.events)} events` +
        (r.input.rejectedLines ? ` (${int(r.input.rejectedLines)} malformed lines not replayed)` : ''),
      100,
    ),
  );
  const s = r.settings;
  out.push(
    `pacing: ${s.pacingText} · ${s.connections} connection${s.connections === 1 ? '' : 's'}` +
      (s.pipelining > 1 ? ` × pipelining ${s.pipelining}` : '') +
      ` · batch ${s.batch}${s.batch > 1 ? ` (flush ${s.flushMs} ms)` : ''} · retries ≤ ${s.retries} · timestamps ${s.timestamps}`,
  );
  out.push('');
  out.push('Throughput');
  out.push(`  ${dec(r.achieved.eventsPerS)} events/s answered (${dec(r.achieved.acknowledgedPerS)} ${r.validatedLater ? 'received' : 'acknowledged'}) · ${dec(r.achieved.requestsPerS)} requests/s · ${dec(r.achieved.attemptsPerS)} attempts/s`);
  out.push(`  offered ${dec(r.achieved.offeredEventsPerS)} events/s over ${dec(r.sendSpanS)} s of sending; ${dec(r.elapsedS)} s from first request to last answer`);
  out.push('');
  out.push('Every event accounted for');
  const acc = table(['', 'events', 'share'], { widths: [30, 14, 10], aligns: ['left', 'right', 'right'] });
  const share = (n: number) => (t.eventsSent ? `${((n / t.eventsSent) * 100).toFixed(n === t.eventsSent || n === 0 ? 0 : 2)}%` : '-');
  acc.push([answeredLabel(r), int(t.acknowledged), share(t.acknowledged)]);
  acc.push(['rejected (4xx)', int(t.rejected), share(t.rejected)]);
  acc.push(['failed (after retries)', int(t.failed), share(t.failed)]);
  acc.push([r.accountingOk ? 'sent (= sum above)' : 'sent (MISMATCH)', int(t.eventsSent), share(t.eventsSent)]);
  if (t.notSent) acc.push(['not sent', int(t.notSent), '']);
  out.push(indent(acc.toString()));
  out.push(`  ${int(t.requests)} requests, ${int(t.attempts)} attempts, ${int(t.retries)} retries${t.sessionRequests ? `, ${int(t.sessionRequests)} session requests` : ''}`);
  const sink = sinkRows(r);
  if (sink.length) {
    out.push('', SINK_TITLE);
    const st = table(['', 'events'], { widths: [30, 14], aligns: ['left', 'right'] });
    for (const [k, n] of sink) st.push([k, int(n)]);
    out.push(indent(st.toString()));
  }
  out.push('');
  out.push('Latency (ms)');
  const lt = table(['', 'p50', 'p90', 'p99', 'p99.9', 'max', 'count'], { widths: [34, 9, 9, 9, 9, 9, 10], aligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right'] });
  lt.push(latencyRow('from scheduled time (corrected)', r.latency));
  lt.push(latencyRow('service time per attempt', r.service));
  if (r.connectionWait) lt.push(latencyRow('wait for a free connection', r.connectionWait));
  if (r.lag) lt.push(latencyRow('schedule lag (generator)', r.lag));
  out.push(indent(lt.toString()));
  out.push('');
  out.push('HTTP statuses (attempts)');
  const st = table(['status', 'attempts', ''], { widths: [10, 12, 44], aligns: ['right', 'right', 'left'] });
  for (const x of r.statuses) st.push([String(x.status), int(x.attempts), STATUS_TEXT[x.status] ?? '']);
  out.push(indent(st.toString()));
  const notAck = r.outcomes.filter((o) => o.outcome !== 'acknowledged');
  if (notAck.length) {
    out.push('');
    out.push('Not acknowledged: reasons');
    const ot = table(['outcome', 'status', 'events', 'reason'], { widths: [10, 8, 10, 64], aligns: ['left', 'right', 'right', 'left'] });
    for (const o of notAck.slice(0, 15)) ot.push([o.outcome, String(o.status), int(o.events), safe(o.reason, 120)]);
    out.push(indent(ot.toString()));
    if (notAck.length > 15) out.push(`  … ${notAck.length - 15} more reasons (--json for all)`);
  }
  if (r.series.length > 1) {
    out.push('');
    out.push(`Per second (${r.series.length} s)`);
    out.push(`  events sent   ${sparkline(r.series.map((x) => x.events))}  max ${int(Math.max(...r.series.map((x) => x.events)))}/s`);
    out.push(`  p99 latency   ${sparkline(r.series.map((x) => x.p99Ms))}  max ${ms(Math.max(...r.series.map((x) => x.p99Ms)))} ms`);
    if (r.series.some((x) => x.retries > 0)) out.push(`  retries       ${sparkline(r.series.map((x) => x.retries))}  max ${int(Math.max(...r.series.map((x) => x.retries)))}/s`);
  }
  if (r.notes.length) {
    out.push('');
    for (const n of r.notes) out.push(safe(`! ${n}`, 200));
  }
  return `${out.join('\n')}\n`;
}

/** Two replay runs side by side (b relative to a). */
export function renderReplayComparison(a: ReplayReport, b: ReplayReport): string {
  const out: string[] = [];
  out.push(`replay comparison · ${safe(a.runId, 40)} (A) vs ${safe(b.runId, 40)} (B)`);
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
  const tb = table(['', 'A', 'B', 'B vs A'], { widths: [24, 14, 14, 12], aligns: ['left', 'right', 'right', 'right'] });
  for (const [name, x, y] of rows) {
    const change = x !== null && y !== null && x !== 0 ? `${y >= x ? '+' : ''}${(((y - x) / x) * 100).toFixed(1)}%` : '-';
    tb.push([name, x === null ? '-' : dec(x), y === null ? '-' : dec(y), change]);
  }
  out.push(indent(tb.toString()));
  out.push(`  A: ${safe(a.settings.pacingText, 40)}, ${a.protocol} → ${safe(a.target, 40)}`);
  out.push(`  B: ${safe(b.settings.pacingText, 40)}, ${b.protocol} → ${safe(b.target, 40)}`);
  return `${out.join('\n')}\n`;
}
