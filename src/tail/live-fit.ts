/**
 * Live fit verdicts: the busiest second seen so far against each path's published capacity
 * (src/fit/limits.ts), with the thresholds of the final report's fit section (FitResult.verdict:
 * fits ≤ 50 % of capacity, tight ≤ 100 %, exceeds above). The final report's `fit` section is the
 * full computation; this is the one-number version a live view can refresh every second.
 */
import { PATH_LIMITS, capacityEventsPerSecond } from '../fit/limits.js';
import type { FitPath, FitVerdict } from '../profile/model.js';

export interface LiveFit {
  path: FitPath;
  label: string;
  /** Events/s the path takes at full batching. */
  capacityEps: number;
  /** The peak it was judged on, events/s. */
  peakEps: number;
  utilization: number;
  verdict: FitVerdict;
}

export function liveFit(peakEps: number): LiveFit[] {
  return PATH_LIMITS.filter((l) => l.mode === 'live').map((l) => {
    const capacityEps = capacityEventsPerSecond(l);
    const utilization = capacityEps > 0 ? peakEps / capacityEps : 0;
    const verdict: FitVerdict = utilization <= 0.5 ? 'fits' : utilization <= 1 ? 'tight' : 'exceeds';
    return { path: l.path, label: l.label, capacityEps, peakEps, utilization: Math.round(utilization * 1000) / 1000, verdict };
  });
}
