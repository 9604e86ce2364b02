import { Option, type Command } from 'commander';
import { addInputOptions, addStoreOptions, mappingFrom, withSignals, withStore, type MappingFlags, type StoreFlags } from './common.js';
import { UserError } from '../errors.js';
import { refuseRemote } from '../ingest/source.js';
import { asOfFlag, choiceFlag, keyListFlag, numberFlag } from './flags.js';
import { addReportOutputOptions, chooseFormat, emitReport, textLayout } from './report-output.js';
import { renderTailTerminal } from '../report/tail-terminal.js';
import { decideRun } from '../tail/resume.js';
import { runTail, type TailOptions } from '../tail/session.js';
import { LiveScreen } from '../tail/view.js';

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
  testCrashBeforeCheckpoint?: string;
  width?: string;
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
    .option('--as-of <time>', 'final report: reference time for stale/future checks (ISO 8601, now, or before now like -7d; default: the last event)')
    .option('--require <keys>', 'final report: comma-separated payload keys every event should carry')
    // Fault injection for the crash-safety tests: kill -9 itself between a batch's rows and its checkpoint.
    .addOption(new Option('--test-crash-before-checkpoint <batch>').hideHelp());
  addReportOutputOptions(cmd, { flag: '--report-format', what: 'the final report' });
  addInputOptions(cmd);
  addStoreOptions(cmd);
  cmd.action(async (input: string | undefined, flags: TailFlags) => {
    // --json here is the live JSON-lines mode, not the final report's format.
    const output = flags.reportFormat !== undefined || flags.out ? { format: flags.reportFormat, out: flags.out, width: flags.width } : null;
    chooseFormat(output ?? { width: flags.width }); // a bad --report-format or --width fails before following anything
    const settings = tailSettings(flags);
    if (input === undefined && !flags.resume) throw new UserError('name a file to follow, or - for stdin (or --resume <run-id>)');
    if (input !== undefined) refuseRemote(input, 'tail');
    const screen = flags.json || !process.stdout.isTTY ? undefined : new LiveScreen(process.stdout);
    // Whatever ends the process, the terminal is not left on the live view's alternate screen.
    const leaveScreen = () => screen?.leave();
    process.once('exit', leaveScreen);
    try {
      await withStore(flags, async (store) => {
        const { testCrashBeforeCheckpoint: _, ...stored } = flags;
        const start = await decideRun(store, { input, resume: flags.resume, runOptions: { ...stored, input } });
        const io = { screen, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
        const { runId, report } = await withSignals(
          (signal) => runTail(store, start, { ...settings, ...io, signal }),
          () => {
            // A second Ctrl-C: leave now. Everything checkpointed is safe; --resume continues.
            leaveScreen();
            process.stderr.write(`\nmeterscope: stopped without a report; continue with: meterscope tail --resume ${start.run.run_id}\n`);
          },
        );
        // --report-format alone replaces the usual final report on stdout; with --out the file gets it and stdout is as usual.
        if (!output || output.out) {
          process.stdout.write(screen ? `\n${renderTailTerminal(report, textLayout(flags))}` : `${JSON.stringify({ type: 'report', runId, report })}\n`);
        }
        if (output) await emitReport(report, output);
      });
    } finally {
      process.off('exit', leaveScreen);
    }
  });
}

/** The session settings the flags give, every flag checked before anything is followed. */
function tailSettings(flags: TailFlags): Omit<TailOptions, 'screen' | 'stdin' | 'stdout' | 'stderr' | 'signal'> {
  const { format, mapping } = mappingFrom(flags);
  const flushMs = numberFlag('--flush-ms', flags.flushMs, { min: 10, integer: true })!;
  if (flushMs > 1000) throw new UserError(`--flush-ms must be at most 1000 (lines are stored at least every second), got "${flags.flushMs}"`);
  return {
    from: choiceFlag('--from', flags.from ?? 'end', ['start', 'end'] as const),
    format,
    mapping,
    durationS: numberFlag('--duration', flags.duration, { min: 0 }),
    idleExitS: numberFlag('--idle-exit', flags.idleExit, { min: 0 }),
    flushMs,
    batchBytes: numberFlag('--batch-bytes', flags.batchBytes, { min: 1, integer: true })!,
    pollMs: Math.min(100, flushMs),
    intervalMs: numberFlag('--interval', flags.interval, { min: 0.1 })! * 1000,
    asOf: asOfFlag('--as-of', flags.asOf),
    require: keyListFlag(flags.require),
    faults:
      flags.testCrashBeforeCheckpoint !== undefined
        ? { crashBeforeCheckpointAtBatch: numberFlag('--test-crash-before-checkpoint', flags.testCrashBeforeCheckpoint, { min: 1, integer: true }) }
        : undefined,
  };
}
