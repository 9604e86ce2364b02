/** `meterscope bill <run-id>`: what each customer would be billed under each metric, and (--stripe) whether it matches Stripe. */
import fs from 'node:fs';
import { once } from 'node:events';
import type { Command } from 'commander';
import { refuseSampled } from '../store/sampled-run.js';
import { addStoreOptions, withStore, type StoreFlags } from './common.js';
import { choiceFlag, numberFlag } from './flags.js';
import { addWidthOption, formatFrom, textLayout, type WidthFlags } from './report-output.js';
import { addStripeKeyOptions, stripeReader, type StripeKeyFlags } from './stripe-keys.js';
import { countBar } from '../util/count-bar.js';
import { UserError } from '../errors.js';
import { Runs } from '../store/runs.js';
import { listMeters } from '../stripe/meters.js';
import { DEDUP_MODES, PERIODS, type BillModel } from '../bill/model.js';
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

interface BillFlags extends StoreFlags, WidthFlags, StripeKeyFlags {
  metrics?: string;
  period: string;
  from?: string;
  to?: string;
  dedup: string;
  backfill?: boolean;
  asOf?: string;
  stripe?: boolean;
  tolerance: string;
  json?: boolean;
  format?: string;
  out?: string;
  limit: string;
}

const FORMATS = ['text', 'json', 'md', 'html', 'csv'] as const;
type Format = (typeof FORMATS)[number];
const BY_EXTENSION: Record<string, Format> = { '.html': 'html', '.htm': 'html', '.md': 'md', '.csv': 'csv', '.json': 'json', '.txt': 'text' };

function formatOf(f: BillFlags): Format {
  return formatFrom(f, (v) => choiceFlag('--format', v, FORMATS), BY_EXTENSION);
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
  const period = choiceFlag('--period', f.period, PERIODS);
  const dedup = choiceFlag('--dedup', f.dedup, DEDUP_MODES);
  const pct = numberFlag('--tolerance', f.tolerance.replace(/%$/, ''), { min: 0 })!;
  return {
    period,
    dedup,
    from: f.from,
    to: f.to,
    backfill: f.backfill,
    asOf: f.asOf,
    metricsFile: f.metrics ?? null,
    tolerance: f.stripe ? pct / 100 : null,
  };
}

/** A progress bar on a terminal (stderr), nothing otherwise. */

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
    .option('--json', 'print the bill as JSON (fields: docs/bill.md)')
    .option('--format <f>', `output format: ${FORMATS.join(', ')} (default text, or from the --out file's extension)`)
    .option('--out <file>', 'write the bill to this file (.html, .md, .csv, .json pick the format)')
    .option('--limit <n>', 'rows shown per table in the text output', '50');
  addStoreOptions(addWidthOption(addStripeKeyOptions(cmd))).action(async (runId: string, flags: BillFlags) => {
    const format = formatOf(flags);
    const opts = optionsOf(flags);
    billScope(runId, opts); // bad --from/--to/--as-of fail before the store opens
    const limit = numberFlag('--limit', flags.limit, { min: 0, integer: true }) ?? 50;
    const fileMetrics = flags.metrics !== undefined ? readMetricsFile(flags.metrics) : null; // so does a bad --metrics file
    const reader = flags.stripe ? stripeReader(flags) : null;
    await withStore(flags, async (store) => {
      refuseSampled(await new Runs(store).get(runId), 'a bill');
      const metrics = fileMetrics ?? (await draftMetrics(store, runId));
      const bill = await computeBill(store, runId, metrics, opts);
      if (reader) {
        const bar = countBar(process.stderr, 'reading Stripe summaries [{bar}] {value}/{total} requests · eta {eta_formatted}');
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
