/**
 * Plain-text rendering of a replay report (and of two replay runs side by side). Reasons come
 * from the target's answers: untrusted, so control characters are replaced before printing.
 */
import type { ReplayReport } from '../replay/model.js';
import type { LatencySummary } from '../replay/metrics.js';
import { safe, sparkline, table } from './terminal.js';
import { dec, int, ms } from './format.js';

const STATUS_TEXT: Record<number, string> = { 0: 'no answer (connection error / timeout)' };

function latencyRow(name: string, s: LatencySummary | null): string[] {
  if (!s || s.count === 0) return [name, '-', '-', '-', '-', '-', '-'];
  return [name, ms(s.p50_ms), ms(s.p90_ms), ms(s.p99_ms), ms(s.p999_ms), ms(s.max_ms), int(s.count)];
}

export function renderReplayTerminal(r: ReplayReport): string {
  const out: string[] = [];
  const t = r.totals;
  out.push(`meterscope replay · run ${safe(r.run_id, 40)}${r.status === 'interrupted' ? ' · INTERRUPTED' : ''}`);
  out.push(safe(`target: ${r.target} (${r.protocol})`, 100));
  out.push(
    safe(
      `input: ${r.input.kind === 'run' ? `run ${r.source_run_id}` : r.input.names.join(', ')} · ${int(r.input.events)} events` +
        (r.input.rejected_lines ? ` (${int(r.input.rejected_lines)} malformed lines not replayed)` : ''),
      100,
    ),
  );
  const s = r.settings;
  out.push(
    `pacing: ${s.pacing_text} · ${s.connections} connection${s.connections === 1 ? '' : 's'}` +
      (s.pipelining > 1 ? ` × pipelining ${s.pipelining}` : '') +
      ` · batch ${s.batch}${s.batch > 1 ? ` (flush ${s.flush_ms} ms)` : ''} · retries ≤ ${s.retries} · timestamps ${s.timestamps}`,
  );
  out.push('');
  out.push('Throughput');
  out.push(`  ${dec(r.achieved.events_per_s)} events/s answered (${dec(r.achieved.acknowledged_per_s)} acknowledged) · ${dec(r.achieved.requests_per_s)} requests/s · ${dec(r.achieved.attempts_per_s)} attempts/s`);
  out.push(`  offered ${dec(r.achieved.offered_events_per_s)} events/s over ${dec(r.send_span_s)} s of sending; ${dec(r.elapsed_s)} s from first request to last answer`);
  out.push('');
  out.push('Every event accounted for');
  const acc = table(['', 'events', 'share'], [26, 14, 10], ['left', 'right', 'right']);
  const share = (n: number) => (t.events_sent ? `${((n / t.events_sent) * 100).toFixed(n === t.events_sent || n === 0 ? 0 : 2)}%` : '-');
  acc.push(['acknowledged', int(t.acknowledged), share(t.acknowledged)]);
  acc.push(['rejected (4xx)', int(t.rejected), share(t.rejected)]);
  acc.push(['failed (after retries)', int(t.failed), share(t.failed)]);
  acc.push([r.accounting_ok ? 'sent (= sum above)' : 'sent (MISMATCH)', int(t.events_sent), share(t.events_sent)]);
  if (t.not_sent) acc.push(['not sent', int(t.not_sent), '']);
  out.push(indent(acc.toString()));
  out.push(`  ${int(t.requests)} requests, ${int(t.attempts)} attempts, ${int(t.retries)} retries${t.session_requests ? `, ${int(t.session_requests)} session requests` : ''}`);
  out.push('');
  out.push('Latency (ms)');
  const lt = table(['', 'p50', 'p90', 'p99', 'p99.9', 'max', 'count'], [34, 9, 9, 9, 9, 9, 10], ['left', 'right', 'right', 'right', 'right', 'right', 'right']);
  lt.push(latencyRow('from scheduled time (corrected)', r.latency));
  lt.push(latencyRow('service time per attempt', r.service));
  if (r.connection_wait) lt.push(latencyRow('wait for a free connection', r.connection_wait));
  if (r.lag) lt.push(latencyRow('schedule lag (generator)', r.lag));
  out.push(indent(lt.toString()));
  out.push('');
  out.push('HTTP statuses (attempts)');
  const st = table(['status', 'attempts', ''], [10, 12, 44], ['right', 'right', 'left']);
  for (const x of r.statuses) st.push([String(x.status), int(x.attempts), STATUS_TEXT[x.status] ?? '']);
  out.push(indent(st.toString()));
  const notAck = r.outcomes.filter((o) => o.outcome !== 'acknowledged');
  if (notAck.length) {
    out.push('');
    out.push('Not acknowledged: reasons');
    const ot = table(['outcome', 'status', 'events', 'reason'], [10, 8, 10, 64], ['left', 'right', 'right', 'left']);
    for (const o of notAck.slice(0, 15)) ot.push([o.outcome, String(o.status), int(o.events), safe(o.reason, 120)]);
    out.push(indent(ot.toString()));
    if (notAck.length > 15) out.push(`  … ${notAck.length - 15} more reasons (--json for all)`);
  }
  if (r.series.length > 1) {
    out.push('');
    out.push(`Per second (${r.series.length} s)`);
    out.push(`  events sent   ${sparkline(r.series.map((x) => x.events))}  max ${int(Math.max(...r.series.map((x) => x.events)))}/s`);
    out.push(`  p99 latency   ${sparkline(r.series.map((x) => x.p99_ms))}  max ${ms(Math.max(...r.series.map((x) => x.p99_ms)))} ms`);
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
  out.push(`replay comparison · ${safe(a.run_id, 40)} (A) vs ${safe(b.run_id, 40)} (B)`);
  const rows: [string, number | null, number | null, 'higher' | 'lower'][] = [
    ['events/s answered', a.achieved.events_per_s, b.achieved.events_per_s, 'higher'],
    ['requests/s', a.achieved.requests_per_s, b.achieved.requests_per_s, 'higher'],
    ['latency p50 ms', a.latency.p50_ms, b.latency.p50_ms, 'lower'],
    ['latency p99 ms', a.latency.p99_ms, b.latency.p99_ms, 'lower'],
    ['latency p99.9 ms', a.latency.p999_ms, b.latency.p999_ms, 'lower'],
    ['latency max ms', a.latency.max_ms, b.latency.max_ms, 'lower'],
    ['service p99 ms', a.service.p99_ms, b.service.p99_ms, 'lower'],
    ['schedule lag p99 ms', a.lag?.p99_ms ?? null, b.lag?.p99_ms ?? null, 'lower'],
    ['acknowledged', a.totals.acknowledged, b.totals.acknowledged, 'higher'],
    ['rejected', a.totals.rejected, b.totals.rejected, 'lower'],
    ['failed', a.totals.failed, b.totals.failed, 'lower'],
    ['retries', a.totals.retries, b.totals.retries, 'lower'],
  ];
  const tb = table(['', 'A', 'B', 'B vs A'], [24, 14, 14, 12], ['left', 'right', 'right', 'right']);
  for (const [name, x, y] of rows) {
    const change = x !== null && y !== null && x !== 0 ? `${y >= x ? '+' : ''}${(((y - x) / x) * 100).toFixed(1)}%` : '-';
    tb.push([name, x === null ? '-' : dec(x), y === null ? '-' : dec(y), change]);
  }
  out.push(indent(tb.toString()));
  out.push(`  A: ${safe(a.settings.pacing_text, 40)}, ${a.protocol} → ${safe(a.target, 40)}`);
  out.push(`  B: ${safe(b.settings.pacing_text, 40)}, ${b.protocol} → ${safe(b.target, 40)}`);
  return `${out.join('\n')}\n`;
}

const indent = (text: string, by = 2) =>
  text
    .split('\n')
    .map((l) => ' '.repeat(by) + l)
    .join('\n');
