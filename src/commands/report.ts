import type { Command } from 'commander';
import { ALLOW_INCOMPLETE, addStoreOptions, withStore, type StoreFlags } from './common.js';
import { addReportOutputOptions, chooseFormat, emitReport, type ReportOutputFlags } from './report-output.js';
import { loadStoredReport } from '../jobs/stored-report.js';

export function registerReport(program: Command): void {
  const cmd = program
    .command('report')
    .description('re-render a stored run (profile, tail or replay) without recomputing it, as text, JSON, Markdown or HTML')
    .argument('<run-id>', 'a run id (see: meterscope runs)')
    .option('--json', 'print the stored report model as JSON (same as --format json; fields: docs/json-report.md)')
    .option('--allow-incomplete', ALLOW_INCOMPLETE);
  addReportOutputOptions(cmd);
  addStoreOptions(cmd).action(async (runId: string, flags: StoreFlags & ReportOutputFlags & { allowIncomplete?: boolean }) => {
    chooseFormat(flags); // a bad --format fails before the store opens
    await withStore(flags, async (store) => {
      // Replay runs store their own model (src/replay/model.ts); renderReport picks the renderer by kind.
      const report = await loadStoredReport(store, runId, flags.allowIncomplete);
      await emitReport(report, flags);
    });
  });
}
