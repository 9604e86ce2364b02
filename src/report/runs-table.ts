/** The `meterscope runs` listing (one row per stored run, newest first) and what `runs rm` / `prune` say. */
import { DEFAULT_WIDTH, safe, wrap, type TextLayout } from './terminal-parts.js';
import { table } from './text-table.js';
import { formatBytes } from '../profile/progress.js';
import { int, plural } from './format.js';

/** What the listing shows of a stored run (the fields of the store's run records it reads). */
export interface RunRow {
  run_id: string;
  command: string;
  status: string;
  started_at: string;
  summary: Record<string, unknown>;
  sources: string[];
  /** Disk bytes of the run's rows (estimated from system.parts), when known. */
  bytes?: number;
}

/**
 * `storeLabel` names the store in the message for an empty one; `diskBytes` is the whole store's size
 * on disk. The run id starts with its start time (UTC): the started column is the first to go.
 */
export function renderRunsTable(runs: RunRow[], storeLabel: string, diskBytes?: number, layout: TextLayout = { width: DEFAULT_WIDTH }): string {
  if (runs.length === 0) return `no runs yet in ${storeLabel}\n`;
  const sized = runs.some((r) => r.bytes !== undefined);
  const t = table(
    [
      { head: 'run id' },
      { head: 'command' },
      { head: 'status' },
      { head: 'started (UTC)', drop: 1 },
      { head: 'events', align: 'right' },
      ...(sized ? [{ head: 'size', align: 'right' as const }] : []),
      { head: 'sources', shrink: 'cut', min: 12, max: 60 },
    ],
    { rules: 'grid' },
  );
  for (const r of runs) {
    const { events, sample } = r.summary as { events?: number; sample?: string };
    t.push([
      r.run_id,
      sample ? `${r.command} (${sample} sample)` : r.command,
      r.status,
      r.started_at.replace('T', ' ').slice(0, 19),
      typeof events === 'number' ? int(events) : '',
      ...(sized ? [r.bytes === undefined ? '' : formatBytes(r.bytes)] : []),
      safe(r.sources.map((s) => s.split('/').pop()).join(', '), 200),
    ]);
  }
  const notes = sized
    ? [`size: the run's rows on disk, estimated from system.parts`, ...(diskBytes !== undefined ? [`store: ${formatBytes(diskBytes)} on disk (${storeLabel})`] : [])]
    : [];
  return `${t.render(layout.width)}\n${notes.map((n) => `${wrap(n, layout.width, 0, 2)}\n`).join('')}`;
}

/** A removed (or, with `dryRun`, removable) run as `runs rm` / `prune` list it. */
export interface RemovedRun {
  run_id: string;
  command: string;
  status: string;
  started_at: string;
  bytes?: number;
}

export interface RemovalSummary {
  runs: RemovedRun[];
  dryRun: boolean;
  /** Rows deleted per table. */
  rows?: Record<string, number>;
  /** Store size on disk before and after. */
  before?: number;
  after?: number;
  /** False when the store frees the space later (a server), so `after` does not show it yet. */
  spaceFreed?: boolean;
  /** Runs a prune left because they are still running. */
  running?: number;
}

export function renderRemoval(s: RemovalSummary, layout: TextLayout = { width: DEFAULT_WIDTH }): string {
  const out: string[] = [];
  if (s.runs.length === 0) out.push('no runs to remove');
  else {
    const t = table([{ head: 'run id' }, { head: 'command' }, { head: 'status' }, { head: 'started (UTC)', drop: 1 }, { head: 'size', align: 'right' }], {
      rules: 'bare',
    });
    for (const r of s.runs) t.push([r.run_id, r.command, r.status, r.started_at.replace('T', ' ').slice(0, 19), r.bytes === undefined ? '' : formatBytes(r.bytes)]);
    out.push(t.render(layout.width));
    if (s.dryRun) out.push(`would remove ${plural(s.runs.length, 'run')} (dry run: nothing removed)`);
    else {
      const rows = Object.values(s.rows ?? {}).reduce((a, b) => a + b, 0);
      const tables = Object.keys(s.rows ?? {}).length;
      out.push(`removed ${plural(s.runs.length, 'run')}: ${int(rows)} rows from ${plural(tables, 'table')}`);
    }
  }
  if (s.running) out.push(`kept ${plural(s.running, 'run')} still running`);
  if (s.spaceFreed === false && !s.dryRun && s.runs.length) {
    out.push('the server frees the disk space itself, in the background (old_parts_lifetime: 8 minutes by default)');
  } else if (s.runs.length && !s.dryRun && s.before !== undefined && s.after !== undefined) out.push(`store on disk: ${formatBytes(s.before)} → ${formatBytes(s.after)}`);
  return `${out.join('\n')}\n`;
}
