/**
 * The arrival rate of `tail` with a writer that is already running: lines that were in the file when
 * following began (`--from start` started late, or the catch-up of a `--resume`) are never arrivals,
 * even though the file keeps growing while they are read. Bounds come from the writer's own rate.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './support/helpers.js';
import { runWriter, startCli, waitFor } from './support/tail-support.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs a tail to its end. With `stopWriter`, the writer is told to stop 3 s after the tail has
 * begun following (its first JSON line), so there are live arrivals however slowly a loaded machine
 * started the tail.
 */
async function tailReport(args: string[], stopWriter?: string) {
  const tail = startCli(['tail', ...args]);
  if (stopWriter) {
    await waitFor(() => tail.lines.length > 0, 'the tail following');
    await sleep(3000);
    fs.writeFileSync(stopWriter, '');
  }
  const res = await tail.done;
  expect(res.code, res.stderr).toBe(0);
  const line = tail.lines.find((l) => l.type === 'report');
  expect(line, res.stderr).toBeDefined();
  return { runId: line!.runId as string, report: line!.report };
}

describe('tail arrival rate with a catch-up', () => {
  it('--from start, started 3 s after the writer: the lines already there are no arrivals', async () => {
    const dir = tempDir('meterscope-catchup-');
    const file = path.join(dir, 'events.log');
    const rate = 300;
    const stop = path.join(dir, 'stop');
    const writing = runWriter(['--file', file, '--rate', String(rate), '--count', String(rate * 40), '--stop-file', stop]);
    await sleep(3000);
    const { report } = await tailReport([file, '--from', 'start', '--idle-exit', '2', '--data-dir', path.join(dir, 'store')], stop);
    const writer = await writing;
    const a = report.tail.arrival;
    console.log(
      `from start, 3 s late: arrival ${a.lines} lines, avg ${a.avg}/s, peak ${a.peak}/s; writer ${writer.written} lines at ${writer.measuredRate.toFixed(1)}/s`,
    );
    expect(report.events.total).toBe(writer.written);
    // At least the 3 s written before tail started (≥ 900 lines) were a catch-up.
    expect(a.lines).toBeLessThanOrEqual(writer.written - 3 * rate);
    // Counting the catch-up made the peak 4× the writer's rate; one second can hold a little more
    // than the rate (a poll late under load), never twice as much.
    expect(a.peak).toBeLessThan(2 * rate);
    expect(Math.abs(a.avg - writer.measuredRate) / writer.measuredRate).toBeLessThan(0.2);
  });

  it('--resume: what was written while tail was stopped is no arrival', async () => {
    const dir = tempDir('meterscope-catchup-');
    const file = path.join(dir, 'events.log');
    const data = path.join(dir, 'store');
    const rate = 400;
    const stop = path.join(dir, 'stop');
    const writing = runWriter(['--file', file, '--rate', String(rate), '--count', String(rate * 40), '--stop-file', stop]);
    const first = await tailReport([file, '--from', 'start', '--duration', '3', '--data-dir', data]);
    await sleep(2000);
    const second = await tailReport(['--resume', first.runId, '--idle-exit', '2', '--data-dir', data], stop);
    const writer = await writing;
    const a = second.report.tail.arrival;
    console.log(`resume: arrival ${a.lines} lines, avg ${a.avg}/s, peak ${a.peak}/s; writer ${writer.written} lines at ${writer.measuredRate.toFixed(1)}/s`);
    expect(second.report.events.total).toBe(writer.written);
    // The 2 s pause alone left 800 lines to catch up on.
    expect(a.lines).toBeLessThanOrEqual(writer.written - first.report.tail.linesRead - 2 * rate);
    expect(a.peak).toBeLessThan(2 * rate);
    expect(a.lines).toBeGreaterThan(0);
  });
});
