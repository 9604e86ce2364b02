/** Command-line entry: commander wiring only; each command lives in src/commands/. */
import { Command, CommanderError } from 'commander';
import { describeError, UserError } from './errors.js';
import { registerProfile } from './commands/profile.js';
import { registerRuns } from './commands/runs.js';
import { registerReport } from './commands/report.js';
import { registerGenerate } from './commands/generate.js';
import { registerTail } from './commands/tail.js';
import { registerReplay } from './commands/replay.js';
import { registerSink } from './commands/sink.js';
import { registerStripe } from './commands/stripe.js';

export function buildProgram(): Command {
  const program = new Command('meterscope')
    .description('Measure meter-event traffic and payload cardinality before moving usage billing from Stripe to Metronome.')
    .version('0.1.0')
    .showHelpAfterError('(add --help for usage)');
  registerProfile(program);
  registerReport(program);
  registerRuns(program);
  registerGenerate(program);
  registerTail(program);
  registerReplay(program);
  registerSink(program);
  registerStripe(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    process.stderr.write(`meterscope: ${describeError(err)}\n`);
    if (process.env.METERSCOPE_DEBUG && !(err instanceof UserError)) process.stderr.write(`${(err as Error).stack}\n`);
    process.exitCode = err instanceof UserError ? err.exitCode : 1;
  }
}
