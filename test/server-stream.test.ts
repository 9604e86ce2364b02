/**
 * The streamed INSERT of server mode (one request whose body is read from the input while it is
 * sent) against a scripted HTTP server on loopback: Ctrl-C names the running insert to the server
 * (KILL QUERY) and stops reading the input; a server that stops taking the body times out in one
 * sentence; a failing input fails the insert with its own error.
 */
import http from 'node:http';
import type net from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ServerStore } from '../src/store/server.js';
import { UserError } from '../src/errors.js';

interface Seen {
  insertId?: string;
  insertBytes: number;
  killed: string[];
}

type InsertBehaviour = (req: http.IncomingMessage, res: http.ServerResponse, seen: Seen) => void;

const servers: http.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});

/** Answers ping and CREATE DATABASE, records KILL QUERY ids, and hands inserts to `onInsert`. */
async function scripted(onInsert: InsertBehaviour): Promise<{ url: string; seen: Seen; afterKill: Promise<void> }> {
  const seen: Seen = { insertBytes: 0, killed: [] };
  let killedNow: () => void = () => {};
  const afterKill = new Promise<void>((r) => (killedNow = r));
  const srv = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/ping') {
      res.end('Ok.\n');
      return;
    }
    if (/^INSERT INTO/.test(url.searchParams.get('query') ?? '')) {
      seen.insertId = url.searchParams.get('query_id') ?? undefined;
      onInsert(req, res, seen);
      return;
    }
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (/^KILL QUERY/.test(body)) {
        seen.killed.push(...(JSON.parse((url.searchParams.get('param_ids') ?? '[]').replace(/'/g, '"')) as string[]));
        killedNow();
      }
      res.end('');
    });
  });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(srv.address() as net.AddressInfo).port}`, seen, afterKill };
}

/** Endless TSV rows, as the line splitter makes them; `pulled` counts the rows read from it. */
function endlessRows(): { rows: Readable; pulled: () => number } {
  let n = 0;
  const rows = new Readable({
    read() {
      for (let i = 0; i < 1000; i++) this.push(`${++n}\t{"identifier":"e${n}","padding":"${'x'.repeat(200)}"}\n`);
    },
  });
  return { rows, pulled: () => n };
}

const open = (url: string, timeoutS = 30) => ServerStore.open({ url, database: 'streamtest', connectTimeoutS: 5, timeoutS });

async function until(cond: () => boolean, maxMs = 30_000): Promise<void> {
  for (let waited = 0; !cond(); waited += 20) {
    if (waited > maxMs) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a streamed insert to a ClickHouse server', () => {
  it('is killed by its query id on Ctrl-C, and the input is no longer read', async () => {
    // Reads the body; once killed, answers as ClickHouse does for a cancelled query.
    const server = await scripted((req, res, seen) => {
      req.on('data', (d: Buffer) => (seen.insertBytes += d.length));
      void killed.then(() => {
        res.writeHead(500, { 'X-ClickHouse-Exception-Code': '394' });
        res.end('Code: 394. DB::Exception: Query was cancelled. (QUERY_WAS_CANCELLED)\n');
      });
    });
    const killed = server.afterKill;
    const store = await open(server.url);
    const { rows, pulled } = endlessRows();
    const insert = store.insertTsvStream('staging_x', 'line UInt64, raw String', rows);
    insert.catch(() => {});
    // Several MiB have reached the server while the input is still being read: the body streams.
    await until(() => server.seen.insertBytes > 4 << 20);
    await store.cancelRunning();
    expect(server.seen.killed).toEqual([server.seen.insertId]);
    await expect(insert).rejects.toThrow(/Query was cancelled/);
    const stoppedAt = pulled();
    await new Promise((r) => setTimeout(r, 200));
    expect(pulled()).toBe(stoppedAt);
    expect(rows.destroyed).toBe(true);
    await store.close();
  });

  it('times out in one sentence when the server stops taking the body', async () => {
    // Takes 1 MiB of the body, then neither reads nor answers.
    const server = await scripted((req, _res, seen) => {
      req.on('data', (d: Buffer) => {
        seen.insertBytes += d.length;
        if (seen.insertBytes > 1 << 20) req.pause();
      });
    });
    const store = await open(server.url, 1);
    const { rows } = endlessRows();
    const err = await store.insertTsvStream('staging_x', 'line UInt64, raw String', rows).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toBe(`ClickHouse at ${server.url} did not answer within 1 s (--ch-timeout / CLICKHOUSE_TIMEOUT)`);
    await store.close();
  });

  it("fails with the input's own error when the input fails mid-stream", async () => {
    const server = await scripted((req, res, seen) => {
      req.on('data', (d: Buffer) => (seen.insertBytes += d.length));
      req.on('error', () => res.destroy());
    });
    const store = await open(server.url);
    let n = 0;
    const rows = new Readable({
      read() {
        if (++n > 50) this.destroy(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' }));
        else this.push(`${n}\t${'y'.repeat(100_000)}\n`);
      },
    });
    await expect(store.insertTsvStream('staging_x', 'line UInt64, raw String', rows)).rejects.toThrow('EIO: i/o error, read');
    await store.close();
  });
});
