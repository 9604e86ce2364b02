/**
 * Profile (and tail) models stored as schema version 1 brought to version 2: the old meter `design`
 * gives way to the advice section (planned from what the old model measured, so figures the old run
 * did not measure — per-customer cardinality, billed shares — stay null), and fit results gain the
 * fields version 2 added, empty.
 */
import type { FitResult, ProfileReport } from './model.js';
import { REPORT_SCHEMA_VERSION } from './model.js';
import { planAdvice } from '../advice/index.js';

type Stored = Omit<ProfileReport, 'schemaVersion'> & { schemaVersion: number };

export function upgradeProfileReport<R extends ProfileReport>(stored: R | Stored): R {
  if (stored.schemaVersion !== 1) return stored as R;
  const r = { ...stored, schemaVersion: REPORT_SCHEMA_VERSION } as R;
  r.keyUsage = r.keyUsage ?? [];
  r.dimensionCandidates = (r.dimensionCandidates ?? []).map(({ eventName, events, candidates }) => ({ eventName, events, candidates }));
  r.fit = (r.fit ?? []).map((f) => {
    const old = f as Partial<FitResult> & FitResult;
    return {
      ...old,
      mode: old.mode ?? 'live',
      limits: { ...old.limits, alsoPublished: old.limits.alsoPublished ?? [], concurrentCallsPerCustomerMeter: old.limits.concurrentCallsPerCustomerMeter ?? null },
      customerMeter: old.customerMeter ?? null,
    };
  });
  if (r.rate && r.fit.length && r.properties) r.advice = planAdvice(r);
  return r;
}
