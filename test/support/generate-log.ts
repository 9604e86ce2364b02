/** A generated Stripe meter-event log written by the built CLI (`meterscope generate`), for suites that profile one. */
import path from 'node:path';
import { expect } from 'vitest';
import { runCli } from './helpers.js';

export interface LogShape {
  events: number;
  seed: number;
  duplicateRate: number;
  malformedRate: number;
}

/** Writes the log to `file` (its generator store beside it) and fails the test if generate does. */
export async function generateLog(file: string, shape: LogShape): Promise<void> {
  const args = [
    '-n',
    String(shape.events),
    '--seed',
    String(shape.seed),
    '--duplicate-rate',
    String(shape.duplicateRate),
    '--malformed-rate',
    String(shape.malformedRate),
  ];
  const gen = await runCli(['generate', ...args, '-o', file, '--data-dir', path.join(path.dirname(file), 'generator')]);
  expect(gen.code, gen.stderr).toBe(0);
}
