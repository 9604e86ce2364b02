/**
 * Errors meant for the user: one clear sentence, no stack trace.
 * Anything else that escapes a command is reported as an internal error.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
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
  const e = err as { code?: string; message?: string; name?: string; constructor?: { name?: string } };
  if (e && (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN' || e.code === 'ECONNRESET')) {
    return `cannot reach ClickHouse (${e.code}); check --clickhouse / CLICKHOUSE_URL and that the server is running`;
  }
  // The client's ClickHouseError keeps name 'Error'; chDB's errors arrive as the same class.
  if (e && (e.name === 'ClickHouseError' || e.constructor?.name === 'ClickHouseError')) return `ClickHouse error: ${firstLine(shortExpected(e.message ?? ''))}`;
  return `internal error: ${firstLine(e?.message ?? String(err))}`;
}

export function firstLine(s: string): string {
  const line = s.split('\n').find((l) => l.trim() !== '') ?? s;
  return line.length > 400 ? `${line.slice(0, 400)}…` : line;
}

/** A syntax error's "Expected one of: …" list (often 40+ tokens) cut to its first few, on one line. */
function shortExpected(message: string): string {
  return message
    .replace(/\s*\n\s*/g, ' ')
    .replace(/(Expected one of: )([^.]*)/, (_, head: string, list: string) => {
      const items = list.split(', ');
      return `${head}${items.slice(0, 5).join(', ')}${items.length > 5 ? ` (+${items.length - 5} more)` : ''}`;
    })
    .trim();
}
