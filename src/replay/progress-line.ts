/** The one-line live view of a replay on a terminal: rewritten in place about once a second. */
import { summarize, type ReplayMetrics } from './metrics.js';

export function progressText(m: ReplayMetrics, elapsedS: number, total: number): string {
  const t = m.totals;
  const done = t.acknowledged + t.rejected + t.failed;
  const p99 = summarize(m.latency).p99Ms;
  return (
    `${elapsedS.toFixed(0)}s  sent ${t.events.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ev  ` +
    `ack ${t.acknowledged.toLocaleString('en-US')}  rej ${t.rejected}  fail ${t.failed}  ` +
    `in flight ${(t.events - done).toLocaleString('en-US')} ev  retries ${t.retries}  p99 ${p99} ms`
  );
}

export class ProgressLine {
  constructor(private readonly stream: NodeJS.WriteStream) {}

  show(m: ReplayMetrics, elapsedS: number, total: number): void {
    this.stream.write(`\r\x1b[K${progressText(m, elapsedS, total).slice(0, (this.stream.columns || 100) - 1)}`);
  }

  /** Erases the line so the report starts on a clean one. */
  clear(): void {
    this.stream.write('\r\x1b[K');
  }
}
