/** `meterscope bill <run-id>`: what each customer would be billed under each metric, and (--stripe) whether it matches Stripe. */
import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { addStoreOptions, numberFlag, withStore, type StoreFlags } from './common.js';
import { addWidthOption, textLayout, type WidthFlags } from './report-output.js';
import { UserError } from '../errors.js';
import { Runs } from '../store/runs.js';
import { DEFAULT_MAX_RPS, DEFAULT_RETRIES, StripeReader, resolveApiKey } from '../stripe/client.js';
import { listMeters } from '../stripe/meters.js';
import { DEDUP_MODES, PERIODS, type BillModel, type DedupMode, type Period } from '../bill/model.js';
import { billScope, computeBill, type BillOptions } from '../bill/compute.js';
import { billParity } from '../bill/parity.js';
import { draftMetrics } from '../bill/source.js';
import { readMetricsFile } from '../bill/metrics.js';
import { saveBill } from '../bill/store.js';
import { renderBillText } from '../report/bill-text.js';
import { renderBillMarkdown } from '../report/bill-markdown.js';
import { renderBillHtml } from '../report/bill-html.js';
import { renderBillCsv } from '../report/bill-csv.js';
import { billJsonChunks } from '../report/bill-json.js';

/** Exit code when some customer × period differs from Stripe by more than --tolerance, or nothing could be compared (a CI gate). */
export const PARITY_EXIT_CODE = 4;

interface BillFlags extends StoreFlags, WidthFlags {
  metrics?: string;
  period: string;
  from?: string;
  to?: string;
  dedup: string;
  backfill?: boolean;
  asOf?: string;
  stripe?: boolean;
  tolerance: string;
  apiKey?: string;
  stripeBaseUrl?: string;
  maxRps?: string;
  retries?: string;
  json?: boolean;
  format?: string;
  out?: string;
  limit: string;
}

const FORMATS = ['text', 'json', 'md', 'html', 'csv'] as const;
type Format = (typeof FORMATS)[number];
const BY_EXTENSION: Record<string, Format> = { '.html': 'html', '.htm': 'html', '.md': 'md', '.csv': 'csv', '.json': 'json', '.txt': 'text' };

function formatOf(f: BillFlags): Format {
  if (f.json && f.format !== undefined && f.format !== 'json') throw new UserError(`--json asks for JSON but --format asks for "${f.format}"; use one of them`);
  if (f.json) return 'json';
  if (f.format !== undefined) {
    if (!(FORMATS as readonly string[]).includes(f.format)) throw new UserError(`--format must be one of ${FORMATS.join(', ')}, got "${f.format}"`);
    return f.format as Format;
  }
  return (f.out && BY_EXTENSION[path.extname(f.out).toLowerCase()]) || 'text';
}

function* render(b: BillModel, format: Format, limit: number, width: number): Generator<string> {
  if (format === 'json') yield* billJsonChunks(b);
  else if (format === 'md') yield renderBillMarkdown(b);
  else if (format === 'html') yield renderBillHtml(b);
  else if (format === 'csv') yield renderBillCsv(b);
  else yield renderBillText(b, { maxRows: limit, width });
}

/** Writes the pieces to --out or stdout, waiting while the stream is full (the JSON of a large bill is big). */
async function emit(pieces: Iterable<string>, out: string | undefined): Promise<void> {
  const stream = out ? fs.createWriteStream(out) : process.stdout;
  let failure: unknown;
  const failed = new Promise<void>((resolve) => stream.once('error', (err) => resolve(void (failure = err))));
  for (const piece of pieces) {
    if (failure !== undefined) break;
    if (!stream.write(piece)) await Promise.race([once(stream, 'drain'), failed]);
  }
  if (out && failure === undefined) await Promise.race([new Promise<void>((resolve) => (stream as fs.WriteStream).end(resolve)), failed]);
  if (failure === undefined) return;
  if (!out) throw failure; // a closed stdout: the CLI ends quietly (exit 141)
  throw new UserError(`--out: cannot write ${out}: ${(failure as NodeJS.ErrnoException).code ?? (failure as Error).message}`);
}

function optionsOf(f: BillFlags): BillOptions {
  if (!(PERIODS as readonly string[]).includes(f.period)) throw new UserError(`--period must be one of ${PERIODS.join(', ')}, got "${f.period}"`);
  if (!(DEDUP_MODES as readonly string[]).includes(f.dedup)) throw new UserError(`--dedup must be one of ${DEDUP_MODES.join(', ')}, got "${f.dedup}"`);
  const pct = numberFlag('--tolerance', f.tolerance.replace(/%$/, ''), { min: 0 })!;
  return {
    period: f.period as Period,
    dedup: f.dedup as DedupMode,
    from: f.from,
    to: f.to,
    backfill: f.backfill,
    asOf: f.asOf,
    metricsFile: f.metrics ?? null,
    tolerance: f.stripe ? pct / 100 : null,
  };
}

