/**
 * Builds the one INSERT that parses a line relation and feeds the ingest pipeline
 * (ingest_rows -> events / rejects, see store/schema/001-foundation.ts).
 */
import type { FieldMapping, FormatName } from '../formats.js';
import { SqlParams } from '../../store/sql.js';
import { parseTimestamp, plain, toMap } from './expressions.js';
import {
  CLOUDEVENTS_PATHS, METRONOME_PATHS, STRIPE_PATHS, csvParser, formParser, jsonParser,
  type CsvColumns, type JsonPaths,
} from './parsers.js';

export interface ParserChoice {
  format: FormatName;
  mapping: FieldMapping;
  /** Generic JSON: resolved paths (see detect.ts). */
  jsonPaths?: JsonPaths;
  /** CSV: resolved columns (see detect.ts). */
  csv?: CsvColumns;
}

/** Generic JSON / CSV: the field the customer is read from (dotted path or column), if one was found. */
export function customerFieldOf(choice: ParserChoice): string | undefined {
  if (choice.jsonPaths?.customer) return choice.jsonPaths.customer.join('.');
  if (choice.csv && choice.csv.customer >= 0) return choice.csv.header[choice.csv.customer];
  return undefined;
}

/**
 * @param rel SQL yielding (source String, line UInt64, raw String); may use placeholders from `params`.
 */
export function buildIngestQuery(runId: string, choice: ParserChoice, rel: string, params: SqlParams): string {
  const inner = parserFor(choice, rel, params);
  const runP = params.add(runId);
  const fmtP = params.add(choice.format);
  const valueKey = params.add(choice.mapping.valueKey);
  const customerKey = params.add(choice.mapping.customerKey);
  const name = choice.mapping.eventName ? `if(event_name = '', ${params.add(choice.mapping.eventName)}, event_name)` : 'event_name';
  return `
    INSERT INTO ingest_rows (run_id, source, line, seq, format, event_time, event_name, customer, identifier, value, properties, reject_reason, raw)
    SELECT ${runP}, source, line, seq, ${fmtP}, event_time, ${name} AS ev_name,
      if(customer_direct != '', customer_direct, ${plain(`properties[${customerKey}]`)}) AS customer,
      identifier,
      toFloat64OrNull(${plain(`properties[${valueKey}]`)}) AS value,
      properties,
      multiIf(
        parse_error != '', parse_error,
        ev_name = '', 'missing event name',
        ts_text = '', 'missing timestamp',
        isNull(event_time), concat('unparseable timestamp: ', substring(ts_text, 1, 64)),
        '') AS reject_reason,
      if(reject_reason != '', raw, '') AS raw -- only rejects keep their text; accepted rows are fully in events
    FROM (
      SELECT *, ${parseTimestamp('ts_text')} AS event_time, ${toMap('props')} AS properties
      FROM (${inner})
    )
    SETTINGS max_partitions_per_insert_block = 0`;
}

function parserFor(choice: ParserChoice, rel: string, params: SqlParams): string {
  switch (choice.format) {
    case 'stripe-json':
    case 'stripe-v2-stream':
      return jsonParser(rel, STRIPE_PATHS, params);
    case 'metronome':
      return jsonParser(rel, METRONOME_PATHS, params);
    case 'cloudevents':
      return jsonParser(rel, CLOUDEVENTS_PATHS, params);
    case 'json':
      if (!choice.jsonPaths) throw new Error('generic JSON needs resolved field paths');
      return jsonParser(rel, choice.jsonPaths, params);
    case 'stripe-v1-form':
      return formParser(rel);
    case 'csv':
      if (!choice.csv) throw new Error('CSV needs a resolved header');
      return csvParser(rel, choice.csv, params);
  }
}
