import type { Command } from 'commander';
import { addStoreOptions, withStore, type StoreFlags } from './common.js';
import { loadReport } from '../profile/store-report.js';
import { renderTerminal } from '../report/terminal.js';
import { REPORT_SCHEMA_VERSION, type ProfileReport } from '../profile/model.js';
import { UserError } from '../errors.js';
import { renderReplayTerminal } from '../report/replay-terminal.js';
import type { ReplayReport } from '../replay/model.js';

export function registerReport(program: Command): void {
  addStoreOptions(
    program
      .command('report')
      .description('re-render a stored run (profile or replay) without recomputing it')
      .argument('<run-id>', 'a run id (see: meterscope runs)')
      .option('--json', 'print the stored report model as JSON (fields: docs/json-report.md)'),
  ).action(async (runId: string, flags: StoreFlags & { json?: boolean }) => {
    await withStore(flags, async (store) => {
      const report = await loadReport<ProfileReport>(store.client, runId);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return;
      }
      // Replay runs store a different model (src/replay/model.ts).
      if ((report as unknown as { kind?: string }).kind === 'replay') {
        process.stdout.write(renderReplayTerminal(report as unknown as ReplayReport));
        return;
      }
      // Reports stored before the model was complete lack the sections the renderer reads.
      if (report.schemaVersion !== REPORT_SCHEMA_VERSION || !report.rate || !report.fit) {
        throw new UserError(`run ${runId} was stored by an older meterscope; use --json or profile the input again`);
      }
      process.stdout.write(renderTerminal(report));
    });
  });
}
