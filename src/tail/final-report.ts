/**
 * The report a tail session ends with: the same one `profile` computes over the run's rows, plus
 * the `tail` section, stored as the run's report.
 */
import type { Store } from '../store/store.js';
import type { FieldMapping } from '../ingest/formats.js';
import { computeProfile } from '../profile/compute.js';
import { saveReport } from '../store/reports.js';
import type { TailReport, TailSummary } from './model.js';

export interface FinalReportInput {
  runId: string;
  source: string;
  format: string;
  /** Generic JSON / CSV: the field the customer was read from. */
  customerField?: string;
  /** Last line number stored. */
  lines: number;
  startedAt: number;
  mapping: FieldMapping;
  asOf?: string;
  require?: string[];
}

/** `tail` is asked for last, so its clock-based figures are taken when the report is done. */
export async function finalReport(store: Store, i: FinalReportInput, tail: () => TailSummary): Promise<TailReport> {
  const counts = await countRun(store, i.runId, i.source);
  const sources = [
    {
      source: i.source,
      format: i.format,
      lines: i.lines,
      events: counts.events,
      rejects: counts.rejects,
      seconds: Math.round((Date.now() - i.startedAt) / 100) / 10,
      ...(i.customerField ? { customerField: i.customerField } : {}),
    },
  ];
  await store.exec(`DELETE FROM run_sources WHERE run_id = {run:String}`, { run: i.runId });
  await store.insertRows('run_sources', [{ run_id: i.runId, source: i.source, format: i.format, lines: i.lines, events: counts.events, rejects: counts.rejects }]);
  const profile = await computeProfile(store, i.runId, 'tail', sources, {
    asOf: i.asOf,
    require: i.require,
    customerKey: i.mapping.customerKey,
    valueKey: i.mapping.valueKey,
  });
  const report: TailReport = { ...profile, tail: tail() };
  await saveReport(store, i.runId, 'profile', report);
  return report;
}

async function countRun(store: Store, runId: string, source: string): Promise<{ events: number; rejects: number }> {
  const [r] = await store.select<{ events: string; rejects: string }>(
    `SELECT (SELECT count() FROM events WHERE run_id = {run:String} AND source = {src:String}) AS events,
                   (SELECT count() FROM rejects WHERE run_id = {run:String} AND source = {src:String}) AS rejects`,
    { run: runId, src: source },
  );
  return { events: Number(r.events), rejects: Number(r.rejects) };
}
