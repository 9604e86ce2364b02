/**
 * A run profiled with --sample holds only a share of the events: billing it, replaying it or
 * reconciling it with Stripe would report a fraction as if it were the whole, so those refuse it.
 */
import { UserError } from '../errors.js';
import type { RunRecord } from './runs.js';

/** One sentence when the run was sampled (its options record --sample); `what` is the refused use. */
export function refuseSampled(rec: RunRecord, what: string): void {
  const sample = rec.options.sample;
  if (typeof sample !== 'string') return;
  throw new UserError(`run ${rec.run_id} holds a ${sample} sample (profile --sample): ${what} needs every event, so profile the input without --sample first`);
}
