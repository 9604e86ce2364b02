/**
 * Replay models stored before version 2 (snake_case keys) still render: they are upgraded when read.
 * The fixture is the renderer-test sample as version 1 wrote it (serialized before the keys became
 * camelCase), so the upgrade must give back exactly the hand-written camelCase sample.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { upgradeReplayReport, type StoredReplayReport } from '../src/replay/model.js';
import { loadReplayReport } from '../src/replay/store.js';
import { saveReport, loadReport } from '../src/store/reports.js';
import { renderReport, type StoredReport } from '../src/report/index.js';
import { upgradeStoredReport } from '../src/jobs/stored-report.js';
import { sampleReplayReport } from './support/report-replay-sample.js';
import { openTestStore } from './support/helpers.js';

const v1 = (): StoredReplayReport => JSON.parse(fs.readFileSync(path.join(__dirname, 'support/replay-report-v1.json'), 'utf8'));

/** Every key of a JSON value, nested ones included. */
function keys(v: unknown): string[] {
  if (Array.isArray(v)) return v.flatMap(keys);
  if (typeof v !== 'object' || v === null) return [];
  return Object.entries(v).flatMap(([k, x]) => [k, ...keys(x)]);
}

describe('upgrading a version 1 replay model', () => {
  it('the fixture is the old shape', () => {
    const old = v1();
    expect(old.version).toBe(1);
    expect(keys(old)).toEqual(expect.arrayContaining(['run_id', 'events_sent', 'events_per_s', 'p99_ms', 'rejected_lines', 'connection_wait', 'lag_max_ms']));
  });

  it('gives the current model: same values, camelCase keys, version 2', () => {
    const up = upgradeReplayReport(v1());
    expect(up).toEqual(sampleReplayReport());
    expect(keys(up).filter((k) => k.includes('_'))).toEqual([]);
  });

  it('leaves a current model as it is', () => {
    const current = sampleReplayReport();
    expect(upgradeReplayReport(current)).toBe(current);
  });

  it('renders a stored version 1 model as the current one renders', async () => {
    const store = await openTestStore();
    await saveReport(store, 'old-replay', 'replay', v1());
    const viaReport = upgradeStoredReport(await loadReport<StoredReport>(store, 'old-replay'));
    expect(viaReport).toEqual(sampleReplayReport());
    expect(await loadReplayReport(store, 'old-replay')).toEqual(sampleReplayReport());
    for (const format of ['text', 'md', 'json'] as const) {
      expect(await renderReport(viaReport, format)).toBe(await renderReport(sampleReplayReport(), format));
    }
  }, 60_000);
});
