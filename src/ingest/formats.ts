/** The input formats meterscope reads (see DESIGN.md, "Event formats to accept"). */
export const FORMATS = [
  'stripe-json',
  'stripe-v1-form',
  'stripe-v2-stream',
  'metronome',
  'cloudevents',
  'csv',
  'json',
] as const;

export type FormatName = (typeof FORMATS)[number];

export const FORMAT_DESCRIPTIONS: Record<FormatName, string> = {
  'stripe-json': 'Stripe meter event objects, one per line or in arrays (S3 connector / API shape; timestamp in unix seconds)',
  'stripe-v1-form': 'Stripe v1 request log: form-encoded bodies event_name=…&payload[value]=…',
  'stripe-v2-stream': 'Stripe v2 Meter Event Stream request bodies {"events":[…]} (RFC 3339 timestamps)',
  metronome: 'Metronome ingest events {transaction_id, customer_id, event_type, timestamp, properties}, arrays or one per line',
  cloudevents: 'CloudEvents / OpenMeter {specversion, id, source, type, subject, time, data}',
  csv: 'CSV with a header row (columns mapped by name; flags override)',
  json: 'generic JSON lines, fields mapped by --timestamp-field, --event-field, … (common names guessed)',
};

export function isFormat(s: string): s is FormatName {
  return (FORMATS as readonly string[]).includes(s);
}

/** How payload fields map onto the normalized columns. */
export interface FieldMapping {
  /** Payload key holding the customer (Stripe meter's customer mapping). Default stripe_customer_id. */
  customerKey: string;
  /** Payload key holding the numeric value (Stripe meter's value settings). Default value. */
  valueKey: string;
  /** Generic JSON / CSV: dotted paths or column names; unset means "guess a common name". */
  timestampField?: string;
  eventField?: string;
  customerField?: string;
  idField?: string;
  propertiesField?: string;
  /** Event name to use when the input has none (generic formats only). */
  eventName?: string;
}

export const DEFAULT_MAPPING: FieldMapping = { customerKey: 'stripe_customer_id', valueKey: 'value' };
