/**
 * SQL over `events` as Stripe reads a meter event: the customer and the value come from the payload
 * keys the meter names (properties hold raw JSON text per key, strings keep their quotes).
 */
import { plain } from '../ingest/sql/expressions.js';

/** Formats whose events are Stripe meter events: only the payload can name the customer. */
const STRIPE_FORMATS = ['stripe-json', 'stripe-v1-form', 'stripe-v2-stream'];

/**
 * A decimal number, optionally signed, with an optional exponent: what Stripe accepts as a value
 * (it rejects anything else, so such events bill nothing).
 */
export const NUMERIC_RE = '^[-+]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][-+]?[0-9]+)?$';

/**
 * Columns derived for one meter, given SQL expressions for its customer key and value key:
 * m_customer (text, '' when missing), m_has_value, m_value_text, m_is_numeric, m_value (Float64, NULL unless numeric).
 * Other formats (Metronome, CloudEvents, CSV, generic JSON) may carry the customer outside the
 * payload; there the loaded customer column is used when the payload lacks the key.
 */
export function meterColumns(customerKey: string, valueKey: string): string {
  const craw = `properties[${customerKey}]`;
  const vraw = `properties[${valueKey}]`;
  const present = (raw: string, key: string) => `(mapContains(properties, ${key}) AND ${raw} NOT IN ('null', '""'))`;
  return `
    if(${present(craw, customerKey)}, trimBoth(${plain(craw)}),
       if(format IN (${STRIPE_FORMATS.map((f) => `'${f}'`).join(', ')}), '', customer)) AS m_customer,
    ${present(vraw, valueKey)} AS m_has_value,
    if(m_has_value, trimBoth(${plain(vraw)}), '') AS m_value_text,
    m_has_value AND match(m_value_text, '${NUMERIC_RE}') AS m_is_numeric,
    if(m_is_numeric, toFloat64OrNull(m_value_text), NULL) AS m_value`;
}
