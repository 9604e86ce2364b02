/**
 * Identifiers seen within a rolling window (Stripe: 24 h per identifier; Metronome: 34 days per
 * transaction_id). Memory grows with distinct identifiers (~100 bytes each); expired entries are
 * dropped as they are met, and swept when the map grows.
 */
export class IdentifierWindow {
  private readonly seen = new Map<string, number>();
  private nextSweep = 1 << 20;

  constructor(private readonly windowMs: number) {}

  has(id: string, now: number): boolean {
    const at = this.seen.get(id);
    if (at === undefined) return false;
    if (now - at > this.windowMs) {
      this.seen.delete(id);
      return false;
    }
    return true;
  }

  add(id: string, now: number): void {
    this.seen.set(id, now);
    if (this.seen.size >= this.nextSweep) {
      for (const [k, at] of this.seen) if (now - at > this.windowMs) this.seen.delete(k);
      this.nextSweep = Math.max(1 << 20, this.seen.size * 2);
    }
  }

  get size(): number {
    return this.seen.size;
  }
}
