/**
 * Honest exit codes: an input that gives no events (empty, or every record rejected) is named in one
 * warning on stderr and the run exits 3, after the run and its rejects are stored and the report printed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './support/helpers.js';
import { EXIT_NO_EVENTS } from '../src/ingest/no-events.js';

const dir = tempDir('meterscope-exit-');
const dataDir = path.join(dir, 'store');
const good = path.join(dir, 'good.jsonl');
const empty = path.join(dir, 'empty.jsonl');
const rejected = path.join(dir, 'rejected.jsonl');
fs.writeFileSync(good, `${JSON.stringify({ identifier: 'a', timestamp: 1700000000, event_name: 'api_call', payload: { value: 1 } })}\n`);
fs.writeFileSync(empty, ' \n\t\n');
fs.writeFileSync(rejected, `garbage\n${JSON.stringify({ identifier: 'b', timestamp: 0, event_name: 'api_call', payload: {} })}\n`);

describe('profile exit codes', () => {
  it('exits 0 and warns of nothing when every input gives events', async () => {
    const r = await runCli(['profile', good, '--data-dir', dataDir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it(`exits ${EXIT_NO_EVENTS} naming an input whose every record was rejected; the report and the run are still there`, async () => {
    const r = await runCli(['profile', rejected, '--json', '--data-dir', dataDir]);
    expect(r.code).toBe(EXIT_NO_EVENTS);
    expect(r.stderr).toBe(`meterscope: warning: no events read from ${rejected} (all 2 records rejected); the run and its rejects are stored (exit code 3)\n`);
    const report = JSON.parse(r.stdout) as { runId: string; events: { total: number }; rejects: { total: number } };
    expect([report.events.total, report.rejects.total]).toEqual([0, 2]);
    const runs = JSON.parse((await runCli(['runs', '--json', '--data-dir', dataDir])).stdout) as { run_id: string; status: string }[];
    expect(runs.find((x) => x.run_id === report.runId)?.status).toBe('done');
  });

  it('names only the inputs without events, stdin included, and the text report says so', async () => {
    const r = await runCli(['profile', good, empty, '-', '--data-dir', dataDir], { stdin: '{"event_name":"x","payload":{}}\n' });
    expect(r.code).toBe(EXIT_NO_EVENTS);
    expect(r.stderr).toBe(
      `meterscope: warning: no events read from ${empty} (no records) and stdin (all 1 record rejected); the run and its rejects are stored (exit code 3)\n`,
    );
    expect(r.stdout).toContain('PROBLEMS');
    const alone = await runCli(['profile', empty, '--data-dir', dataDir]);
    expect(alone.code).toBe(EXIT_NO_EVENTS);
    expect(alone.stdout).toMatch(/PROBLEMS\n {2}no events: the input was empty or every record was rejected/);
  });

  it('--help lists the exit codes', async () => {
    const r = await runCli(['profile', '--help']);
    expect(r.stdout).toMatch(/Exit codes: 0 done; 1 internal error; 2 bad usage or unreadable input; 3 an input gave no events/);
  });
});
