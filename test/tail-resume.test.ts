/**
 * Crash safety: a tail is killed with SIGKILL at a random point while a writer appends (with a
 * rotation in some rounds), then `tail --resume` finishes the run. The stored events must be
 * exactly the writer's (identifier set, no duplicates), the rejects exactly its malformed lines.
 * Some rounds also kill the resumed tail once more before resuming again.
 * The kill points come from one seed, named in every round's title: a failing round replays with
 * METERSCOPE_TEST_SEED=<seed>. The rounds are independent (own files, own store) and run at once.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../src/util/seeded-random.js';
import { sqlBatch, tempDir } from './support/helpers.js';
import { testSeed } from './support/seed.js';
import { goodIds, runWriter, startCli, waitFor, type LiveTail } from './support/tail-support.js';

const ROUNDS = 5;
const COUNT = 3000;
const BAD_EVERY = 50;
const SEED = testSeed();

interface Round {
  round: number;
  rotation: 'none' | 'rename' | 'truncate';
  /** The first tail is killed once it has read this many lines … */
  killAtLine: number;
  /** … and this much later, so the kill lands anywhere in its read/store loops, not just after a print. */
  killJitterMs: number;
  /** Rounds 1 and 3: the resumed tail is killed too, this long after its first output (in its catch-up). */
  resumeKillMs: number | null;
}

const random = mulberry32(SEED);
const ROUND_PLANS: Round[] = Array.from({ length: ROUNDS }, (_, round) => ({
  round,
  rotation: (['none', 'rename', 'truncate'] as const)[round % 3],
  killAtLine: Math.floor(random() * COUNT),
  killJitterMs: Math.floor(random() * 200),
  resumeKillMs: round % 2 === 1 ? Math.floor(random() * 400) : null,
}));

/** SIGKILLs the tail `ms` from now (the injected fault itself, not a wait for a condition). */
async function killIn(tail: LiveTail, ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
  tail.child.kill('SIGKILL');
  const res = await tail.done;
  expect(res.signal === 'SIGKILL' || res.code === 0, res.stderr).toBe(true); // it may also have finished on its own
}

const title = (p: Round) =>
  `round ${p.round}: ${p.rotation === 'none' ? 'no rotation' : `rotation by ${p.rotation}`}, killed after line ${p.killAtLine} (+${p.killJitterMs} ms)` +
  `${p.resumeKillMs === null ? '' : `, resumed tail killed after ${p.resumeKillMs} ms`} [METERSCOPE_TEST_SEED=${SEED}]`;

