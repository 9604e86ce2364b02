import type { Command } from 'commander';
import { addInputOptions, addStoreOptions, mappingFrom, numberFlag, withStore, type MappingFlags, type StoreFlags } from './common.js';
import { UserError } from '../errors.js';
import { addReportOutputOptions, chooseFormat, emitReport } from './report-output.js';
import { runTail } from '../tail/session.js';
import { renderTailTerminal } from '../report/tail-terminal.js';

export interface TailFlags extends StoreFlags, MappingFlags {
  resume?: string;
  from?: string;
  duration?: string;
  idleExit?: string;
  flushMs?: string;
  batchBytes?: string;
  interval?: string;
  json?: boolean;
  reportFormat?: string;
  out?: string;
  asOf?: string;
  require?: string;
}

export function registerTail(program: Command): void {
  const cmd = program
    .command('tail')
    .description('follow a growing meter-event log (like tail -F), show live rates, store it as a run; resumable after a crash')
    .argument('[input]', 'the log file to follow, or - for stdin (may be left out with --resume)')
    .option('--resume <run-id>', 'continue an earlier tail run where its last checkpoint left off')
    .option('--from <where>', "where to begin in a file that already has content: 'end' (like tail -F) or 'start'", 'end')
    .option('--duration <seconds>', 'stop after this many seconds')
    .option('--idle-exit <seconds>', 'stop once no new line has arrived for this many seconds')
    .option('--flush-ms <ms>', 'store read lines at the latest this long after they arrived (at most 1000)', '1000')
    .option('--batch-bytes <bytes>', 'store read lines as soon as this many bytes are waiting', String(1 << 20))
    .option('--interval <seconds>', 'refresh the live view (or print a JSON line) this often', '1')
    .option('--json', 'print one JSON line per interval and the final report as a JSON line, even on a terminal')
    .option('--as-of <time>', 'final report: reference time for stale/future checks (ISO 8601; default: the last event)')
    .option('--require <keys>', 'final report: comma-separated payload keys every event should carry');
  addReportOutputOptions(cmd, { flag: '--report-format', what: 'the final report' });
  addInputOptions(cmd);
  addStoreOptions(cmd);
  cmd.action(async (input: string | undefined, flags: TailFlags) => {
    // --json here is the live JSON-lines mode, not the final report's format.
    const output = flags.reportFormat !== undefined || flags.out ? { format: flags.reportFormat, out: flags.out } : null;
    if (output) chooseFormat(output); // a bad --report-format fails before following anything
    const { format, mapping } = mappingFrom(flags);
    if (flags.from !== 'start' && flags.from !== 'end') throw new UserError(`--from must be start or end, got "${flags.from}"`);
    if (flags.asOf !== undefined && Number.isNaN(Date.parse(flags.asOf))) throw new UserError(`--as-of: "${flags.asOf}" is not a date/time`);
    const flushMs = numberFlag('--flush-ms', flags.flushMs, { min: 10, integer: true })!;
    if (flushMs > 1000) throw new UserError(`--flush-ms must be at most 1000 (lines are stored at least every second), got "${flags.flushMs}"`);
    const durationS = numberFlag('--duration', flags.duration, { min: 0 });
    const idleExitS = numberFlag('--idle-exit', flags.idleExit, { min: 0 });
    const batchBytes = numberFlag('--batch-bytes', flags.batchBytes, { min: 1, integer: true })!;
    const intervalS = numberFlag('--interval', flags.interval, { min: 0.1 })!;
    if (input === undefined && !flags.resume) throw new UserError('name a file to follow, or - for stdin (or --resume <run-id>)');
    const live = flags.json || !process.stdout.isTTY ? 'json' : 'tty';
    await withStore(flags, async (store) => {
      const { runId, report } = await runTail(store, {
        input,
        resume: flags.resume,
        from: flags.from as 'start' | 'end',
        format,
        mapping,
        durationS,
        idleExitS,
        flushMs,
        batchBytes,
        pollMs: Math.min(100, flushMs),
        intervalMs: intervalS * 1000,
        live,
        asOf: flags.asOf,
        require: flags.require ? flags.require.split(',').map((k) => k.trim()).filter(Boolean) : undefined,
        stdin: process.stdin,
        stdout: process.stdout,
        stderr: process.stderr,
        runOptions: { ...flags, input },
      });
      // --report-format alone replaces the usual final report on stdout; with --out the file gets it and stdout is as usual.
      if (!output || output.out) {
        process.stdout.write(live === 'json' ? `${JSON.stringify({ type: 'report', runId, report })}\n` : `\n${renderTailTerminal(report)}`);
      }
      if (output) await emitReport(report, output);
    });
  });
}
