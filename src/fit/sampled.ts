/**
 * Fit verdicts from a sample: each path is judged at both ends of the interval of the peak second
 * (and, where the path limits calls per customer and meter, of that peak too). When the ends give
 * different verdicts the sample cannot tell: "inconclusive at this sample".
 */
import type { ProfileReport, SampleFit } from '../profile/model.js';
import { PATH_LIMITS } from './limits.js';
import { fitPath } from './fit.js';

const NO_LOAD = { secondsOver: 0, queueDelaySeconds: 0 };

export interface PeakBounds {
  /** Events in the busiest second: a lower bound and an upper one (null: none, as under object sampling). */
  low: number;
  high: number | null;
  /** The busiest customer × event name second, bounded the same way. */
  customerMeter: { low: number; high: number | null };
}

export function sampledFit(r: ProfileReport, peak: PeakBounds): SampleFit[] {
  const cm = r.cutover.customerMeter;
  const judge = (peak1s: number, customerPeak: number) =>
    PATH_LIMITS.map((l) =>
      fitPath(l, {
        avgEps: r.rate.avgEps,
        peak1s,
        total: r.events.total,
        load: NO_LOAD,
        time: r.time,
        identity: r.identity,
        customerMeter: { ...cm, peakEvents: customerPeak },
      }),
    );
  const lows = judge(peak.low, peak.customerMeter.low);
  const unbounded = peak.high === null || peak.customerMeter.high === null;
  const highs = unbounded ? null : judge(peak.high!, peak.customerMeter.high!);
  return lows.map((lo, i) => {
    const hi = highs?.[i] ?? null;
    // Without an upper bound only a verdict the lower bound already reaches is certain: exceeds.
    const verdict = hi ? (hi.verdict === lo.verdict ? lo.verdict : 'inconclusive') : lo.verdict === 'exceeds' ? 'exceeds' : 'inconclusive';
    return { path: lo.path, verdict, utilization: { low: lo.utilization, high: hi ? hi.utilization : null } };
  });
}
