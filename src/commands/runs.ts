import type { Command } from 'commander';
import { addStoreOptions, withStore, writeJson, type StoreFlags } from './common.js';
import { numberFlag } from './flags.js';
import { Runs } from '../store/runs.js';
import { renderRunsTable } from '../report/runs-table.js';
import { addWidthOption, textLayout, type WidthFlags } from './report-output.js';

export function registerRuns(program: Command): void {
  addStoreOptions(
    addWidthOption(
      program
        .command('runs')
        .description('list stored runs, newest first')
        .option('-n, --limit <n>', 'how many runs to list', '50')
        .option('--json', 'print the runs as JSON'),
    ),
  ).action(async (opts: StoreFlags & WidthFlags & { limit: string; json?: boolean }) => {
    const limit = numberFlag('--limit', opts.limit, { min: 1, max: 1_000_000, integer: true });
    const layout = textLayout(opts);
    await withStore(opts, async (store) => {
      const runs = await new Runs(store).list(limit);
      if (opts.json) writeJson(runs);
      else process.stdout.write(renderRunsTable(runs, store.label, layout));
    });
  });
}
