import path from 'node:path';
import type { Command } from 'commander';
import { addInputOptions, addStoreOptions, mappingFrom, numberFlag, withStore, type MappingFlags, type StoreFlags } from './common.js';
import { resolveSources } from '../ingest/source.js';
import { loadSources, resumeEventMerges, type SourceLoad } from '../ingest/load.js';
import { EXIT_CODES_HELP, flagInputsWithoutEvents } from '../ingest/no-events.js';
import { Runs } from '../store/runs.js';
import { computeProfile, DEFAULT_EXACT_DISTINCT_LIMIT } from '../profile/compute.js';
import { saveReport } from '../store/reports.js';
import { Progress, formatBytes } from '../profile/progress.js';
import { addReportOutputOptions, chooseFormat, emitReport } from '../report/index.js';
import { UserError } from '../errors.js';
import { addStripeProfileOptions, stripeForProfile } from '../stripe/profile-section.js';

export interface ProfileFlags extends StoreFlags, MappingFlags {
  json?: boolean;
  reportFormat?: string;
  out?: string;
  asOf?: string;
  require?: string;
  exactDistinctLimit?: string;
}

export function registerProfile(program: Command): void {
  const cmd = program
    .command('profile')
    .description('load meter-event logs and measure traffic, payload cardinality and API fit (the main job)')
    .argument('<inputs...>', "files or globs (.gz/.zst read transparently), or - for stdin")
    .option('--json', 'print the report model as JSON on stdout (and nothing else; same as --report-format json); fields: docs/json-report.md')
    .option('--as-of <time>', 'reference time for stale/future checks (ISO 8601; default: the last event)')
    .option('--require <keys>', 'comma-separated payload keys every event should carry (coverage per event name)')
    .option('--exact-distinct-limit <n>', 'count distinct values per key exactly up to n, estimate beyond', String(DEFAULT_EXACT_DISTINCT_LIMIT));
  addReportOutputOptions(cmd, { flag: '--report-format' });
  addInputOptions(cmd);
  addStoreOptions(cmd);
  addStripeProfileOptions(cmd);
  cmd.addHelpText('after', EXIT_CODES_HELP);
  cmd.action(async (inputs: string[], flags: ProfileFlags) => {
    const output = { json: flags.json, format: flags.reportFormat, out: flags.out };
    chooseFormat(output); // a bad --report-format fails before anything is loaded
    const { format, mapping } = mappingFrom(flags);
    if (flags.asOf !== undefined && Number.isNaN(Date.parse(flags.asOf))) throw new UserError(`--as-of: "${flags.asOf}" is not a date/time`);
    const exactDistinctLimit = numberFlag('--exact-distinct-limit', flags.exactDistinctLimit, { min: 1, integer: true });
    const require = flags.require ? flags.require.split(',').map((k) => k.trim()).filter(Boolean) : undefined;
    const sources = await resolveSources(inputs);
    const stripe = stripeForProfile(flags); // a missing Stripe key fails before anything is loaded
    const progress = new Progress();
    let loads: SourceLoad[] = [];
    await withStore(flags, async (store) => {
      const runs = new Runs(store);
      const run = await runs.create('profile', sources.map((s) => s.name), { ...flags });
      try {
        const report = await runs.track(run, async () => {
          progress.phase(`loading ${sources.length === 1 ? path.basename(sources[0].name) : `${sources.length} sources`}`);
          loads = await loadSources(store, run.run_id, sources, {
            format,
            mapping,
            // Only streamed sources report bytes; file() loads in the engine are opaque (see progress.ts).
            onProgress: (src, bytes) => progress.note(`${src.name === '-' ? 'stdin' : path.basename(src.name)} ${formatBytes(bytes)}`),
            // Merges wait until the report is saved: the queries get both cores (20M events: 74 -> 60 s).
            keepMergesPaused: true,
          });
          const value = await computeProfile(store, run.run_id, 'profile', loads, {
            asOf: flags.asOf,
            require,
            customerKey: mapping.customerKey,
            valueKey: mapping.valueKey,
            exactDistinctLimit,
            onPhase: (p) => progress.phase(p),
          });
          if (stripe) await stripe.attach(store, value);
          await saveReport(store, run.run_id, 'profile', value);
          return { value, summary: { events: value.events.total, rejected: value.events.rejected } };
        });
        progress.stop();
        await emitReport(report, output);
        flagInputsWithoutEvents(loads);
      } finally {
        progress.stop();
        await resumeEventMerges(store).catch(() => {});
      }
    });
  });
}
