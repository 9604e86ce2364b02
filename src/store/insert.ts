/**
 * Row inserts that work on both backends. Embedded chDB rejects inline insert bodies when the
 * process's stdin is piped ("external data"), so there rows travel as a query parameter read by
 * format(); a server gets the client's normal JSONEachRow insert.
 */
import type { ClickHouseClient } from '@clickhouse/client';

const structures = new WeakMap<ClickHouseClient, Map<string, Map<string, string>>>();

async function columnTypes(client: ClickHouseClient, table: string): Promise<Map<string, string>> {
  let perClient = structures.get(client);
  if (!perClient) structures.set(client, (perClient = new Map()));
  let cols = perClient.get(table);
  if (!cols) {
    const rs = await client.query({ query: `DESCRIBE TABLE ${table}`, format: 'JSONEachRow' });
    cols = new Map((await rs.json<{ name: string; type: string }>()).map((c) => [c.name, c.type]));
    perClient.set(table, cols);
  }
  return cols;
}

/** True for the embedded engine (it has no HTTP endpoint). */
export function isEmbedded(client: ClickHouseClient): boolean {
  // The chDB connection names itself; the HTTP client has no such property.
  const conn = (client as unknown as { connection?: { connectionName?: string } }).connection;
  return conn?.connectionName === 'chdb';
}

/**
 * Inserts plain-object rows into `table` (a trusted identifier). Columns absent from the rows
 * take their DEFAULT expressions.
 */
export async function insertRows(client: ClickHouseClient, table: string, rows: Record<string, unknown>[]): Promise<void> {
  if (rows.length === 0) return;
  if (!isEmbedded(client)) {
    await client.insert({ table, values: rows, format: 'JSONEachRow' });
    return;
  }
  const types = await columnTypes(client, table);
  const names = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((k) => types.has(k));
  const structure = names.map((n) => `\`${n}\` ${types.get(n)}`).join(', ');
  const cols = names.map((n) => `\`${n}\``).join(', ');
  await client.command({
    query: `INSERT INTO ${table} (${cols}) SELECT ${cols} FROM format(JSONEachRow, {structure:String}, {data:String})`,
    query_params: { structure, data: rows.map((r) => JSON.stringify(r)).join('\n') },
  });
}
