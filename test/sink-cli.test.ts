/** The `meterscope sink` command (built CLI): serves, records, stops cleanly on SIGTERM; bad flags are one sentence. */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { request } from 'undici';
import { CLI, runCli, tempDir } from './support/helpers.js';

describe('meterscope sink (CLI)', () => {
  it('listens on a free port, records accepted events, prints a summary on SIGTERM', async () => {
    const record = path.join(tempDir(), 'rec.jsonl');
    const child = spawn(process.execPath, [CLI, 'sink', '--port', '0', '--record', record, '--metronome-token', 'tok-cli'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', () => {
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m) resolve(m[1]);
        });
        child.on('close', () => reject(new Error(`sink exited early: ${out}`)));
      });
      const body = JSON.stringify([{ transaction_id: 'cli-1', customer_id: 'c', event_type: 'e', timestamp: new Date().toISOString(), properties: { a: '1' } }]);
      const ok = await request(`${url}/v1/ingest`, { method: 'POST', body, headers: { authorization: 'Bearer tok-cli', 'content-type': 'application/json' } });
      expect(ok.statusCode).toBe(200);
      await ok.body.dump();
      const denied = await request(`${url}/v1/ingest`, { method: 'POST', body, headers: { authorization: 'Bearer nope', 'content-type': 'application/json' } });
      expect(denied.statusCode).toBe(401);
      await denied.body.dump();
      const stats = (await (await request(`${url}/_sink/stats`)).body.json()) as { routes: { metronome: { by_status: Record<string, number> } } };
      expect(stats.routes.metronome.by_status).toEqual({ 200: 1, 401: 1 });
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      clearTimeout(kill);
    }
    expect(out).toContain('sink stopped; 1 event accepted');
    expect(out).not.toContain('tok-cli');
    const lines = fs.readFileSync(record, 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).transaction_id)).toEqual(['cli-1']);
  });

  it('rejects bad flags with one sentence', async () => {
    const r = await runCli(['sink', '--fail-rate', '2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--fail-rate must be a fraction between 0 and 1/);
    const r2 = await runCli(['sink', '--rate-limit', 'stripe=5']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/--rate-limit must look like NAME=PER_SECOND/);
  });
});
