/** The metrics a bill uses without --metrics: the billable-metric drafts of the run's stored profile report. */
import type { Store } from '../store/store.js';
import { UserError } from '../errors.js';
import { loadReport } from '../store/reports.js';
import { REPORT_SCHEMA_VERSION, type ProfileReport } from '../profile/model.js';
import { billableMetricDrafts } from '../report/drafts.js';
import { validateMetrics, type BillMetric } from './metrics.js';

export async function draftMetrics(store: Store, runId: string): Promise<BillMetric[]> {
  let report: ProfileReport;
  try {
    report = await loadReport<ProfileReport>(store, runId, 'profile');
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    throw new UserError(`run ${runId} has no stored profile report to draft metrics from; pass --metrics FILE (a JSON array of create-billable-metric bodies)`);
  }
  if (report.schemaVersion !== REPORT_SCHEMA_VERSION || !report.eventNames || !report.dimensionCandidates) {
    throw new UserError(`run ${runId} was profiled by an older meterscope; profile the input again or pass --metrics FILE`);
  }
  return validateMetrics(
    billableMetricDrafts(report).map((d) => d.request),
    `the drafts of run ${runId}`,
  );
}
