import path from 'node:path';
import type { Command } from 'commander';
import { addInputOptions, addStoreOptions, mappingFrom, withSignals, withStore, type MappingFlags, type StoreFlags } from './common.js';
import { asOfFlag, choiceFlag, keyListFlag, numberFlag } from './flags.js';
import { SAMPLE_BY, parseSamplePercent, samplePercentText, type SampleSpec } from '../util/sample.js';
import { UserError } from '../errors.js';
import { resolveSources } from '../ingest/source.js';
import { isRemoteName } from '../ingest/remote-source.js';
import { DEFAULT_EXACT_DISTINCT_LIMIT } from '../profile/compute.js';
import { runProfileSession } from '../jobs/profile.js';
import { EXIT_CODES_HELP, EXIT_NO_EVENTS, noEventsWarning } from '../ingest/no-events.js';
import { Progress, loadNote } from '../profile/progress.js';
import { addReportOutputOptions, chooseFormat, emitReport } from './report-output.js';
import { addStripeProfileOptions, stripeForProfile } from '../stripe/profile-section.js';
import { addObjectStorageOptions, objectStorageFrom, type ObjectStorageFlags } from './object-storage.js';

export interface ProfileFlags extends StoreFlags, MappingFlags, ObjectStorageFlags {
  json?: boolean;
  reportFormat?: string;
  out?: string;
  asOf?: string;
  require?: string;
  exactDistinctLimit?: string;
  compoundGroupKeys?: boolean;
  groupKey?: string;
  width?: string;
  sample?: string;
  sampleBy?: string;
}

export function registerProfile(program: Command): void {
  const cmd = program
    .command('profile')
    .description('load meter-event logs and measure traffic, payload cardinality and API fit (the main job)')
    .argument(
      '<inputs...>',
      'files or globs (.gz/.zst read transparently), - for stdin, or s3://bucket/key, gs://bucket/key, http(s):// URLs read by the engine itself (keys may be patterns: *, **, {a,b}, {00..03})',
    )
    .option('--json', 'print the report model as JSON on stdout (and nothing else; same as --report-format json); fields: docs/json-report.md')
    .option('--as-of <time>', 'reference time for stale/future checks (ISO 8601, now, or before now like -7d, -12h; default: the last event)')
    .option('--require <keys>', 'comma-separated payload keys every event should carry (coverage per event name)')
    .option('--exact-distinct-limit <n>', 'count distinct values per key exactly up to n, estimate beyond', String(DEFAULT_EXACT_DISTINCT_LIMIT))
    .option('--compound-group-keys', 'also propose combined group keys (Metronome: only for dimensions always queried together; standalone keys are the default)')
    .option('--group-key <keys>', "comma-separated payload keys to keep in the drafts' group keys whatever their figures (e.g. an identifier you break invoices out by)");
  addSampleOptions(cmd);
  addReportOutputOptions(cmd, { flag: '--report-format' });
  addInputOptions(cmd);
  addObjectStorageOptions(cmd);
  addStoreOptions(cmd);
  addStripeProfileOptions(cmd);
  cmd.addHelpText('after', EXIT_CODES_HELP);
  cmd.action(async (inputs: string[], flags: ProfileFlags) => {
    const output = { json: flags.json, format: flags.reportFormat, out: flags.out, width: flags.width };
    chooseFormat(output); // a bad --report-format fails before anything is loaded
    const { format, mapping } = mappingFrom(flags);
    const asOf = asOfFlag('--as-of', flags.asOf);
    const exactDistinctLimit = numberFlag('--exact-distinct-limit', flags.exactDistinctLimit, { min: 1, integer: true });
    // AWS_* settings matter only to remote inputs: a half-set environment does not stop a local profile.
    const objectStorage = inputs.some(isRemoteName) ? objectStorageFrom(flags) : {};
    const sample = sampleFrom(flags);
    const sources = await resolveSources(inputs, { objectStorage });
    const stripe = stripeForProfile(flags); // a missing Stripe key fails before anything is loaded
    const advice = { compoundGroupKeys: flags.compoundGroupKeys === true, groupKeys: keyListFlag(flags.groupKey) ?? [] };
    const config = {
      sources,
      format,
      mapping,
      asOf,
      require: keyListFlag(flags.require),
      exactDistinctLimit,
      ...advice,
      stripe,
      objectStorage,
      sample,
      runOptions: { ...flags, ...sampleOptions(sample) },
    };
    const progress = new Progress();
    await withSignals((signal) =>
      withStore(
        flags,
        async (store) => {
          try {
            const report = await runProfileSession(
              store,
              { ...config, signal },
              {
                onPhase: (p) => progress.phase(p),
                onBytes: (name, bytes, file) => progress.note(loadNote(name === '-' ? 'stdin' : path.basename(name), bytes, file)),
              },
            );
            progress.stop();
            await emitReport(report, output);
            // An input that gave no events is almost always a mistake: said once, and its own exit code.
            const warning = noEventsWarning(report.sources);
            if (warning) {
              process.stderr.write(`meterscope: ${warning}\n`);
              process.exitCode = EXIT_NO_EVENTS;
            }
          } finally {
            progress.stop();
          }
        },
        signal,
      ),
    );
  });
}

/** --sample and --sample-by: undefined without --sample. */
function sampleFrom(flags: ProfileFlags): SampleSpec | undefined {
  const by = choiceFlag('--sample-by', flags.sampleBy, SAMPLE_BY, { ignoreCase: true });
  if (flags.sample === undefined) {
    if (by) throw new UserError('--sample-by needs --sample (a percentage such as 10%)');
    return undefined;
  }
  const buckets = parseSamplePercent(flags.sample);
  if (buckets === null) throw new UserError(`--sample must be a percentage above 0 and at most 100 with up to two decimals (like 10%), got "${flags.sample}"`);
  return { buckets, by: by ?? 'event' };
}

/** The sample as the run records it (runs, and the refusals of bill, replay and reconcile): "10%" and its unit. */
function sampleOptions(sample: SampleSpec | undefined): Record<string, string> {
  return sample ? { sample: `${samplePercentText(sample)}%`, sampleBy: sample.by } : {};
}

function addSampleOptions(cmd: Command): void {
  cmd
    .option(
      '--sample <percent>',
      'profile a sample (e.g. 10%): figures become estimates with 95 % intervals; a sampled run cannot be billed, replayed or reconciled (docs/sampling.md)',
    )
    .option(
      '--sample-by <unit>',
      'event: events by a hash of their identifier (copies stay together); object: whole files by a hash of their name, which cuts the read (default event)',
    );
}
