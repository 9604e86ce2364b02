/** A stopped tail's terminal report: the profile report, then the lines about the tail itself. */
import type { TailReport } from '../tail/model.js';
import { int as n } from './format.js';
import { renderTerminal } from './terminal.js';

export function renderTailTerminal(r: TailReport): string {
  return renderTerminal(r) + renderTailSummary(r);
}

export function renderTailSummary(r: TailReport): string {
  const t = r.tail;
  if (!t) return '';
  const a = t.arrival;
  const out = [
    '',
    'LIVE TAIL',
    `  stopped     ${t.stop}${t.resumed ? ' (resumed run)' : ''}; ${n(t.linesRead)} lines read in ${n(t.batches)} batches`,
    `  arrival     avg ${n(a.avg)}/s, peak ${n(a.peak)}/s, p50 ${n(a.p50)}/s, p99 ${n(a.p99)}/s over ${n(a.seconds)} s (${n(a.lines)} lines as they arrived)`,
  ];
  if (t.skippedLines) out.push(`  skipped     ${n(t.skippedLines)} lines already in the file at start (--from end)`);
  if (t.rolledBack.events + t.rolledBack.rejects) out.push(`  resume      removed ${n(t.rolledBack.events)} events / ${n(t.rolledBack.rejects)} rejects of an unfinished batch and read them again`);
  if (t.heldBytes) out.push(`  held        ${n(t.heldBytes)} bytes of an unfinished last line (no newline yet) not stored`);
  out.push(`  resume with meterscope tail --resume ${r.runId}`);
  return `${out.join('\n')}\n`;
}
