/** `meterscope stripe meters|check|reconcile`: read Billing Meters and hold the log against them. */
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { addStoreOptions, numberFlag, withStore, type StoreFlags } from './common.js';
import { UserError } from '../errors.js';
import { Runs } from '../store/runs.js';
import type { Store } from '../store/store.js';
import { DEFAULT_MAX_RPS, DEFAULT_RETRIES, StripeReader, resolveApiKey } from '../stripe/client.js';
import { listMeters, readMetersFile, type StripeMeter } from '../stripe/meters.js';
import { checkRun } from '../stripe/check.js';
import { reconcileRun } from '../stripe/reconcile.js';
import { GRANULARITIES, type Granularity } from '../stripe/windows.js';
import { saveCheck, saveMeters, saveReconcile } from '../stripe/store.js';
import { renderCheck, renderMeters, renderReconcile } from '../report/stripe-terminal.js';

interface KeyFlags {
  apiKey?: string;
  stripeBaseUrl?: string;
  maxRps?: string;
  retries?: string;
}

function addKeyOptions(cmd: Command): Command {
  return cmd
    .option('--api-key <key>', 'Stripe secret or restricted key with read access to Billing meters (prefer env STRIPE_API_KEY)')
    .option('--stripe-base-url <url>', 'send Stripe API calls here instead of https://api.stripe.com, e.g. a proxy (env STRIPE_API_BASE)')
    .option('--max-rps <n>', 'at most this many Stripe requests per second', String(DEFAULT_MAX_RPS))
    .option('--retries <n>', 'retries of a rate-limited (429) request, with doubling backoff from 1 s', String(DEFAULT_RETRIES));
}

function readerFrom(flags: KeyFlags): StripeReader {
  return new StripeReader({
    apiKey: resolveApiKey(flags.apiKey),
    baseUrl: flags.stripeBaseUrl ?? (process.env.STRIPE_API_BASE || undefined),
    maxRps: numberFlag('--max-rps', flags.maxRps) ?? DEFAULT_MAX_RPS,
    retries: numberFlag('--retries', flags.retries, { min: 0, integer: true }) ?? DEFAULT_RETRIES,
  });
}

function checkRate(flags: KeyFlags): void {
  const rps = numberFlag('--max-rps', flags.maxRps);
  if (rps !== undefined && !(rps > 0 && rps <= 100)) throw new UserError(`--max-rps must be above 0 and at most 100 (Stripe's live-mode read limit), got "${flags.maxRps}"`);
}

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

/** The run's earliest and latest event (ISO), failing with a sentence for an unknown run id. */
async function runSpan(store: Store, runId: string): Promise<{ first: string | null; last: string | null; events: number }> {
  await new Runs(store).get(runId);
  const [r] = await store.select<{ n: string; first: string; last: string }>(`SELECT count() AS n, toString(min(event_time)) AS first, toString(max(event_time)) AS last FROM events WHERE run_id = {run:String}`, { run: runId });
  const iso = (s: string) => new Date(`${s.replace(' ', 'T')}Z`).toISOString();
  return Number(r.n) === 0 ? { first: null, last: null, events: 0 } : { first: iso(r.first), last: iso(r.last), events: Number(r.n) };
}

