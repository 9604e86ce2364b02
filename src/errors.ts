/**
 * Errors meant for the user: one clear sentence, no stack trace.
 * Anything else that escapes a command is reported as an internal error.
 */
export class UserError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
    this.name = 'UserError';
  }
}

/**
 * A run stopped by the user (Ctrl-C, SIGTERM) before it finished. Engines throw it when their
 * AbortSignal fires; the CLI maps it to exit code 130, as shells do for SIGINT.
 */
export class Interrupted extends Error {
  readonly exitCode = 130;
  constructor(
    readonly reason = 'interrupted',
    detail?: string,
  ) {
    super(`interrupted (${reason})${detail ? `: ${detail}` : ''}`);
    this.name = 'Interrupted';
  }
}

/** Turns any thrown value into one line for stderr (secrets are never part of our messages). */
export function describeError(err: unknown): string {
  if (err instanceof UserError || err instanceof Interrupted) return err.message;
  const e = err as { code?: string; message?: string; name?: string };
  if (e && (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN' || e.code === 'ECONNRESET')) {
    return `cannot reach ClickHouse (${e.code}); check --clickhouse / CLICKHOUSE_URL and that the server is running`;
  }
  if (e && e.name === 'ClickHouseError') return `ClickHouse error: ${firstLine(e.message ?? '')}`;
  return `internal error: ${firstLine(e?.message ?? String(err))}`;
}

export function firstLine(s: string): string {
  const line = s.split('\n').find((l) => l.trim() !== '') ?? s;
  return line.length > 400 ? `${line.slice(0, 400)}…` : line;
}
