/** SQL values and helpers shared by every query builder: parameters are always bound, never inlined. */

export type Params = Record<string, unknown>;

/** A query as a value: its text and the parameters it binds (what builders return and tests pin). */
export interface Query {
  sql: string;
  params: Params;
}

/** Collects query parameters so untrusted strings never enter SQL text. */
export class SqlParams {
  readonly values: Record<string, unknown> = {};
  private n = 0;

  /** Returns a placeholder like {p3:String} bound to `value`. */
  add(value: unknown, type = 'String'): string {
    const name = `p${this.n++}`;
    this.values[name] = value;
    return `{${name}:${type}}`;
  }
}

/** Normalizes the (query | text, params) pair every Store method takes. */
export function toQuery(query: string | Query, params: Params = {}): Query {
  return typeof query === 'string' ? { sql: query, params } : { sql: query.sql, params: { ...query.params, ...params } };
}

/** DateTime64 expression -> ISO 8601 text with milliseconds and Z ('2024-01-01T00:00:00.000Z'). */
export const isoSql = (t: string) => `concat(replaceOne(toString(${t}, 'UTC'), ' ', 'T'), 'Z')`;

/** A number from a JSON row value (UInt64 arrives quoted); null/undefined -> 0. */
export const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

/** Like num() but keeps null (Nullable columns, NaN from empty aggregates). */
export const numOrNull = (v: unknown): number | null => {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
};

/** Unix seconds -> ISO 8601 with milliseconds. */
export const isoOfSecond = (s: number): string => new Date(s * 1000).toISOString();
