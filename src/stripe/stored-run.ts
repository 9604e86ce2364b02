/**
 * The Stripe jobs on a stored run: check its events against the account's meters, and reconcile its
 * totals with Stripe's meter event summaries. Each reads the meters, runs the comparison and stores
 * the meters read and the result.
 */
import type { Store } from '../store/store.js';
import { UserError } from '../errors.js';
import { Runs } from '../store/runs.js';
import { refuseSampled } from '../store/sampled-run.js';
import type { StripeReader } from './client.js';
import { listMeters, readMetersFile, type StripeMeter } from './meters.js';
import { checkRun, type StripeCheckResult } from './check.js';
import { reconcileRun, type ReconcileOptions, type ReconcileResult } from './reconcile.js';
import { saveCheck, saveMeters, saveReconcile } from './store.js';

/** The run's earliest and latest event (ISO), failing with a sentence for an unknown run id. */
export async function runSpan(store: Store, runId: string, allowIncomplete = false): Promise<{ first: string | null; last: string | null; events: number }> {
  await new Runs(store).getComplete(runId, allowIncomplete);
  const [r] = await store.select<{ n: string; first: string; last: string }>(
    `SELECT count() AS n, toString(min(event_time)) AS first, toString(max(event_time)) AS last FROM events WHERE run_id = {run:String}`,
    { run: runId },
  );
  const iso = (s: string) => new Date(`${s.replace(' ', 'T')}Z`).toISOString();
  return Number(r.n) === 0 ? { first: null, last: null, events: 0 } : { first: iso(r.first), last: iso(r.last), events: Number(r.n) };
}

/** Where the meters come from: the API, or a file written by `meterscope stripe meters --json`. */
export type MeterSource = { reader: StripeReader } | { file: string };

export interface MeterCheck {
  /** When the meters were read (ISO). */
  takenAt: string;
  meters: StripeMeter[];
  check: StripeCheckResult;
}

/** Reads the meters, checks run `runId` against them and stores both (`purpose`: which command read them). */
export async function checkWithMeters(store: Store, runId: string, source: MeterSource, purpose: string): Promise<MeterCheck> {
  const takenAt = new Date().toISOString();
  const meters = 'reader' in source ? await listMeters(source.reader) : readMetersFile(source.file);
  const check = await checkRun(store, runId, meters);
  await saveMeters(store, runId, purpose, meters, takenAt);
  await saveCheck(store, check);
  return { takenAt, meters, check };
}

/** `stripe check`: the run must exist. */
export async function checkStoredRun(store: Store, runId: string, source: MeterSource, allowIncomplete = false): Promise<MeterCheck> {
  await runSpan(store, runId, allowIncomplete);
  return checkWithMeters(store, runId, source, 'check');
}

/**
 * `stripe reconcile`: compares the run with the summaries of its meters; `only` limits it to meters
 * named by id or event name (all when empty or absent).
 */
export async function reconcileStoredRun(
  store: Store,
  runId: string,
  reader: StripeReader,
  only: string[] | undefined,
  opts: ReconcileOptions & { allowIncomplete?: boolean },
): Promise<ReconcileResult> {
  const span = await runSpan(store, runId, opts.allowIncomplete);
  refuseSampled(await new Runs(store).get(runId), 'reconciling with Stripe');
  const takenAt = new Date().toISOString();
  const meters = pickMeters(await listMeters(reader), only);
  const result = await reconcileRun(store, runId, meters, reader, span, opts);
  await saveMeters(store, runId, 'reconcile', meters, takenAt);
  await saveReconcile(store, result);
  return result;
}

function pickMeters(meters: StripeMeter[], wanted: string[] | undefined): StripeMeter[] {
  if (!wanted?.length) return meters;
  const unknown = wanted.filter((w) => !meters.some((m) => m.id === w || m.eventName === w));
  if (unknown.length) throw new UserError(`--meter: no meter with id or event name "${unknown[0]}" on this Stripe account (see: meterscope stripe meters)`);
  const want = new Set(wanted);
  return meters.filter((m) => want.has(m.id) || want.has(m.eventName));
}
