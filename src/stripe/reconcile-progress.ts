/** The terminal view of `stripe reconcile`: an estimate of the work, then a progress bar (both only on a terminal). */
import { countBar } from '../util/count-bar.js';
import type { ReconcileOptions } from './reconcile.js';

export type ReconcileProgress = Pick<ReconcileOptions, 'onPlan' | 'onProgress'> & { stop(): void };

/** `rps`: the request rate the estimate assumes. */
export function reconcileProgress(stream: NodeJS.WriteStream, rps: number): ReconcileProgress {
  if (!stream.isTTY) return { stop: () => {} };
  const bar = countBar(stream, 'reconciling [{bar}] {value}/{total} meter × customer pairs · eta {eta_formatted}');
  return {
    onPlan: (pairs) => {
      if (pairs > 0) stream.write(`meterscope: ${pairs} meter × customer pairs to read, at least ${Math.ceil(pairs / rps)} s at ${rps} requests/s\n`);
    },
    onProgress: bar.update,
    stop: bar.stop,
  };
}
