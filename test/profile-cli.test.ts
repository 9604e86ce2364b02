/**
 * The built CLI: `profile --json` prints the model and nothing else on stdout, `report <id> --json`
 * re-renders the same stored model, the terminal report fits 100 columns and reads top-down, bad
 * lines are counted and shown (never fatal), and payload text cannot inject terminal escapes.
 * Needs `npm run build` first.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './support/helpers.js';
import type { ProfileReport } from '../src/profile/model.js';

const T0 = Date.UTC(2024, 6, 1, 9, 0, 0);
let dir: string;
let dataDir: string;
let file: string;
let lines: string[];

beforeAll(() => {
  dir = tempDir();
  dataDir = path.join(dir, 'store');
  file = path.join(dir, 'events.jsonl');
  lines = [];
  for (let i = 0; i < 400; i++) {
    lines.push(
      JSON.stringify({
        identifier: i === 399 ? 'id0' : `id${i}`,
        timestamp: Math.floor(T0 / 1000) + Math.floor(i / 4),
        event_name: i % 4 === 0 ? 'storage' : 'api_call',
        payload: {
          stripe_customer_id: `cus_${i % 9}`,
          value: String(i % 7),
          region: ['eu', 'us'][i % 2],
          label: i % 50 === 0 ? 'evil \u001b[31mred\u001b[0m \u0007 text' : 'plain',
        },
      }),
    );
  }
  // Long untrusted names and values must not widen the terminal report.
  const long = 'very_long_'.repeat(12);
  lines.push(
    JSON.stringify({ identifier: 'long', timestamp: Math.floor(T0 / 1000) + 150, event_name: long, payload: { [long]: long, stripe_customer_id: long, value: 1 } }),
  );
  lines.splice(10, 0, '{"identifier":"broken",');
  lines.splice(20, 0, JSON.stringify({ identifier: 'x', timestamp: 'not a time', event_name: 'api_call', payload: {} }));
  fs.writeFileSync(file, lines.join('\n'));
});

describe('profile CLI', () => {
  let report: ProfileReport;

  it('profile --json prints only the report model on stdout', async () => {
    const res = await runCli(['profile', '--json', '--data-dir', dataDir, file]);
    expect(res.code, res.stderr).toBe(0);
    report = JSON.parse(res.stdout) as ProfileReport;
    expect(report.schemaVersion).toBe(2);
    expect(report.events.total).toBe(401);
    expect(report.events.rejected).toBe(2);
    expect(report.rejects.examples.map((e) => e.line)).toEqual([11, 21]);
    expect(report.identity.duplicates24h).toBe(1);
    expect(report.rate.peak['1s'].events).toBe(4);
    expect(report.fit.map((f) => [f.path, f.verdict])).toEqual([
      ['stripe-v1', 'fits'],
      ['stripe-v2-stream', 'fits'],
      ['metronome-ingest', 'fits'],
      ['stripe-v2-meter-events', 'fits'],
      ['stripe-v1-test', 'fits'],
      ['stripe-v2-stream-test', 'fits'],
    ]);
    expect(report.eventNames.map((n) => [n.name, n.count]).slice(0, 2)).toEqual([
      ['api_call', 300],
      ['storage', 100],
    ]);
  }, 120_000);

  it('report <run-id> --json re-renders the stored model unchanged', async () => {
    const res = await runCli(['report', report.runId, '--json', '--data-dir', dataDir]);
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual(report);
  }, 120_000);

  it('the terminal report fits 80 columns when piped, reads top-down and shows the rejects', async () => {
    const outputs = [await runCli(['profile', '--data-dir', dataDir, '--require', 'region,zone', file]), await runCli(['report', report.runId, '--data-dir', dataDir])];
    for (const res of outputs) {
      expect(res.code, res.stderr).toBe(0);
      const out = res.stdout;
      for (const l of out.split('\n')) expect([...l].length, l).toBeLessThanOrEqual(80);
      const order = ['VOLUME', 'RATES', 'FIT', 'DIMENSION CANDIDATES', 'PROPERTIES', 'PROBLEMS'].map((h) => out.indexOf(`\n${h}`));
      for (const i of order) expect(i).toBeGreaterThan(0);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
      expect(out).toContain('rejected: 2 lines');
      expect(out).toContain('invalid JSON');
      expect(out).toMatch(/stripe-v1 .* FITS/);
      // Payload text never reaches the terminal as escape sequences or bells.
      expect(out).not.toContain('\u001b');
      expect(out).not.toContain('\u0007');
    }
    expect(outputs[0].stdout).toContain('missing required keys in api_call');
    // Progress goes to stderr only when it is a terminal: here it is a pipe.
    expect(outputs[0].stderr).toBe('');
  }, 120_000);

  it('rejects bad flags with one sentence', async () => {
    const res = await runCli(['profile', '--data-dir', dataDir, '--as-of', 'someday', file]);
    expect(res.code).not.toBe(0);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toContain('--as-of');
    const bad = await runCli(['profile', '--data-dir', dataDir, '--exact-distinct-limit', '0', file]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--exact-distinct-limit');
    const missing = await runCli(['report', 'no-such-run', '--data-dir', dataDir]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('no run with id no-such-run in this store');
  }, 120_000);
});
