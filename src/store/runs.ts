import crypto from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { UserError } from '../errors.js';
import { insertRows } from './insert.js';

export type RunStatus = 'running' | 'done' | 'failed' | 'interrupted';

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

export function redactOptions(options: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) {
    if (v === undefined || typeof v === 'function') continue;
    out[k] = SECRET_OPTION.test(k) ? '***' : k === 'clickhouse' && typeof v === 'string' ? v.replace(/\/\/[^@/]*@/, '//***@') : v;
  }
  return out;
}

/** Sortable, short, unique: UTC timestamp + random suffix (e.g. 20261125-221530-a1b2c3). */
export function newRunId(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return `${stamp}-${crypto.randomBytes(3).toString('hex')}`;
}

const iso = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '');

export class Runs {
  constructor(private readonly client: ClickHouseClient) {}

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

  private async write(rec: RunRecord): Promise<void> {
    await insertRows(this.client, 'runs', [{
        run_id: rec.run_id,
        command: rec.command,
        sources: rec.sources,
        options: JSON.stringify(rec.options),
        started_at: iso(new Date(rec.started_at)),
        finished_at: rec.finished_at ? iso(new Date(rec.finished_at)) : null,
        status: rec.status,
        summary: JSON.stringify(rec.summary),
        updated_at: iso(new Date()),
      }]);
  }

  async list(limit = 50): Promise<RunRecord[]> {
    const rs = await this.client.query({
      query: `SELECT * FROM runs FINAL ORDER BY started_at DESC LIMIT {limit:UInt32}`,
      query_params: { limit },
      format: 'JSONEachRow',
    });
    return (await rs.json<Record<string, string>>()).map(toRecord);
  }

  async get(runId: string): Promise<RunRecord> {
    const rs = await this.client.query({
      query: `SELECT * FROM runs FINAL WHERE run_id = {id:String}`,
      query_params: { id: runId },
      format: 'JSONEachRow',
    });
    const rows = await rs.json<Record<string, string>>();
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
