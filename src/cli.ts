/** Command-line entry: commander wiring only; each command lives in src/commands/. */
import { Command, CommanderError, Help } from 'commander';
import { describeError, Interrupted, UserError } from './errors.js';
import { invocationSecrets } from './secrets/scrubber.js';
import { registerInvocationSecrets } from './secrets/invocation.js';

type Register = (program: Command) => void;

const SECRETS_NOTE =
  'Secrets given as flags (--ch-password, --api-key, --header, --stripe-key, --metronome-token) are visible to other users of this machine (ps); ' +
  'prefer the environment variable each flag names. meterscope never prints or stores them.';

/**
 * Commands in help order, each loaded only when needed: the modules behind them (Stripe SDK, undici,
 * report renderers, …) took ~0.4 s to load, paid by every invocation before this.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  profile: async () => (await import('./commands/profile.js')).registerProfile,
  report: async () => (await import('./commands/report.js')).registerReport,
  runs: async () => (await import('./commands/runs.js')).registerRuns,
  sql: async () => (await import('./commands/sql.js')).registerSql,
  generate: async () => (await import('./commands/generate.js')).registerGenerate,
  tail: async () => (await import('./commands/tail.js')).registerTail,
  replay: async () => (await import('./commands/replay.js')).registerReplay,
  sink: async () => (await import('./commands/sink.js')).registerSink,
  stripe: async () => (await import('./commands/stripe.js')).registerStripe,
  bill: async () => (await import('./commands/bill.js')).registerBill,
};

/** The program with the command named in argv (all commands for help, typos and no command). */
export async function buildProgram(argv: string[] = []): Promise<Command> {
  const program = new Command('meterscope')
    .description('Measure meter-event traffic and payload cardinality before moving usage billing from Stripe to Metronome.')
    .version('0.1.0')
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('afterAll', () => `\n${new Help().boxWrap(SECRETS_NOTE, process.stdout.isTTY ? process.stdout.columns : 80)}`);
  const named = argv[2];
  const wanted = named !== undefined && Object.hasOwn(COMMANDS, named) ? [named] : Object.keys(COMMANDS);
  const registers = await Promise.all(wanted.map((n) => COMMANDS[n]()));
  for (const register of registers) register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  registerInvocationSecrets(argv, process.env);
  scrubOutput(process.stdout);
  scrubOutput(process.stderr);
  const stdoutBroken = watchBrokenStdout();
  try {
    await run(argv);
  } finally {
    // A reader that went away (`| head`) ends us as it ends Unix tools: quietly, exit 141 (128 + SIGPIPE).
    if (stdoutBroken() && !process.exitCode) process.exitCode = 141;
  }
}

/** Swallows EPIPE on stdout (no "Unhandled 'error' event" crash) and tells whether it happened. */
function watchBrokenStdout(): () => boolean {
  let broken = false;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    broken = true;
  });
  return () => broken;
}

/**
 * Text written to the terminal passes the invocation's scrubber, whichever module wrote it (a report,
 * an echoed error body, a live view). Binary chunks (generated logs) pass as they are.
 */
function scrubOutput(stream: NodeJS.WriteStream): void {
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => write(typeof chunk === 'string' ? invocationSecrets.scrub(chunk) : chunk, ...rest)) as typeof stream.write;
}

const isBrokenPipe = (err: unknown) => (err as NodeJS.ErrnoException)?.code === 'EPIPE';

async function run(argv: string[]): Promise<void> {
  let program: Command;
  try {
    program = await buildProgram(argv);
  } catch (err) {
    process.stderr.write(`meterscope: ${invocationSecrets.scrub(describeError(err))}\n`);
    process.exitCode = 1;
    return;
  }
  program.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    if (isBrokenPipe(err)) {
      process.exitCode = 141;
      return;
    }
    process.stderr.write(`meterscope: ${invocationSecrets.scrub(describeError(err))}\n`);
    if (process.env.METERSCOPE_DEBUG && !(err instanceof UserError) && !(err instanceof Interrupted)) process.stderr.write(`${(err as Error).stack}\n`);
    process.exitCode = err instanceof UserError || err instanceof Interrupted ? err.exitCode : 1;
  }
}
