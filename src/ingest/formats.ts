/** The input formats meterscope reads (README.md, "Inputs"). */
export const FORMATS = ['stripe-json', 'stripe-v1-form', 'stripe-v2-stream', 'metronome', 'cloudevents', 'csv', 'json'] as const;

export type FormatName = (typeof FORMATS)[number];

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
