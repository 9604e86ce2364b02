import type { ClickHouseClient } from '@clickhouse/client';
import type { ProfileReport } from './model.js';
import { isoSql } from './sql.js';

/** Volume and reject figures for a run. */
export async function computeVolume(client: ClickHouseClient, runId: string): Promise<Pick<ProfileReport, 'events' | 'rejects'>> {
  const q = async <T>(query: string) =>
    (await client.query({ query, query_params: { run: runId }, format: 'JSONEachRow' })).json<T>();
  const [v] = await q<{ total: string; first: string | null; last: string | null }>(
    `SELECT count() AS total,
            if(total = 0, NULL, ${isoSql('min(event_time)')}) AS first,
            if(total = 0, NULL, ${isoSql('max(event_time)')}) AS last
     FROM events WHERE run_id = {run:String}`,
  );
  const byReason = await q<{ reason: string; count: string }>(
    `SELECT replaceRegexpOne(reason, ':.*$', '') AS reason, count() AS count FROM rejects WHERE run_id = {run:String}
     GROUP BY reason ORDER BY count DESC, reason`,
  );
  const examples = await q<{ source: string; line: string; reason: string; raw: string }>(
    `SELECT source, line, reason, substring(raw, 1, 200) AS raw FROM rejects WHERE run_id = {run:String}
     ORDER BY source, line, seq LIMIT 5`,
  );
  const rejected = byReason.reduce((s, r) => s + Number(r.count), 0);
  return {
    events: { total: Number(v.total), rejected, first: v.first, last: v.last },
    rejects: {
      total: rejected,
      byReason: byReason.map((r) => ({ reason: r.reason, count: Number(r.count) })),
      examples: examples.map((e) => ({ source: e.source, line: Number(e.line), reason: e.reason, raw: e.raw })),
    },
  };
}
