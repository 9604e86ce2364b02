/** A stopped tail's terminal report: the profile report of what it read, then the lines about the tail itself. */
import type { TailReport } from '../tail/model.js';
import { int, plural } from './format.js';
import { DEFAULT_WIDTH, field, wrap, type TextLayout } from './terminal-parts.js';
import { renderTerminal } from './terminal.js';

const LABEL = 12;

export function renderTailTerminal(r: TailReport, layout: TextLayout = { width: DEFAULT_WIDTH }): string {
  return renderTerminal(r, layout, 'tail') + renderTailSummary(r, layout);
}

export function renderTailSummary(r: TailReport, layout: TextLayout = { width: DEFAULT_WIDTH }): string {
  const t = r.tail;
  if (!t) return '';
  const w = layout.width;
  const a = t.arrival;
  const out = [
    '',
    'LIVE TAIL',
    field('stopped', `${t.stop}${t.resumed ? ' (resumed run)' : ''}; ${plural(t.linesRead, 'line')} read in ${plural(t.batches, 'batch', 'batches')}`, w, LABEL),
    field(
      'arrival',
      `avg ${int(a.avg)}/s, peak ${int(a.peak)}/s, p50 ${int(a.p50)}/s, p99 ${int(a.p99)}/s over ${int(a.seconds)} s (${plural(a.lines, 'line')} as they arrived)`,
      w,
      LABEL,
    ),
  ];
  if (t.skippedLines) out.push(field('skipped', `${plural(t.skippedLines, 'line')} already in the file at start (--from end)`, w, LABEL));
  if (t.rolledBack.events + t.rolledBack.rejects) {
    out.push(
      field('resume', `removed ${plural(t.rolledBack.events, 'event')} / ${plural(t.rolledBack.rejects, 'reject')} of an unfinished batch and read them again`, w, LABEL),
    );
  }
  if (t.heldBytes) out.push(field('held', `${plural(t.heldBytes, 'byte')} of an unfinished last line (no newline yet) not stored`, w, LABEL));
  out.push(wrap(`resume with meterscope tail --resume ${r.runId}`, w, 2, 4));
  return `${out.join('\n')}\n`;
}
