/** The `meterscope runs` listing: one row per stored run, newest first. */
import { int } from './format.js';
import { DEFAULT_WIDTH, safe, type TextLayout } from './terminal-parts.js';
import { table } from './text-table.js';

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
export function renderRunsTable(runs: RunRow[], storeLabel: string, layout: TextLayout = { width: DEFAULT_WIDTH }): string {
  if (runs.length === 0) return `no runs yet in ${storeLabel}\n`;
  // The run id starts with its start time (UTC): the started column is the first to go.
  const t = table(
    [
      { head: 'run id' },
      { head: 'command' },
      { head: 'status' },
      { head: 'started (UTC)', drop: 1 },
      { head: 'events', align: 'right' },
      { head: 'sources', shrink: 'cut', min: 12, max: 60 },
    ],
    { rules: 'grid' },
  );
  for (const r of runs) {
    const events = (r.summary as { events?: number }).events;
    t.push([
      r.run_id,
      r.command,
      r.status,
      r.started_at.replace('T', ' ').slice(0, 19),
      typeof events === 'number' ? int(events) : '',
      safe(r.sources.map((s) => s.split('/').pop()).join(', '), 200),
    ]);
  }
  return `${t.render(layout.width)}\n`;
}
