/** The `meterscope runs` listing: one row per stored run, newest first. */
import { table as textTable } from './terminal-parts.js';

/** What the listing shows of a stored run (the fields of the store's run records it reads). */
export interface RunRow {
  run_id: string;
  command: string;
  status: string;
  started_at: string;
  summary: Record<string, unknown>;
  sources: string[];
}

/** `storeLabel` names the store in the message for an empty one. */
export function renderRunsTable(runs: RunRow[], storeLabel: string): string {
  if (runs.length === 0) return `no runs yet in ${storeLabel}\n`;
  const table = textTable(['run id', 'command', 'status', 'started (UTC)', 'events', 'sources'], { rules: 'grid' });
  for (const r of runs) {
    table.push([
      r.run_id,
      r.command,
      r.status,
      r.started_at.replace('T', ' ').slice(0, 19),
      String((r.summary as { events?: number }).events ?? ''),
      r.sources.map((s) => s.split('/').pop()).join(', ').slice(0, 40),
    ]);
  }
  return `${table.toString()}\n`;
}
