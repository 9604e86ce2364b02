/**
 * Computes the whole profile report for a loaded run. Every figure is SQL over `events`.
 */
import type { Store } from '../store/client.js';
import type { ProfileReport, SourceSummary } from './model.js';
import { computeVolume } from './volume.js';

export interface ProfileOptions {
  /** Reference time for stale/future checks (ISO); default the last event's time. */
  asOf?: string;
  /** Keys every event should carry (--require). */
  require?: string[];
  customerKey: string;
  valueKey: string;
}

export async function computeProfile(
  store: Store,
  runId: string,
  command: string,
  sources: SourceSummary[],
  _opts: ProfileOptions,
): Promise<ProfileReport> {
  const volume = await computeVolume(store.client, runId);
  return {
    schemaVersion: 1,
    runId,
    command,
    generatedAt: new Date().toISOString(),
    store: store.label,
    sources,
    ...volume,
  };
}