function readerOf(f: BillFlags): StripeReader {
  const rps = numberFlag('--max-rps', f.maxRps) ?? DEFAULT_MAX_RPS;
  if (!(rps > 0 && rps <= 100)) throw new UserError(`--max-rps must be above 0 and at most 100 (Stripe's live-mode read limit), got "${f.maxRps}"`);
  return new StripeReader({
    apiKey: resolveApiKey(f.apiKey),
    baseUrl: f.stripeBaseUrl ?? (process.env.STRIPE_API_BASE || undefined),
    maxRps: rps,
    retries: numberFlag('--retries', f.retries, { min: 0, integer: true }) ?? DEFAULT_RETRIES,
  });
}

/** A progress bar on a terminal (stderr), nothing otherwise. */
function progressBar(): { update: (done: number, total: number) => void; stop: () => void } {
  if (!process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: 'reading Stripe summaries [{bar}] {value}/{total} requests · eta {eta_formatted}', clearOnComplete: true, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total) {
      if (total === 0) return;
      if (!started) bar.start(total, done);
      else bar.update(done);
      started = true;
    },
    stop: () => bar.stop(),
  };
}

export function registerBill(program: Command): void {
  const cmd = program
    .command('bill')
    .description(
      'what each customer would be billed under each Metronome billable metric, per period, from a stored run; with --stripe, parity with Stripe (docs/bill.md)',
    )
    .argument('<run-id>', 'a stored run (see: meterscope runs)')
    .option('--metrics <file>', "JSON array of Metronome create-billable-metric bodies (default: the run's billable-metric drafts)")
    .option('--period <p>', `billing period on UTC calendar boundaries: ${PERIODS.join(', ')}`, 'month')
    .option('--from <time>', 'bill only events from this period boundary on (ISO 8601)')
    .option('--to <time>', 'bill only events before this period boundary (ISO 8601)')
    .option('--dedup <mode>', 'drop an event whose identifier was seen in the previous 34 days (metronome), 24 h (stripe), or keep all (none)', 'metronome')
    .option('--backfill', 'the events are to be sent now: leave out those Metronome refuses (older than 34 days, more than 24 h ahead of --as-of)')
    .option('--as-of <time>', 'with --backfill: when the events are sent (ISO 8601; default now)')
    .option('--stripe', "compare each metric's quantity per customer and period with the Stripe meter event summaries of the meter reading the same event name")
    .option('--tolerance <percent>', 'with --stripe: largest relative difference per customer and period that still passes (exit code 4 otherwise)', '1')
    .option('--api-key <key>', 'Stripe secret or restricted key with read access to Billing meters (prefer env STRIPE_API_KEY)')
    .option('--stripe-base-url <url>', 'send Stripe API calls here instead of https://api.stripe.com, e.g. `meterscope sink` (env STRIPE_API_BASE)')
    .option('--max-rps <n>', 'at most this many Stripe requests per second', String(DEFAULT_MAX_RPS))
    .option('--retries <n>', 'retries of a rate-limited (429) request, with doubling backoff from 1 s', String(DEFAULT_RETRIES))
    .option('--json', 'print the bill as JSON (fields: docs/bill.md)')
    .option('--format <f>', `output format: ${FORMATS.join(', ')} (default text, or from the --out file's extension)`)
    .option('--out <file>', 'write the bill to this file (.html, .md, .csv, .json pick the format)')
    .option('--limit <n>', 'rows shown per table in the text output', '50');
  addStoreOptions(addWidthOption(cmd)).action(async (runId: string, flags: BillFlags) => {
    const format = formatOf(flags);
    const opts = optionsOf(flags);
    billScope(runId, opts); // bad --from/--to/--as-of fail before the store opens
    const limit = numberFlag('--limit', flags.limit, { min: 0, integer: true }) ?? 50;
    const fileMetrics = flags.metrics !== undefined ? readMetricsFile(flags.metrics) : null; // so does a bad --metrics file
    const reader = flags.stripe ? readerOf(flags) : null;
    await withStore(flags, async (store) => {
      await new Runs(store).get(runId);
      const metrics = fileMetrics ?? (await draftMetrics(store, runId));
      const bill = await computeBill(store, runId, metrics, opts);
      if (reader) {
        const bar = progressBar();
        try {
          const { rows, summary } = await billParity(store, bill, metrics, billScope(runId, opts, Date.parse(bill.billedAt)), await listMeters(reader), reader, {
            tolerance: opts.tolerance!,
            onProgress: bar.update,
          });
          bill.parity = rows;
          bill.paritySummary = summary;
        } finally {
          bar.stop();
        }
      }
      await saveBill(store, bill);
      await emit(render(bill, format, limit, flags.out ? textLayout(flags, {}, {}).width : textLayout(flags).width), flags.out);
      if (flags.out) process.stderr.write(`meterscope: ${format} bill written to ${flags.out}\n`);
      // Nothing compared is no evidence of parity either.
      if (bill.paritySummary && (bill.paritySummary.over > 0 || bill.paritySummary.pairs === 0)) process.exitCode = PARITY_EXIT_CODE;
    });
  });
}
