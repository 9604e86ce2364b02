/** Plain-text rendering of the report model for a terminal (fits in 100 columns). */
import type { ProfileReport } from '../profile/model.js';

const n = (x: number) => x.toLocaleString('en-US');

export function renderTerminal(r: ProfileReport): string {
  const out: string[] = [];
  out.push(`meterscope profile — run ${r.runId}`);
  out.push('');
  out.push('VOLUME');
  out.push(`  events      ${n(r.events.total)} accepted, ${n(r.events.rejected)} rejected`);
  out.push(`  span        ${r.events.first ?? '-'} → ${r.events.last ?? '-'}`);
  for (const s of r.sources) out.push(`  source      ${s.source} (${s.format}): ${n(s.events)} events, ${n(s.rejects)} rejects`);
  if (r.rejects.total > 0) {
    out.push('');
    out.push('PROBLEMS');
    out.push(`  rejected lines: ${n(r.rejects.total)} (kept in the rejects table)`);
    for (const b of r.rejects.byReason) out.push(`    ${n(b.count).padStart(10)}  ${b.reason}`);
    for (const e of r.rejects.examples) out.push(`    ${e.source}:${e.line}: ${e.reason}`);
  }
  return `${out.join('\n')}\n`;
}
