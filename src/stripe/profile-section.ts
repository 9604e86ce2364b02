/**
 * `profile --stripe`: after the profile is computed, read the account's meters, check the run
 * against them and set the report model's `stripe` section (the Markdown/HTML answers and the
 * billable-metric drafts read `stripe.meters`).
 */
import type { Command } from 'commander';
import type { Store } from '../store/store.js';
import { describeError } from '../errors.js';
import { StripeReader, resolveApiKey } from './client.js';
import type { StripeMeter } from './meters.js';
import type { StripeCheckResult } from './check.js';
import { checkWithMeters } from './stored-run.js';
import { plural } from '../report/format.js';

/** The profile report's `stripe` section: the account's meters and the run checked against them. */
export interface StripeSection {
  /** 'api' (read with the key) or 'file' (--stripe-meters). */
  source: 'api' | 'file';
  fetchedAt: string;
  meters: StripeMeter[];
  check: StripeCheckResult;
}

export interface StripeProfileFlags {
  stripe?: boolean;
  apiKey?: string;
  stripeBaseUrl?: string;
  stripeMeters?: string;
}

export function addStripeProfileOptions(cmd: Command): Command {
  return cmd
    .option('--stripe', 'also read the Stripe Billing Meters and check the log against them (key: STRIPE_API_KEY or --api-key); adds `stripe` to the report')
    .option('--api-key <key>', 'Stripe secret or restricted read key for --stripe (prefer env STRIPE_API_KEY)')
    .option('--stripe-base-url <url>', 'send Stripe API calls here instead of https://api.stripe.com (env STRIPE_API_BASE)')
    .option('--stripe-meters <file>', 'with --stripe: read the meters from this file (`meterscope stripe meters --json`) instead of the API');
}

export interface StripeAttacher {
  /** Reads the meters, checks the run, stores both and sets `report.stripe`; warns (never throws) on Stripe errors. */
  attach(store: Store, report: { runId: string; stripe?: StripeSection }): Promise<void>;
}

/** Validates the flags up front (a missing key fails before anything is loaded); null without --stripe. */
export function stripeForProfile(flags: object, env: NodeJS.ProcessEnv = process.env): StripeAttacher | null {
  const f = flags as StripeProfileFlags;
  if (!f.stripe && !f.stripeMeters) return null;
  const reader = f.stripeMeters ? null : new StripeReader({ apiKey: resolveApiKey(f.apiKey, env), baseUrl: f.stripeBaseUrl ?? (env.STRIPE_API_BASE || undefined) });
  return {
    async attach(store, report) {
      try {
        const source = reader ? { reader } : { file: f.stripeMeters! };
        const { takenAt: fetchedAt, meters, check } = await checkWithMeters(store, report.runId, source, 'profile');
        const section: StripeSection = { source: reader ? 'api' : 'file', fetchedAt, meters, check };
        report.stripe = section;
        // The terminal report does not render this section; one line on stderr says what it found.
        process.stderr.write(`${process.stderr.isTTY ? '\r\u001b[2K' : ''}meterscope: Stripe: ${summaryLine(check)}; details: meterscope stripe check ${report.runId}\n`);
      } catch (err) {
        process.stderr.write(`meterscope: --stripe: ${describeError(err)}; the report has no Stripe section (fix it and run: meterscope stripe check ${report.runId})\n`);
        process.exitCode = 2;
      }
    },
  };
}

/** "4 active meters; 5 events match no active meter; 5 events bill nothing (missing keys, bad values); 1 idle meter". */
function summaryLine(c: StripeCheckResult): string {
  const parts = [`${plural(c.activeMeterCount, 'active meter')} of ${c.meterCount}`];
  parts.push(`${plural(c.totals.unmeteredEvents, 'event')} under no active meter`);
  parts.push(`${plural(c.totals.rejectedEvents, 'event')} Stripe would reject (missing keys, bad values)`);
  if (c.totals.negativeValues) parts.push(`${plural(c.totals.negativeValues, 'negative value')}`);
  parts.push(`${plural(c.idleMeters.length, 'idle meter')}`);
  return parts.join('; ');
}
