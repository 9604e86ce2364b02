/**
 * Stand-ins for remote inputs on loopback: s3rver (an S3 API emulator, in this process, which is
 * fine as long as the engine that reads from it runs in another process or asynchronously: a
 * synchronous chDB query here would block the emulator and read nothing), a plain HTTP server of
 * files, and a counting proxy in front of a ClickHouse HTTP endpoint.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';
import { tempDir } from './helpers.js';

/** s3rver checks the access key id (this one by default) and ignores the secret. */
export const S3RVER_KEY_ID = 'S3RVER';

export interface ObjectStore {
  endpoint: string;
  put(bucket: string, key: string, body: Buffer | string): Promise<void>;
  close(): Promise<void>;
}

export async function startObjectStore(buckets: string[]): Promise<ObjectStore> {
  const server = new S3rver({ port: 0, address: '127.0.0.1', directory: tempDir('s3rver-'), silent: true, configureBuckets: buckets.map((name) => ({ name })) });
  const { port } = (await server.run()) as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    async put(bucket, key, body) {
      const r = await fetch(`${endpoint}/${bucket}/${key}`, { method: 'PUT', body: typeof body === 'string' ? body : new Uint8Array(body) });
      if (!r.ok) throw new Error(`PUT ${key}: ${r.status}`);
    },
    close: () => server.close(),
  };
}

/** Serves the files of `dir` under /files/ (404 elsewhere); `requests` lists what was asked. */
export async function startFileServer(dir: string): Promise<{ url: string; requests: string[]; close: () => void }> {
  const requests: string[] = [];
  const srv = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const name = decodeURIComponent((req.url ?? '').split('?')[0].replace(/^\/files\//, ''));
    const file = path.join(dir, path.basename(name));
    if (!req.url?.startsWith('/files/') || !fs.existsSync(file)) {
      res.writeHead(404);
      res.end('not found');
      return;
    }
    const body = fs.readFileSync(file);
    res.writeHead(200, { 'content-length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, requests, close: () => srv.close() };
}

/** A proxy to `target` that keeps every request's URL and body, to see what a client sends. */
export async function startRecordingProxy(target: string): Promise<{ url: string; bodies: { url: string; body: Buffer }[]; close: () => void }> {
  const bodies: { url: string; body: Buffer }[] = [];
  const srv = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      bodies.push({ url: req.url ?? '', body });
      const headers = { ...req.headers, host: new URL(target).host, 'content-length': String(body.length) };
      delete headers['transfer-encoding'];
      const up = http.request(`${target}${req.url}`, { method: req.method, headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', (e) => {
        res.writeHead(502);
        res.end(String(e));
      });
      up.end(body);
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, bodies, close: () => srv.close() };
}
