/** A stored report model, loaded and brought to the shape the renderers read (replay models stored before version 2 upgraded). */
import type { Store } from '../store/store.js';
import { loadReport } from '../store/reports.js';
import { upgradeReplayReport } from '../replay/model.js';
import type { AnyReport, StoredReport } from '../report/index.js';

export function upgradeStoredReport(stored: StoredReport): AnyReport {
  return 'kind' in stored ? upgradeReplayReport(stored) : stored;
}

export async function loadStoredReport(store: Store, runId: string): Promise<AnyReport> {
  return upgradeStoredReport(await loadReport<StoredReport>(store, runId));
}
