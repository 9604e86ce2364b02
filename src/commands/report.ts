import type { Command } from 'commander';
import { addStoreOptions, withStore, type StoreFlags } from './common.js';
import { loadReport } from '../profile/store-report.js';
import { renderTerminal } from '../report/terminal.js';
import type { ProfileReport } from '../profile/model.js';

export function registerReport(program: Command): void {
  addStoreOptions(
    program
      .command('report')
      .description('re-render a stored run without recomputing it')
      .argument('<run-id>', 'a run id (see: meterscope runs)')
      .option('--json', 'print the report model as JSON'),
  ).action(async (runId: string, flags: StoreFlags & { json?: boolean }) => {
    await withStore(flags, async (store) => {
      const report = await loadReport<ProfileReport>(store.client, runId);
      process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : renderTerminal(report));
    });
  });
}
