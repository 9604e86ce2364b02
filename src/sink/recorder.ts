/**
 * Writes every accepted event as one JSON line in a single normalized shape for both API
 * families: the Metronome ingest shape (transaction_id, customer_id, event_type, RFC 3339
 * timestamp, properties), plus `api` and `received_at`. `meterscope profile` reads it as the
 * `metronome` format; Stripe payloads keep every key (stripe_customer_id included) in properties,
 * so profiling a Stripe replay gives the same property keys as profiling the original log.
 */
import fs from 'node:fs';

export interface AcceptedEvent {
  api: 'stripe-v1' | 'stripe-v2-stream' | 'metronome' | 'raw';
  identifier: string;
  customer: string;
  eventName: string;
  /** Event time, ms since the epoch. */
  timestamp: number;
  properties: Record<string, unknown>;
  receivedAt: number;
}

function recordLine(e: AcceptedEvent): string {
  return JSON.stringify({
    transaction_id: e.identifier,
    customer_id: e.customer,
    event_type: e.eventName,
    timestamp: new Date(e.timestamp).toISOString(),
    properties: e.properties,
    api: e.api,
    received_at: new Date(e.receivedAt).toISOString(),
  });
}

export class EventRecorder {
  private readonly out: fs.WriteStream;
  private pending: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private failed: Error | undefined;
  count = 0;

  constructor(readonly path: string) {
    this.out = fs.createWriteStream(path, { flags: 'w' });
    this.out.on('error', (e) => (this.failed = e));
  }

  write(events: AcceptedEvent[]): void {
    if (this.failed) throw this.failed;
    for (const e of events) this.pending.push(recordLine(e));
    this.count += events.length;
    // Coalesce small writes: one write per few ms instead of one per request.
    if (this.pending.length >= 4096) this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), 5);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    this.out.write(this.pending.join('\n') + '\n');
    this.pending = [];
  }

  close(): Promise<void> {
    this.flush();
    return new Promise((resolve, reject) => {
      if (this.failed) return reject(this.failed);
      this.out.end((err?: Error | null) => (err ? reject(err) : resolve()));
    });
  }
}
