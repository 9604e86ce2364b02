/**
 * Builds the one INSERT that parses a line relation and feeds the ingest pipeline
 * (ingest_rows -> events / rejects, see store/schema/001-foundation.ts).
 */
import type { FieldMapping, FormatName } from '../formats.js';
import { SqlParams } from '../../store/sql.js';
import { plain, toMap } from './expressions.js';
import { markedRawSql, markedReasonSql } from '../long-lines.js';
import { parseTimestamp, timestampRejectReason } from './timestamps.js';
import { tidyLines } from './lines.js';
import { CLOUDEVENTS_PATHS, METRONOME_PATHS, STRIPE_PATHS, jsonParser, type JsonPaths } from './parsers.js';
import { FORM_MISSING, formParser } from './form.js';
import { csvParser, type CsvColumns } from './csv.js';
import { fastPath } from './fast-json.js';
import { EVENT_SAMPLE_UNIT_SQL, SAMPLE_BUCKETS } from '../../util/sample.js';

export interface ParserChoice {
  format: FormatName;
  mapping: FieldMapping;
  /** Generic JSON: resolved paths (see detect.ts). */
  jsonPaths?: JsonPaths;
  /** CSV: resolved columns (see detect.ts). */
  csv?: CsvColumns;
  /** Whole-file JSON: the relation holds events with their index (seq), not lines (see json-records.ts). */
  document?: boolean;
  /** false: every line through the general JSON parser (the fast path's equivalence test). */
  fastPath?: boolean;
}

/** Generic JSON / CSV: the field the customer is read from (dotted path or column), if one was found. */
export function customerFieldOf(choice: ParserChoice): string | undefined {
  if (choice.jsonPaths?.customer) return choice.jsonPaths.customer.join('.');
  if (choice.csv && choice.csv.customer >= 0) return choice.csv.header[choice.csv.customer];
  return undefined;
}

/**
 * @param rel SQL yielding every line as (source String, line UInt64, raw String) with its raw bytes
 *   (blank lines included: a quoted CSV field may hold them); may use placeholders from `params`.
 * With `choice.document` it yields whole-file JSON events instead, (source, line, seq UInt32, raw),
 *   which are not lines: they are parsed as they are. A raw text marked too long (long-lines.ts) is
 *   rejected with its reason whatever the parser made of it.
 * @param sampleBuckets profile --sample by event: keep an event when its hash % 10,000 is below this
 *   (EVENT_SAMPLE_UNIT_SQL: an identifier's copies stay together); rejects are always kept, so
 *   malformed lines are counted in full.
 */
export function buildIngestQuery(runId: string, choice: ParserChoice, rel: string, params: SqlParams, sampleBuckets?: number): string {
  const inner = parserFor(choice, choice.document ? rel : tidyLines(rel), params);
  const form = choice.format === 'stripe-v1-form';
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
        too_long != '', too_long,
        parse_error != '', parse_error,
        ev_name = '', '${form ? FORM_MISSING.name : 'missing event name'}',
        ts_text = '', '${form ? FORM_MISSING.timestamp : 'missing timestamp'}',
        isNull(event_time), ${timestampRejectReason('ts_text')},
        '') AS reject_reason,
      if(reject_reason != '', ${markedRawSql('text')}, '') AS raw -- only rejects keep their text; accepted rows are fully in events
    FROM (
      SELECT *, ${parseTimestamp('ts_text')} AS event_time, ${toMap('props')} AS properties,
        raw AS text, ${markedReasonSql('raw')} AS too_long
      FROM (${inner})
    )${
      sampleBuckets === undefined
        ? ''
        : `
    WHERE reject_reason != '' OR ${EVENT_SAMPLE_UNIT_SQL} % ${SAMPLE_BUCKETS} < ${params.add(sampleBuckets)}`
    }
    SETTINGS max_partitions_per_insert_block = 0`;
}

function parserFor(choice: ParserChoice, lines: string, params: SqlParams): string {
  switch (choice.format) {
    case 'stripe-json':
    case 'stripe-v2-stream':
      return typedJson(choice, lines, STRIPE_PATHS, params);
    case 'metronome':
      return typedJson(choice, lines, METRONOME_PATHS, params);
    case 'cloudevents':
      return typedJson(choice, lines, CLOUDEVENTS_PATHS, params);
    case 'json':
      if (!choice.jsonPaths) throw new Error('generic JSON needs resolved field paths');
      return jsonParser(lines, choice.jsonPaths, params, { document: choice.document });
    case 'stripe-v1-form':
      return formParser(lines);
    case 'csv':
      if (!choice.csv) throw new Error('CSV needs a resolved header');
      return csvParser(lines, choice.csv, params);
  }
}

/** The built-in JSON formats: fixed top-level keys, so the typed fast path applies. */
function typedJson(choice: ParserChoice, lines: string, paths: JsonPaths, params: SqlParams): string {
  const fast = choice.fastPath === false || choice.document ? undefined : fastPath(paths, params);
  return jsonParser(lines, paths, params, { document: choice.document, fast });
}
