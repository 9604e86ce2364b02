import crypto from 'node:crypto';
import os from 'node:os';
import { Interrupted, UserError } from '../errors.js';
import type { Store } from './store.js';

/**
 * 'interrupted': stopped by a signal; 'abandoned': its process vanished while it ran (found at the
 * next open; see abandoned.ts). Neither is a complete run.
 */
export type RunStatus = 'running' | 'done' | 'failed' | 'interrupted' | 'abandoned';

export interface RunRecord {
  run_id: string;
  command: string;
  sources: string[];
  options: Record<string, unknown>;
  started_at: string;
  finished_at: string | null;
  status: RunStatus;
  summary: Record<string, unknown>;
}

/** Option names whose values are never stored or printed. */
const SECRET_OPTION = /(password|secret|token|api[-_]?key|authorization|header)/i;

function redactOptions(options: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) {
    if (v === undefined || typeof v === 'function') continue;
    out[k] = SECRET_OPTION.test(k) ? '***' : k === 'clickhouse' && typeof v === 'string' ? v.replace(/\/\/[^@/]*@/, '//***@') : v;
  }
  return out;
}

/** Sortable, short, unique: UTC timestamp + random suffix (e.g. 20261125-221530-a1b2c3). */
function newRunId(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return `${stamp}-${crypto.randomBytes(3).toString('hex')}`;
}

const iso = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '');

export class Runs {
  constructor(private readonly store: Store) {}

  async create(command: string, sources: string[], options: Record<string, unknown>, runId = newRunId()): Promise<RunRecord> {
    const rec: RunRecord = {
      run_id: runId,
      command,
      sources,
      options: redactOptions(options),
      started_at: new Date().toISOString(),
      finished_at: null,
      status: 'running',
      summary: {},
    };
    await this.write(rec);
    return rec;
  }

  async finish(rec: RunRecord, status: RunStatus, summary: Record<string, unknown>): Promise<RunRecord> {
    const done = { ...rec, status, summary, finished_at: new Date().toISOString() };
    await this.write(done);
    return done;
  }

  /**
   * Runs `work` as the body of run `rec` and records how it ended: 'done' with the summary it
   * returns, 'interrupted' when it throws Interrupted, 'failed' (with the error's sentence) otherwise.
   * The one place a run's status is decided: commands and engines never write it themselves.
   */
  async track<T>(rec: RunRecord, work: () => Promise<{ value: T; summary: Record<string, unknown>; status?: RunStatus }>): Promise<T> {
    let outcome: { value: T; summary: Record<string, unknown>; status?: RunStatus };
    try {
      outcome = await work();
    } catch (err) {
      const interrupted = err instanceof Interrupted;
      await this.finish(rec, interrupted ? 'interrupted' : 'failed', { error: (err as Error).message }).catch(() => {});
      throw err;
    }
    await this.finish(rec, outcome.status ?? 'done', outcome.summary);
    return outcome.value;
  }

  private async write(rec: RunRecord): Promise<void> {
    await this.store.insertRows('runs', [
      {
        run_id: rec.run_id,
        command: rec.command,
        sources: rec.sources,
        options: JSON.stringify(rec.options),
        started_at: iso(new Date(rec.started_at)),
        finished_at: rec.finished_at ? iso(new Date(rec.finished_at)) : null,
        status: rec.status,
        summary: JSON.stringify(rec.summary),
        updated_at: iso(new Date()),
        // The process that writes the row owns the run (a resumed tail takes it over).
        pid: process.pid,
        host: os.hostname(),
      },
    ]);
  }

  /**
   * A run whose results can be used: 'done'. Anything else (running, interrupted, abandoned, failed)
   * is refused with one sentence unless `allowIncomplete` (--allow-incomplete).
   */
  async getComplete(runId: string, allowIncomplete = false): Promise<RunRecord> {
    const rec = await this.get(runId);
    if (rec.status === 'done' || allowIncomplete) return rec;
    const why: Record<Exclude<RunStatus, 'done'>, string> = {
      running: 'still running, or its process has not been seen to end',
      interrupted: 'stopped by a signal before it finished',
      abandoned: 'its process ended without finishing',
      failed: `it failed${typeof rec.summary.error === 'string' ? `: ${rec.summary.error}` : ''}`,
    };
    throw new UserError(`run ${runId} is ${rec.status} (${why[rec.status]}); its results are partial or gone: add --allow-incomplete to use it anyway`);
  }

  async list(limit = 50): Promise<RunRecord[]> {
    const rows = await this.store.select<Record<string, string>>(`SELECT * FROM runs FINAL ORDER BY started_at DESC LIMIT {limit:UInt32}`, { limit });
    return rows.map(toRecord);
  }

  async get(runId: string): Promise<RunRecord> {
    const rows = await this.store.select<Record<string, string>>(`SELECT * FROM runs FINAL WHERE run_id = {id:String}`, { id: runId });
    if (rows.length === 0) throw new UserError(`no run with id ${runId} in this store (see: meterscope runs)`);
    return toRecord(rows[0]);
  }
}

function toRecord(r: Record<string, unknown>): RunRecord {
  const when = (v: unknown) => (v ? new Date(String(v).replace(' ', 'T') + 'Z').toISOString() : null);
  return {
    run_id: String(r.run_id),
    command: String(r.command),
    sources: r.sources as string[],
    options: JSON.parse(String(r.options || '{}')),
    started_at: when(r.started_at)!,
    finished_at: when(r.finished_at),
    status: r.status as RunStatus,
    summary: JSON.parse(String(r.summary || '{}')),
  };
}
