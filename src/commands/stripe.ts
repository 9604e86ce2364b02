/** `meterscope stripe meters|check|reconcile`: read Billing Meters and hold the log against them. */
import type { Command } from 'commander';
import { ALLOW_INCOMPLETE, addStoreOptions, withStore, writeJson, type StoreFlags } from './common.js';
import { choiceFlag, numberFlag, repeatable } from './flags.js';
import { addStripeKeyOptions, stripeLimits, stripeReader, type StripeKeyFlags } from './stripe-keys.js';
import { listMeters } from '../stripe/meters.js';
import { checkStoredRun, reconcileStoredRun } from '../stripe/stored-run.js';
import { reconcileProgress } from '../stripe/reconcile-progress.js';
import { GRANULARITIES } from '../stripe/windows.js';
import { renderCheck, renderMeters, renderReconcile } from '../report/stripe-terminal.js';
import { addWidthOption, textLayout, type WidthFlags } from './report-output.js';

type KeyFlags = WidthFlags & StripeKeyFlags;

function addKeyOptions(cmd: Command): Command {
  return addStripeKeyOptions(addWidthOption(cmd));
}

type CheckFlags = KeyFlags & StoreFlags & { meters?: string; json?: boolean; allowIncomplete?: boolean };
type ReconcileFlags = KeyFlags &
  StoreFlags & { window: string; meter?: string[]; maxCustomers?: string; dedup: boolean; limit: string; json?: boolean; allowIncomplete?: boolean };

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
    const layout = textLayout(flags);
    const meters = await listMeters(stripeReader(flags, stripeLimits(flags)));
    if (flags.json) writeJson(meters);
    else process.stdout.write(renderMeters(meters, layout));
  });

  addStoreOptions(
    addKeyOptions(
      stripe
        .command('check')
        .description("check a run's events against the meters: unmetered event names, idle meters, missing customer/value keys, bad values")
        .argument('<run-id>', 'a stored run (see: meterscope runs)')
        .option('--meters <file>', 'read the meters from this file (`meterscope stripe meters --json`) instead of the API')
        .option('--json', 'print the check result as JSON')
        .option('--allow-incomplete', ALLOW_INCOMPLETE),
    ),
  ).action(async (runId: string, flags: CheckFlags) => {
    const layout = textLayout(flags);
    const limits = stripeLimits(flags);
    const source = flags.meters ? { file: flags.meters } : { reader: stripeReader(flags, limits) };
    await withStore(flags, async (store) => {
      const { meters, check } = await checkStoredRun(store, runId, source, flags.allowIncomplete);
      if (flags.json) writeJson({ meters, check });
      else process.stdout.write(renderCheck(check, layout));
    });
  });

  addStoreOptions(
    addKeyOptions(
      stripe
        .command('reconcile')
        .description("compare the log's totals per meter, customer and window with Stripe's meter event summaries; store and print the differences")
        .argument('<run-id>', 'a stored run (see: meterscope runs)')
        .option('--window <w>', `compare one window over the run's span, or per hour / day: ${GRANULARITIES.join(', ')}`, 'span')
        .option('--meter <id-or-event-name>', 'only this meter (repeatable)', repeatable)
        .option('--max-customers <n>', 'per meter, compare only the n customers with the most events')
        .option('--no-dedup', 'count events whose identifier repeats within 24 h (Stripe drops them)')
        .option('--limit <n>', 'differences shown in the text output', '30')
        .option('--json', 'print the full result (every compared window) as JSON')
        .option('--allow-incomplete', ALLOW_INCOMPLETE),
    ),
  ).action(async (runId: string, flags: ReconcileFlags) => {
    const layout = textLayout(flags);
    const limits = stripeLimits(flags);
    const granularity = choiceFlag('--window', flags.window, GRANULARITIES);
    const maxCustomers = numberFlag('--max-customers', flags.maxCustomers, { min: 1, integer: true });
    const limit = numberFlag('--limit', flags.limit, { min: 0, integer: true });
    const reader = stripeReader(flags, limits);
    await withStore(flags, async (store) => {
      const progress = reconcileProgress(process.stderr, limits.maxRps);
      try {
        const result = await reconcileStoredRun(store, runId, reader, flags.meter, {
          granularity,
          dedup: flags.dedup,
          maxCustomers,
          onPlan: progress.onPlan,
          onProgress: progress.onProgress,
          allowIncomplete: flags.allowIncomplete,
        });
        progress.stop();
        if (flags.json) writeJson(result);
        else process.stdout.write(renderReconcile(result, { maxRows: limit }, layout));
      } finally {
        progress.stop();
      }
    });
  });
}
