/**
 * Crash safety: a tail is killed with SIGKILL at a random point while a writer appends (with a
 * rotation in some rounds), then `tail --resume` finishes the run. The stored events must be
 * exactly the writer's (identifier set, no duplicates), the rejects exactly its malformed lines.
 * Some rounds also kill the resumed tail once more before resuming again.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './support/helpers.js';
import { goodIds, runWriter, sqlRows, startCli, waitFor } from './support/tail-support.js';

const ROUNDS = 5;
const COUNT = 3000;
const BAD_EVERY = 50;

async function killAfter(tail: ReturnType<typeof startCli>, ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
  tail.child.kill('SIGKILL');
  const res = await tail.done;
  expect(res.signal === 'SIGKILL' || res.code === 0).toBe(true); // it may also have finished on its own
}

describe('tail --resume after kill -9', () => {
  it(`stores exactly the writer's events, ${ROUNDS} rounds with random kill points`, async () => {
    const log: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const dir = tempDir('meterscope-resume-');
      const file = path.join(dir, 'events.log');
      const data = path.join(dir, 'store');
      const rotation = ['none', 'rename', 'truncate'][round % 3];
      const killMs = Math.floor(Math.random() * 3000);

      const tail = startCli(['tail', file, '--from', 'start', '--interval', '0.2', '--data-dir', data]);
      await waitFor(() => tail.lines.length > 0);
      const runId = tail.lines[0].runId as string;
      const writerArgs = ['--file', file, '--rate', '1000', '--count', String(COUNT), '--bad-every', String(BAD_EVERY), '--split'];
      if (rotation !== 'none') writerArgs.push('--rotate', rotation, '--rotate-every', '1500');
      const writer = runWriter(writerArgs);
      await killAfter(tail, killMs);
      await writer;

      // Round 1 and 3: the resumed tail is killed too, somewhere in its catch-up.
      let resumes = 0;
      if (round % 2 === 1) {
        const r1 = startCli(['tail', '--resume', runId, '--idle-exit', '1.5', '--interval', '0.2', '--data-dir', data]);
        await waitFor(() => r1.lines.length > 0);
        await killAfter(r1, Math.floor(Math.random() * 400));
        resumes++;
      }
      const resumed = startCli(['tail', '--resume', runId, '--idle-exit', '1.5', '--interval', '0.2', '--data-dir', data]);
      const res = await resumed.done;
      expect(res.code, res.stderr).toBe(0);
      resumes++;
      const report = resumed.lines.find((l) => l.type === 'report')!.report;
      log.push(`round ${round}: rotation ${rotation}, killed after ${killMs} ms, ${resumes} resume(s), rolled back ${JSON.stringify(report.tail.rolledBack)}`);

      const good = goodIds(COUNT, BAD_EVERY);
      const ids = (await sqlRows<{ identifier: string }>(data, `SELECT identifier FROM events WHERE run_id = '${runId}' ORDER BY identifier`)).map((r) => r.identifier);
      expect(ids, log.join('\n')).toEqual(good); // every event once: none lost, none twice
      const [rj] = await sqlRows<{ n: string; lines: string; maxLine: string }>(data,
        `SELECT count() AS n, uniqExact(line) AS lines,
           greatest(max(line), (SELECT max(line) FROM events WHERE run_id = '${runId}')) AS maxLine
         FROM rejects WHERE run_id = '${runId}'`);
      expect(Number(rj.n)).toBe(COUNT - good.length);
      expect(Number(rj.lines)).toBe(COUNT - good.length);
      expect(Number(rj.maxLine)).toBe(COUNT); // line numbers continue across batches, rotations and resumes
      expect(report.events.total).toBe(good.length);
      expect(report.tail.resumed).toBe(true);
    }
    console.log(log.join('\n'));
  });

  it('removes the rows of a batch whose checkpoint never landed, then reads them again', async () => {
    const dir = tempDir('meterscope-resume-');
    const file = path.join(dir, 'events.log');
    const data = path.join(dir, 'store');
    // Small batches; the process kills itself right after the rows of its 3rd batch are stored.
    const crashed = startCli(['tail', file, '--from', 'start', '--batch-bytes', '20000', '--flush-ms', '100', '--data-dir', data],
      { env: { METERSCOPE_TEST_CRASH_BEFORE_CHECKPOINT: '3' } });
    await waitFor(() => crashed.lines.length > 0);
    await runWriter(['--file', file, '--rate', '2000', '--count', String(COUNT), '--bad-every', String(BAD_EVERY)]);
    const res = await crashed.done;
    expect(res.signal).toBe('SIGKILL');
    const [{ run_id: runId }] = await sqlRows<{ run_id: string }>(data, `SELECT run_id FROM runs`);
    const [state] = await sqlRows<{ cp: string; beyond: string; stored: string }>(data, `SELECT
        (SELECT max(line) FROM tail_checkpoints WHERE run_id = '${runId}') AS cp,
        (SELECT count() FROM events WHERE run_id = '${runId}' AND line > cp) AS beyond,
        (SELECT count() FROM events WHERE run_id = '${runId}') AS stored`);
    expect(Number(state.cp)).toBeGreaterThan(0); // two batches checkpointed …
    expect(Number(state.beyond)).toBeGreaterThan(0); // … and the third one's rows stored without one

    const resumed = startCli(['tail', '--resume', runId, '--idle-exit', '1', '--data-dir', data]);
    const done = await resumed.done;
    expect(done.code, done.stderr).toBe(0);
    const report = resumed.lines.find((l) => l.type === 'report')!.report;
    expect(report.tail.rolledBack.events).toBe(Number(state.beyond));
    const good = goodIds(COUNT, BAD_EVERY);
    const ids = (await sqlRows<{ identifier: string }>(data, `SELECT identifier FROM events WHERE run_id = '${runId}' ORDER BY identifier`)).map((r) => r.identifier);
    expect(ids).toEqual(good);
    const [rj] = await sqlRows<{ n: string }>(data, `SELECT count() AS n FROM rejects WHERE run_id = '${runId}'`);
    expect(Number(rj.n)).toBe(COUNT - good.length);
    expect(done.stderr).toMatch(/removed \d+ events and \d+ rejects of a batch that was not checkpointed/);
  });
});
