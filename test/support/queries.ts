/**
 * Checks for query builders (pure functions returning a Query), shared by the unit tests beside the
 * code: which parameters the text uses, that each is bound, that untrusted strings travel only as
 * parameters; and a Store that records what it is asked and answers from a script, so the code
 * around a query runs without a database.
 */
import { expect } from 'vitest';
import { toQuery, type Params, type Query } from '../../src/store/sql.js';
import type { Store } from '../../src/store/store.js';
import { SINGLE_NODE } from '../../src/store/layout.js';

/** A string no builder may ever put into SQL text: quotes, a comment, a statement, a placeholder. */
export const HOSTILE = "x'); DROP TABLE events; -- \\' {run:String} `";

/** Placeholders in SQL text, name -> ClickHouse type ({run:String} -> run: String). */
export function placeholders(sql: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of sql.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*):([^{}]+)\}/g)) {
    const seen = out.get(m[1]);
    if (seen !== undefined && seen !== m[2]) throw new Error(`placeholder ${m[1]} used as ${seen} and ${m[2]}`);
    out.set(m[1], m[2]);
  }
  return out;
}

/** Every placeholder of the text has a bound value (undefined would reach the engine as a missing parameter). */
export function expectAllBound(q: Query): void {
  for (const name of placeholders(q.sql).keys()) {
    expect(q.params, `placeholder {${name}} has no value`).toHaveProperty(name);
    expect(q.params[name], `placeholder {${name}} is undefined`).not.toBeUndefined();
  }
}

/** Every string found anywhere in a parameter value (arrays, maps as objects: keys and values). */
function stringsIn(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(stringsIn);
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => [k, ...stringsIn(x)]);
  return [];
}

/** `value` is bound as (part of) a parameter and appears nowhere in the SQL text. */
export function expectOnlyBound(q: Query, value: string): void {
  expect(q.sql.includes(value), `"${value}" inlined into SQL`).toBe(false);
  expect(stringsIn(Object.values(q.params)), `"${value}" not among the parameters`).toContain(value);
}

/** The text with whitespace runs collapsed (pins shape without pinning indentation). */
export const flat = (sql: string) => sql.replace(/\s+/g, ' ').trim();

export interface Recorded {
  kind: 'select' | 'exec' | 'insertRows';
  query?: Query;
  table?: string;
  rows?: Record<string, unknown>[];
}

/**
 * A Store that records every call and answers select() with `answer(query, n)` (n = 0-based index of the
 * select); the other methods do nothing. Only what the code under test uses is meaningful.
 */
export function recordingStore(answer: (q: Query, n: number) => unknown[] = () => []): { store: Store; calls: Recorded[] } {
  const calls: Recorded[] = [];
  let selects = 0;
  const store: Store = {
    label: 'recording',
    capabilities: { readsLocalFiles: false, pausesMerges: false, readsObjectStorage: false, readsUrls: false, isCluster: false },
    layout: SINGLE_NODE,
    async select<T>(query: string | Query, params?: Params) {
      const q = toQuery(query, params);
      calls.push({ kind: 'select', query: q });
      return answer(q, selects++) as T[];
    },
    async exec(query: string | Query, params?: Params) {
      calls.push({ kind: 'exec', query: toQuery(query, params) });
    },
    async insertRows(table: string, rows: Record<string, unknown>[]) {
      calls.push({ kind: 'insertRows', table, rows });
    },
    async insertTsv() {},
    async insertTsvStream() {},
    async stream() {
      throw new Error('recordingStore does not stream');
    },
    async runStatement() {
      throw new Error('recordingStore does not stream');
    },
    async diskBytes() {
      return 0;
    },
    async reclaimSpace() {
      return false;
    },
    async pauseMerges() {},
    async resumeMerges() {},
    async cancelRunning() {},
    async close() {},
  };
  return { store, calls };
}
