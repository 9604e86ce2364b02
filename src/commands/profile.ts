import type { Command } from 'commander';
import { addInputOptions, addStoreOptions, mappingFrom, withStore, type MappingFlags, type StoreFlags } from './common.js';
import { resolveSources } from '../ingest/source.js';
import { loadSources } from '../ingest/load.js';
import { Runs } from '../store/runs.js';
import { computeProfile } from '../profile/compute.js';
import { saveReport } from '../profile/store-report.js';
import { renderTerminal } from '../report/terminal.js';
import { UserError } from '../errors.js';

export interface ProfileFlags extends StoreFlags, MappingFlags {
  json?: boolean;
  asOf?: string;
  require?: string;
}

export function registerProfile(program: Command): void {
  const cmd = program
    .command('profile')
    .description('load meter-event logs and measure traffic, payload cardinality and API fit (the main job)')
    .argument('<inputs...>', "files or globs (.gz/.zst read transparently), or - for stdin")
    .option('--json', 'print the report model as JSON on stdout (and nothing else)')
    .option('--as-of <time>', 'reference time for stale/future checks (ISO 8601; default: the last event)')
    .option('--require <keys>', 'comma-separated payload keys every event should carry');
  addInputOptions(cmd);
  addStoreOptions(cmd);
  cmd.action(async (inputs: string[], flags: ProfileFlags) => {
    const { format, mapping } = mappingFrom(flags);
    if (flags.asOf !== undefined && Number.isNaN(Date.parse(flags.asOf))) throw new UserError(`--as-of: "${flags.asOf}" is not a date/time`);
    const sources = await resolveSources(inputs);
    await withStore(flags, async (store) => {
      const runs = new Runs(store.client);
      const run = await runs.create('profile', sources.map((s) => s.name), { ...flags });
      try {
        const loads = await loadSources(store, run.run_id, sources, { format, mapping });
        const report = await computeProfile(store, run.run_id, 'profile', loads, {
          asOf: flags.asOf,
          require: flags.require ? flags.require.split(',').map((k) => k.trim()).filter(Boolean) : undefined,
          customerKey: mapping.customerKey,
          valueKey: mapping.valueKey,
        });
        await saveReport(store.client, run.run_id, 'profile', report);
        await runs.finish(run, 'done', { events: report.events.total, rejected: report.events.rejected });
        process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : renderTerminal(report));
      } catch (err) {
        await runs.finish(run, 'failed', { error: (err as Error).message }).catch(() => {});
        throw err;
      }
    });
  });
}
