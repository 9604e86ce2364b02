/**
 * One profile run: load the sources into a new run, compute the report, attach the Stripe section
 * when asked, store the report. Runs.track records how the run ended.
 */
import path from 'node:path';
import type { Store } from '../store/store.js';
import type { Source } from '../ingest/source.js';
import type { FieldMapping, FormatName } from '../ingest/formats.js';
import { loadSources, resumeEventMerges } from '../ingest/load.js';
import { Runs } from '../store/runs.js';
import { saveReport } from '../store/reports.js';
import type { StripeAttacher } from '../stripe/profile-section.js';
import { computeProfile } from './compute.js';
import type { ProfileReport } from './model.js';

export interface ProfileSessionConfig {
  sources: Source[];
  format?: FormatName;
  mapping: FieldMapping;
  /** Reference time for the stale/future checks (ISO 8601); default the last event. */
  asOf?: string;
  require?: string[];
  exactDistinctLimit?: number;
  /** Reads the Stripe meters and adds `stripe` to the report (profile --stripe). */
  stripe?: StripeAttacher | null;
  /** Stored with the run (Runs redacts secrets). */
  runOptions: Record<string, unknown>;
}

export interface ProfileCallbacks {
  /** A phase starts ("loading …", then the computation phases). */
  onPhase?: (label: string) => void;
  /** Bytes read so far from a streamed source (file() loads in the engine report none). */
  onBytes?: (source: string, bytes: number) => void;
}

export async function runProfileSession(store: Store, cfg: ProfileSessionConfig, callbacks: ProfileCallbacks = {}): Promise<ProfileReport> {
  const { sources, mapping } = cfg;
  const runs = new Runs(store);
  const run = await runs.create('profile', sources.map((s) => s.name), cfg.runOptions);
  try {
    return await runs.track(run, async () => {
      callbacks.onPhase?.(`loading ${sources.length === 1 ? path.basename(sources[0].name) : `${sources.length} sources`}`);
      const loads = await loadSources(store, run.run_id, sources, {
        format: cfg.format,
        mapping,
        onProgress: callbacks.onBytes && ((src, bytes) => callbacks.onBytes!(src.name, bytes)),
        // Merges wait until the report is saved: the queries get both cores (20M events: 74 -> 60 s).
        keepMergesPaused: true,
      });
      const value = await computeProfile(store, run.run_id, 'profile', loads, {
        asOf: cfg.asOf,
        require: cfg.require,
        customerKey: mapping.customerKey,
        valueKey: mapping.valueKey,
        exactDistinctLimit: cfg.exactDistinctLimit,
        onPhase: callbacks.onPhase,
      });
      if (cfg.stripe) await cfg.stripe.attach(store, value);
      await saveReport(store, run.run_id, 'profile', value);
      return { value, summary: { events: value.events.total, rejected: value.events.rejected } };
    });
  } finally {
    await resumeEventMerges(store).catch(() => {});
  }
}
