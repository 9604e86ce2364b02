/**
 * Stripe v2 meter event session: an API-key call returns a short-lived token for the stream.
 * One token is shared by all requests, renewed shortly before it expires or when the stream
 * answers 401 billing_meter_event_session_expired; concurrent callers share one renewal.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { HttpSender } from './sender.js';
import { judge, reasonOf, retryDelayMs, type RetryPolicy } from './retry.js';

export class SessionError extends Error {}

export class StreamSession {
  private token: string | undefined;
  private renewAt = 0;
  private creating: Promise<string> | undefined;
  /** Session creations, successful or not (attempts). */
  requests = 0;

  constructor(
    private readonly sender: HttpSender,
    private readonly url: URL,
    private readonly headers: Record<string, string>,
    private readonly policy: RetryPolicy,
    private readonly signal?: AbortSignal,
  ) {}

  async get(): Promise<string> {
    if (this.token && Date.now() < this.renewAt) return this.token;
    this.creating ??= this.create().finally(() => (this.creating = undefined));
    return this.creating;
  }

  /** The stream said this token expired: forget it unless a newer one already replaced it. */
  expire(token: string | undefined): void {
    if (token !== undefined && token === this.token) this.token = undefined;
  }

  private async create(): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      this.requests++;
      const a = await this.sender.post(this.url, { 'content-type': 'application/json', ...this.headers }, '{}', true);
      if (a.status >= 200 && a.status < 300) {
        let body: { authentication_token?: unknown; expires_at?: unknown; created?: unknown };
        try {
          body = JSON.parse(a.text);
        } catch {
          throw new SessionError('meter event session: the answer is not JSON');
        }
        if (typeof body.authentication_token !== 'string') throw new SessionError('meter event session: no authentication_token in the answer');
        const now = Date.now();
        const expires = typeof body.expires_at === 'string' ? Date.parse(body.expires_at) : now + 15 * 60_000;
        const created = typeof body.created === 'string' ? Date.parse(body.created) : now;
        const ttl = Math.max(0, (Number.isNaN(expires) ? now + 900_000 : expires) - (Number.isNaN(created) ? now : created));
        // Renew with a margin: 30 s, or a tenth of a short lifetime.
        this.renewAt = now + Math.max(0, ttl - Math.min(30_000, ttl / 10));
        this.token = body.authentication_token;
        return this.token;
      }
      const v = judge(a, 'stripe-v1');
      if (v.kind !== 'retry' || attempt > this.policy.retries || this.signal?.aborted) {
        throw new SessionError(`meter event session: ${reasonOf(a)}`);
      }
      try {
        await sleep(retryDelayMs(attempt, v.retryAfterMs, this.policy), undefined, { signal: this.signal });
      } catch {
        throw new SessionError('meter event session: interrupted');
      }
    }
  }
}
