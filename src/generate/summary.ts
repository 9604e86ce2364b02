/** The summary `meterscope generate` prints on stderr: what was written, where, and the timeline's shape. */
import type { GenerateResult } from './index.js';

const fmt = (n: number) => n.toLocaleString('en-US');
const rate = (r: number) => (r >= 1 ? r.toFixed(2) : r.toPrecision(2));

/** `outName`: the --out file as given (null for stdout). */
export function generationSummary(r: GenerateResult, outName: string | null): string {
  const o = r.options;
  const extras = [
    r.malformed ? `${fmt(r.malformed)} malformed lines` : '',
    r.duplicates ? `${fmt(r.duplicates)} duplicates` : '',
    r.late ? `${fmt(r.late)} late` : '',
  ].filter(Boolean);
  return (
    `generated ${fmt(r.events)} ${o.format} events${extras.length ? ` (+ ${extras.join(', ')})` : ''} in ${fmt(r.lines)} lines` +
    `${outName ? ` to ${outName} (${(r.bytes / 1e6).toFixed(1)} MB)` : ''} in ${r.seconds.toFixed(1)} s\n` +
    `  ${new Date(o.start).toISOString()} + ${o.duration} s: average ${rate(r.events / o.duration)}/s, ` +
    `peak ${fmt(r.peak)} events in one second (${new Date(r.peakSecond * 1000).toISOString()})` +
    `${r.schedule.burstStarts.length ? `, ${r.schedule.burstStarts.length === 1 ? '1 burst' : `${fmt(r.schedule.burstStarts.length)} bursts`} of ${r.schedule.burstSeconds} s` : ''}; seed ${o.seed}\n`
  );
}
