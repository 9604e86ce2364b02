/**
 * The profile job — one run from input to stored report: load the sources into a new run, compute the report, attach the Stripe section
 * when asked, store the report. Runs.track records how the run ended.
 */
import path from 'node:path';
import type { Store } from '../store/store.js';
import type { Source } from '../ingest/source.js';
import type { FieldMapping, FormatName } from '../ingest/formats.js';
import { loadSources, resumeEventMerges } from '../ingest/load.js';
import { listRemoteSources } from '../ingest/remote-load.js';
import type { ObjectStorageAccess } from '../ingest/remote-source.js';
import type { FileProgress } from '../ingest/read-progress.js';
import { Runs } from '../store/runs.js';
import { saveReport } from '../store/reports.js';
import { deleteRunRows } from '../store/abandoned.js';
import { Interrupted } from '../errors.js';
import type { StripeAttacher } from '../stripe/profile-section.js';
import { computeProfile } from '../profile/compute.js';
import type { ProfileReport } from '../profile/model.js';
import { adviseReport } from '../advice/index.js';
import { chooseObjects } from '../ingest/sample.js';
import type { SampleSpec } from '../util/sample.js';
import type { SampleRun } from '../profile/sample.js';
import { refreshAdviceEstimates } from '../profile/sample-advice.js';

export interface ProfileSessionConfig {
  sources: Source[];
  format?: FormatName;
  mapping: FieldMapping;
  /** Reference time for the stale/future checks (ISO 8601); default the last event. */
  asOf?: string;
  require?: string[];
  exactDistinctLimit?: number;
  /** profile --compound-group-keys / --group-key: how the advice plans group keys. */
  compoundGroupKeys?: boolean;
  groupKeys?: string[];
  /** Reads the Stripe meters and adds `stripe` to the report (profile --stripe). */
  stripe?: StripeAttacher | null;
  /** Stored with the run (Runs redacts secrets). */
  runOptions: Record<string, unknown>;
  /** Ctrl-C: the run stops at the next step, is marked interrupted and its partial rows are deleted. */
  signal?: AbortSignal;
  /** How the engine reaches s3:// and gs:// inputs (endpoint, credentials). */
  objectStorage?: ObjectStorageAccess;
  /** profile --sample: events by identifier hash, or whole sources by name hash (docs/sampling.md). */
  sample?: SampleSpec;
}

export interface ProfileCallbacks {
  /** A phase starts ("loading …", then the computation phases). */
  onPhase?: (label: string) => void;
  /** Bytes read so far; for a local file read by the engine also its size and the read's pace. */
  onBytes?: (source: string, bytes: number, file?: FileProgress) => void;
}

export async function runProfileSession(store: Store, cfg: ProfileSessionConfig, callbacks: ProfileCallbacks = {}): Promise<ProfileReport> {
  const { mapping } = cfg;
  // Remote patterns are expanded by the engine's listing before the run starts, as local globs are;
  // object sampling then chooses among the listed objects by name.
  const listed = await listRemoteSources(store, cfg.sources, cfg.objectStorage);
  const { sources, sample } = await sampled(store, { ...cfg, sources: listed });
  const runs = new Runs(store);
  const run = await runs.create(
    'profile',
    sources.map((s) => s.name),
    cfg.runOptions,
  );
  const { signal } = cfg;
  // Each phase is a step the run can stop at; an aborted statement's own error gives way to the signal's reason.
  const phase = (label: string) => {
    signal?.throwIfAborted();
    callbacks.onPhase?.(label);
  };
  try {
    return await runs.track(run, () =>
      work().catch(async (err) => {
        if (!signal?.aborted) throw err;
        await deleteRunRows(store, run.run_id).catch(() => {});
        throw new Interrupted((signal.reason as Interrupted).reason, `run ${run.run_id} marked interrupted; its partial rows were deleted`);
      }),
    );
  } finally {
    await resumeEventMerges(store).catch(() => {});
  }

  async function work() {
    phase(`loading ${sources.length === 1 ? path.basename(sources[0].name) : `${sources.length} sources`}`);
    const loads = await loadSources(store, run.run_id, sources, {
      format: cfg.format,
      mapping,
      onProgress: callbacks.onBytes && ((src, bytes, file) => callbacks.onBytes!(src.name, bytes, file)),
      // Merges wait until the report is saved: the queries get both cores (20M events: 74 -> 60 s).
      keepMergesPaused: true,
      signal,
      objectStorage: cfg.objectStorage,
      sampleBuckets: cfg.sample?.by === 'event' ? cfg.sample.buckets : undefined,
    });
    const value = await computeProfile(store, run.run_id, 'profile', loads, {
      asOf: cfg.asOf,
      require: cfg.require,
      customerKey: mapping.customerKey,
      valueKey: mapping.valueKey,
      exactDistinctLimit: cfg.exactDistinctLimit,
      compoundGroupKeys: cfg.compoundGroupKeys,
      groupKeys: cfg.groupKeys,
      onPhase: phase,
      sample,
    });
    if (cfg.stripe) await cfg.stripe.attach(store, value);
    // The meters' event names, mappings and dimensions win over the profile's candidates: plan again.
    if (value.stripe) {
      await adviseReport(store, value, value.advice.settings);
      refreshAdviceEstimates(value);
    }
    signal?.throwIfAborted();
    await saveReport(store, run.run_id, 'profile', value);
    return { value, summary: { events: value.events.total, rejected: value.events.rejected, ...(value.sample ? { sample: `${value.sample.percent}%` } : {}) } };
  }
}

/** The sources a run reads: under object sampling only those whose name hashes into the sample. */
async function sampled(store: Store, cfg: ProfileSessionConfig): Promise<{ sources: Source[]; sample?: SampleRun }> {
  if (!cfg.sample) return { sources: cfg.sources };
  if (cfg.sample.by === 'event') return { sources: cfg.sources, sample: { spec: cfg.sample, objects: null } };
  const kept = new Set(
    await chooseObjects(
      store,
      cfg.sources.map((s) => s.name),
      cfg.sample,
    ),
  );
  const sources = cfg.sources.filter((s) => kept.has(s.name));
  return { sources, sample: { spec: cfg.sample, objects: { read: sources.length, total: cfg.sources.length } } };
}
