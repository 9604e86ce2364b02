/**
 * The arrival clock: how many lines per second reach meterscope, by wall-clock second, measured
 * in Node as the bytes are read. Completed seconds go into an HDR histogram (fixed memory however
 * long the tail runs), so percentiles of the per-second rate are available at any time.
 * Lines that were already in the file when following began are a catch-up, not arrivals.
 */
import * as hdr from 'hdr-histogram-js';

export interface ArrivalSnapshot {
  /** Lines that arrived while following (catch-up excluded). */
  lines: number;
  /** Lines in the last completed wall-clock second. */
  now: number;
  /** Mean rate over the span from the first to the last arrival. */
  avg: number;
  /** Busiest completed second (or the current one, if busier already). */
  peak: number;
  p50: number;
  p99: number;
  /** Completed seconds measured (from the first arrival on, idle seconds in between included). */
  seconds: number;
  firstAt: string | null;
  lastAt: string | null;
}

export class ArrivalMeter {
  private readonly hist = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 1_000_000_000, numberOfSignificantValueDigits: 3 });
  private total = 0;
  private firstAt = 0;
  private firstLines = 0;
  private lastAt = 0;
  /** The wall-clock second being counted (epoch seconds), and its count so far. */
  private second = -1;
  private inSecond = 0;
  private lastCompleted = 0;

  record(lines: number, at: number): void {
    if (lines <= 0) return;
    this.roll(at);
    if (this.total === 0) {
      this.firstAt = at;
      this.firstLines = lines;
    }
    if (this.second < 0) this.second = Math.floor(at / 1000);
    this.total += lines;
    this.inSecond += lines;
    this.lastAt = Math.max(this.lastAt, at);
  }

  /** Closes the seconds that have ended by `now` (idle seconds count as 0 lines/s). */
  roll(now: number): void {
    if (this.second < 0) return;
    const sec = Math.floor(now / 1000);
    if (sec <= this.second) return;
    this.hist.recordValue(this.inSecond);
    this.lastCompleted = sec - this.second === 1 ? this.inSecond : 0;
    const idle = sec - this.second - 1;
    if (idle > 0) this.hist.recordValueWithCount(0, idle);
    this.second = sec;
    this.inSecond = 0;
  }

  snapshot(now = Date.now()): ArrivalSnapshot {
    this.roll(now);
    const span = (this.lastAt - this.firstAt) / 1000;
    // The first read's lines arrived up to (not after) firstAt, so they are outside the span.
    const avg = span >= 0.5 ? (this.total - this.firstLines) / span : this.total;
    const seconds = this.hist.totalCount;
    return {
      lines: this.total,
      now: this.lastCompleted,
      avg: round1(avg),
      peak: Math.max(seconds > 0 ? this.hist.maxValue : 0, this.inSecond),
      p50: seconds > 0 ? this.hist.getValueAtPercentile(50) : 0,
      p99: seconds > 0 ? this.hist.getValueAtPercentile(99) : 0,
      seconds,
      firstAt: this.total ? new Date(this.firstAt).toISOString() : null,
      lastAt: this.total ? new Date(this.lastAt).toISOString() : null,
    };
  }
}

const round1 = (x: number) => Math.round(x * 10) / 10;
