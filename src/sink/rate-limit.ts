/** Token bucket per path: refills continuously, holds one second of budget (at least one batch). */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly capacity: number;

  constructor(
    private readonly perSecond: number,
    now: number,
    minCapacity = 1,
  ) {
    this.capacity = Math.max(perSecond, minCapacity);
    this.tokens = this.capacity;
    this.last = now;
  }

  /** Takes `cost` tokens; returns 0 when allowed, else the whole seconds to wait (for Retry-After). */
  take(now: number, cost = 1): number {
    if (this.perSecond <= 0) return 0;
    // A clock read before the bucket existed (or a step back) must not spend tokens.
    const elapsed = Math.max(0, now - this.last);
    this.tokens = Math.min(this.capacity, this.tokens + (elapsed / 1000) * this.perSecond);
    this.last = Math.max(this.last, now);
    if (this.tokens >= cost) {
      this.tokens -= cost;
      return 0;
    }
    return Math.max(1, Math.ceil((cost - this.tokens) / this.perSecond));
  }
}
