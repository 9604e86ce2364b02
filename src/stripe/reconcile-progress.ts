/** The terminal view of `stripe reconcile`: an estimate of the work, then a progress bar (both only on a terminal). */
import cliProgress from 'cli-progress';
import type { ReconcileOptions } from './reconcile.js';

export type ReconcileProgress = Pick<ReconcileOptions, 'onPlan' | 'onProgress'> & { stop(): void };

/** `rps`: the request rate the estimate assumes. */
export function reconcileProgress(stream: NodeJS.WriteStream, rps: number): ReconcileProgress {
  if (!stream.isTTY) return { stop: () => {} };
  const bar = new cliProgress.SingleBar(
    { stream, format: 'reconciling [{bar}] {value}/{total} meter × customer pairs · eta {eta_formatted}', clearOnComplete: true, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    onPlan: (pairs) => {
      if (pairs > 0) stream.write(`meterscope: ${pairs} meter × customer pairs to read, at least ${Math.ceil(pairs / rps)} s at ${rps} requests/s\n`);
    },
    onProgress: (done, total) => {
      if (total === 0) return;
      if (!started) {
        bar.start(total, done);
        started = true;
      } else bar.update(done);
    },
    stop: () => bar.stop(),
  };
}
