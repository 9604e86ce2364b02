/**
 * Registers every secret this invocation was given — secret flags on argv and the environment
 * variables meterscope reads — with the process's Scrubber, before any command runs, so whatever
 * prints or stores text can mask them without each command remembering to.
 */
import { invocationSecrets, type Scrubber } from './scrubber.js';

/** Flags whose value is a secret (a `--header` value is "Name: secret"). */
const SECRET_FLAGS = new Set(['--ch-password', '--api-key', '--stripe-key', '--metronome-token', '--header', '--s3-secret']);
const SECRET_ENV = [
  'CLICKHOUSE_PASSWORD',
  'STRIPE_API_KEY',
  'METRONOME_API_TOKEN',
  'METERSCOPE_SINK_STRIPE_KEY',
  'METERSCOPE_SINK_METRONOME_TOKEN',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
];

export function registerInvocationSecrets(argv: string[], env: NodeJS.ProcessEnv, into: Scrubber = invocationSecrets): void {
  const chUser = flagValue(argv, '--ch-user') ?? env.CLICKHOUSE_USER ?? 'default';
  for (const name of SECRET_ENV) into.add(env[name], name === 'CLICKHOUSE_PASSWORD' ? chUser : undefined);
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (!SECRET_FLAGS.has(flag)) continue;
    const value = inline ?? argv[i + 1];
    if (value === undefined) continue;
    into.add(value, flag === '--ch-password' ? chUser : undefined);
    // A header's value alone (after "Name:") and its token after a scheme (Bearer x) are secrets too.
    const headerValue = flag === '--header' ? value.replace(/^[^:]*:\s*/, '') : undefined;
    if (headerValue) into.add(headerValue).add(headerValue.replace(/^(Bearer|Basic|Token)\s+/i, ''));
  }
}

function flagValue(argv: string[], flag: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === flag) return argv[i + 1];
    if (argv[i].startsWith(`${flag}=`)) return argv[i].slice(flag.length + 1);
  }
  return undefined;
}