describe.concurrent('tail --resume after kill -9', () => {
  it.each(ROUND_PLANS.map((p) => [title(p), p] as const))('%s', async (name, plan) => {
    const dir = tempDir('meterscope-resume-');
    const file = path.join(dir, 'events.log');
    const data = path.join(dir, 'store');

    const tail = startCli(['tail', file, '--from', 'start', '--interval', '0.2', '--data-dir', data]);
    await waitFor(() => tail.lines.length > 0, `${name}: first output of the tail`);
    const runId = tail.lines[0].runId as string;
    const writerArgs = ['--file', file, '--rate', '1000', '--count', String(COUNT), '--bad-every', String(BAD_EVERY), '--split'];
    if (plan.rotation !== 'none') writerArgs.push('--rotate', plan.rotation, '--rotate-every', '1500');
    const writer = runWriter(writerArgs);
    // Every line is read eventually (the first tail has no --idle-exit): this wait always ends.
    await waitFor(() => tail.lines.some((l) => l.type === 'interval' && l.totals.linesRead >= plan.killAtLine), `${name}: line ${plan.killAtLine} read`);
    await killIn(tail, plan.killJitterMs);
    await writer;

    let resumes = 0;
    if (plan.resumeKillMs !== null) {
      const r1 = startCli(['tail', '--resume', runId, '--idle-exit', '1.5', '--interval', '0.2', '--data-dir', data]);
      await waitFor(() => r1.lines.length > 0, `${name}: first output of the resumed tail`);
      await killIn(r1, plan.resumeKillMs);
      resumes++;
    }
    // The writer is done: everything is in the files already, so a short idle timeout loses nothing.
    const resumed = startCli(['tail', '--resume', runId, '--idle-exit', '0.5', '--interval', '0.2', '--data-dir', data]);
    const res = await resumed.done;
    expect(res.code, `${name}\n${res.stderr}`).toBe(0);
    resumes++;
    const report = resumed.lines.find((l) => l.type === 'report')!.report;
    const log = `${name}: ${resumes} resume(s), rolled back ${JSON.stringify(report.tail.rolledBack)}`;

    const good = goodIds(COUNT, BAD_EVERY);
    const run = { run: runId };
    const [idRows, [rj]] = await sqlBatch(data, [
      { sql: `SELECT identifier FROM events WHERE run_id = {run:String} ORDER BY identifier`, params: run },
      {
        sql: `SELECT count() AS n, uniqExact(line) AS lines,
                greatest(max(line), (SELECT max(line) FROM events WHERE run_id = {run:String})) AS maxLine
              FROM rejects WHERE run_id = {run:String}`,
        params: run,
      },
    ]);
    expect(
      idRows.map((r) => r.identifier),
      log,
    ).toEqual(good); // every event once: none lost, none twice
    expect(Number(rj.n), log).toBe(COUNT - good.length);
    expect(Number(rj.lines), log).toBe(COUNT - good.length);
    expect(Number(rj.maxLine), log).toBe(COUNT); // line numbers continue across batches, rotations and resumes
    expect(report.events.total, log).toBe(good.length);
    expect(report.tail.resumed, log).toBe(true);
  });

  it('removes the rows of a batch whose checkpoint never landed, then reads them again', async () => {
    const dir = tempDir('meterscope-resume-');
    const file = path.join(dir, 'events.log');
    const data = path.join(dir, 'store');
    // Small batches; the process kills itself right after the rows of its 3rd batch are stored.
    const crashed = startCli(['tail', file, '--from', 'start', '--batch-bytes', '20000', '--flush-ms', '100', '--data-dir', data, '--test-crash-before-checkpoint', '3']);
    await waitFor(() => crashed.lines.length > 0);
    // 6 s of writing: enough separate batches for a third one even when a loaded machine stalls the tail.
    await runWriter(['--file', file, '--rate', '500', '--count', String(COUNT), '--bad-every', String(BAD_EVERY)]);
    const res = await crashed.done;
    expect(res.signal).toBe('SIGKILL');
    const runId = crashed.lines[0].runId as string;
    const run = { run: runId };
    const [checkpoints, [state]] = await sqlBatch(data, [
      { sql: `SELECT batch, kind, line FROM tail_checkpoints WHERE run_id = {run:String} ORDER BY batch`, params: run },
      {
        sql: `WITH (SELECT max(line) FROM tail_checkpoints WHERE run_id = {run:String}) AS cp
              SELECT cp, countIf(line <= cp) AS upTo, countIf(line > cp) AS beyond,
                (SELECT countIf(line > cp) FROM rejects WHERE run_id = {run:String}) AS rejectsBeyond
              FROM events WHERE run_id = {run:String}`,
        params: run,
      },
    ]);
    // The session's start and its first two batches are checkpointed, the third batch is not.
    expect(checkpoints.map((c) => [Number(c.batch), c.kind])).toEqual([
      [1, 'start'],
      [2, 'batch'],
      [3, 'batch'],
    ]);
    const cp = Number(state.cp);
    expect(cp).toBe(Number(checkpoints[2].line));
    // How many lines a batch holds depends on how the reads fell (timing), so only: each holds some.
    expect(Number(checkpoints[0].line)).toBe(0);
    expect(Number(checkpoints[1].line)).toBeGreaterThan(0);
    expect(cp).toBeGreaterThan(Number(checkpoints[1].line));
    // Up to the checkpoint: exactly the writer's good lines 1..cp; beyond it: the third batch's rows
    // (events or rejects: under load the last batch can be one malformed line alone).
    expect(Number(state.upTo)).toBe(goodIds(cp, BAD_EVERY).length);
    expect(Number(state.beyond) + Number(state.rejectsBeyond)).toBeGreaterThan(0);

    const resumed = startCli(['tail', '--resume', runId, '--idle-exit', '0.5', '--data-dir', data]); // the writer is done
    const done = await resumed.done;
    expect(done.code, done.stderr).toBe(0);
    const report = resumed.lines.find((l) => l.type === 'report')!.report;
    expect(report.tail.rolledBack).toMatchObject({ events: Number(state.beyond), rejects: Number(state.rejectsBeyond) });
    const good = goodIds(COUNT, BAD_EVERY);
    const [ids, [rj]] = await sqlBatch(data, [
      { sql: `SELECT identifier FROM events WHERE run_id = {run:String} ORDER BY identifier`, params: run },
      { sql: `SELECT count() AS n FROM rejects WHERE run_id = {run:String}`, params: run },
    ]);
    expect(ids.map((r) => r.identifier)).toEqual(good);
    expect(Number(rj.n)).toBe(COUNT - good.length);
    expect(done.stderr).toMatch(/removed \d+ events and \d+ rejects of a batch that was not checkpointed/);
  });
});
