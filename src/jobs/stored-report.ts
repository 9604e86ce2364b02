/** A stored report model, loaded and brought to the shape the renderers read (replay and profile models stored before version 2 upgraded). */
import type { Store } from '../store/store.js';
import { loadReport } from '../store/reports.js';
import { Runs } from '../store/runs.js';
import { upgradeReplayReport } from '../replay/model.js';
import { upgradeProfileReport } from '../profile/upgrade.js';
import type { AnyReport, StoredReport } from '../report/index.js';

export function upgradeStoredReport(stored: StoredReport): AnyReport {
  return 'kind' in stored ? upgradeReplayReport(stored) : upgradeProfileReport(stored);
}

/** The stored report of a finished run (an unfinished one only with `allowIncomplete`). */
export async function loadStoredReport(store: Store, runId: string, allowIncomplete = false): Promise<AnyReport> {
  await new Runs(store).getComplete(runId, allowIncomplete);
  return upgradeStoredReport(await loadReport<StoredReport>(store, runId));
}
