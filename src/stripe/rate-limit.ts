/**
 * Spaces request starts at least 1/rate seconds apart, whatever the concurrency, so a reconcile
 * stays well inside Stripe's read limits (documented per account, shared with the user's own
 * traffic) instead of finding them by 429s.
 */
export class RateLimiter {
  private next = 0;
  readonly intervalMs: number;

  constructor(
    perSecond: number,
    private readonly sleep: (ms: number) => Promise<void> = delay,
    private readonly now: () => number = Date.now,
  ) {
    if (!(perSecond > 0)) throw new Error('rate must be positive');
    this.intervalMs = 1000 / perSecond;
  }

  /** Resolves when the caller may start its request. */
  async take(): Promise<void> {
    const now = this.now();
    const at = Math.max(now, this.next);
    this.next = at + this.intervalMs;
    if (at > now) await this.sleep(at - now);
  }
}

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