export function registerStripe(program: Command): void {
  const stripe = program
    .command('stripe')
    .description('read Stripe Billing Meters, check a run against them, reconcile totals with meter event summaries (docs/stripe.md)');

  addKeyOptions(
    stripe
      .command('meters')
      .description('list every Billing Meter (all pages): event name, status, formula, payload keys, the Metronome aggregation it needs')
      .option('--json', 'print the meters as JSON (input for --meters / --stripe-meters)'),
  ).action(async (flags: KeyFlags & { json?: boolean }) => {
    checkRate(flags);
    const meters = await listMeters(readerFrom(flags));
    process.stdout.write(flags.json ? json(meters) : renderMeters(meters));
  });

  addStoreOptions(
    addKeyOptions(
      stripe
        .command('check')
        .description("check a run's events against the meters: unmetered event names, idle meters, missing customer/value keys, bad values")
        .argument('<run-id>', 'a stored run (see: meterscope runs)')
        .option('--meters <file>', 'read the meters from this file (`meterscope stripe meters --json`) instead of the API')
        .option('--json', 'print the check result as JSON'),
    ),
  ).action(async (runId: string, flags: KeyFlags & StoreFlags & { meters?: string; json?: boolean }) => {
    checkRate(flags);
    const reader = flags.meters ? null : readerFrom(flags);
    await withStore(flags, async (store) => {
      await runSpan(store, runId);
      const takenAt = new Date().toISOString();
      const meters: StripeMeter[] = reader ? await listMeters(reader) : readMetersFile(flags.meters!);
      const result = await checkRun(store, runId, meters);
      await saveMeters(store, runId, 'check', meters, takenAt);
      await saveCheck(store, result);
      process.stdout.write(flags.json ? json({ meters, check: result }) : renderCheck(result));
    });
  });

  const collect = (v: string, prev: string[] = []) => [...prev, v];
  addStoreOptions(
    addKeyOptions(
      stripe
        .command('reconcile')
        .description("compare the log's totals per meter, customer and window with Stripe's meter event summaries; store and print the differences")
        .argument('<run-id>', 'a stored run (see: meterscope runs)')
        .option('--window <w>', `compare one window over the run's span, or per hour / day: ${GRANULARITIES.join(', ')}`, 'span')
        .option('--meter <id-or-event-name>', 'only this meter (repeatable)', collect)
        .option('--max-customers <n>', 'per meter, compare only the n customers with the most events')
        .option('--no-dedup', 'count events whose identifier repeats within 24 h (Stripe drops them)')
        .option('--limit <n>', 'differences shown in the text output', '30')
        .option('--json', 'print the full result (every compared window) as JSON'),
    ),
  ).action(
    async (
      runId: string,
      flags: KeyFlags & StoreFlags & { window: string; meter?: string[]; maxCustomers?: string; dedup: boolean; limit: string; json?: boolean },
    ) => {
      checkRate(flags);
      if (!(GRANULARITIES as readonly string[]).includes(flags.window)) throw new UserError(`--window must be one of ${GRANULARITIES.join(', ')}, got "${flags.window}"`);
      const maxCustomers = numberFlag('--max-customers', flags.maxCustomers, { min: 1, integer: true });
      const limit = numberFlag('--limit', flags.limit, { min: 0, integer: true }) ?? 30;
      const reader = readerFrom(flags);
      await withStore(flags, async (store) => {
        const span = await runSpan(store, runId);
        const takenAt = new Date().toISOString();
        let meters = await listMeters(reader);
        if (flags.meter?.length) {
          const want = new Set(flags.meter);
          const unknown = flags.meter.filter((w) => !meters.some((m) => m.id === w || m.eventName === w));
          if (unknown.length) throw new UserError(`--meter: no meter with id or event name "${unknown[0]}" on this Stripe account (see: meterscope stripe meters)`);
          meters = meters.filter((m) => want.has(m.id) || want.has(m.eventName));
        }
        const bar = process.stderr.isTTY
          ? new cliProgress.SingleBar(
              { stream: process.stderr, format: 'reconciling [{bar}] {value}/{total} meter × customer pairs · eta {eta_formatted}', clearOnComplete: true, hideCursor: true },
              cliProgress.Presets.shades_classic,
            )
          : null;
        let started = false;
        const rps = numberFlag('--max-rps', flags.maxRps) ?? DEFAULT_MAX_RPS;
        try {
          const result = await reconcileRun(store, runId, meters, reader, span, {
            granularity: flags.window as Granularity,
            dedup: flags.dedup,
            maxCustomers,
            onPlan: (pairs) => {
              if (pairs > 0 && process.stderr.isTTY) process.stderr.write(`meterscope: ${pairs} meter × customer pairs to read, at least ${Math.ceil(pairs / rps)} s at ${rps} requests/s\n`);
            },
            onProgress: (done, total) => {
              if (!bar || total === 0) return;
              if (!started) {
                bar.start(total, done);
                started = true;
              } else bar.update(done);
            },
          });
          bar?.stop();
          await saveMeters(store, runId, 'reconcile', meters, takenAt);
          await saveReconcile(store, result);
          process.stdout.write(flags.json ? json(result) : renderReconcile(result, { maxRows: limit }));
        } finally {
          bar?.stop();
        }
      });
    },
  );
}
