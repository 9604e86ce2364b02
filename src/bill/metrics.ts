/**
 * Billable metrics to bill: Metronome create-billable-metric bodies (typed by @metronome/sdk), from a
 * --metrics file or the run's drafts, checked the way Metronome checks them. Every problem is one
 * sentence; all of them are reported together so a file is fixed in one pass.
 */
import type { BillableMetricCreateParams } from '@metronome/sdk/resources/v1/billable-metrics';
import type { PropertyFilter } from '@metronome/sdk/resources/shared';
import { UserError } from '../errors.js';
import { readJsonFile } from '../util/json-file.js';

export type MetricRequest = BillableMetricCreateParams;
export type AggregationType = NonNullable<MetricRequest['aggregation_type']>;
export const AGGREGATION_TYPES: readonly AggregationType[] = ['COUNT', 'SUM', 'MAX', 'UNIQUE', 'LATEST'];

/** A validated metric in the form the SQL builders take. */
export interface BillMetric {
  name: string;
  aggregation: AggregationType;
  /** The aggregated property (null for COUNT). */
  key: string | null;
  eventTypesIn: string[] | null;
  eventTypesNotIn: string[] | null;
  filters: PropertyFilter[];
  groupKeys: string[][];
  /** Every key of every group_keys entry, first-seen order: the usage lines' grouping. */
  groupBy: string[];
  request: MetricRequest;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const q = (s: string) => JSON.stringify(s);

/** Problems of one filter list (event_type_filter or a property filter): non-empty string arrays when present. */
function listProblems(what: string, f: Obj, out: string[]): void {
  for (const field of ['in_values', 'not_in_values']) {
    if (f[field] === undefined || f[field] === null) continue;
    if (!isStrings(f[field]) || (f[field] as string[]).length === 0) out.push(`${what} ${field} must be a non-empty array of strings`);
  }
}

function propertyFilterProblems(raw: unknown, out: string[]): void {
  if (raw === undefined) return;
  if (!Array.isArray(raw)) {
    out.push('property_filters must be an array');
    return;
  }
  const seen = new Set<string>();
  raw.forEach((f, i) => {
    if (!isObj(f) || typeof f.name !== 'string' || f.name === '') {
      out.push(`property filter #${i + 1} needs a "name"`);
      return;
    }
    const what = `property filter ${q(f.name)}`;
    if (seen.has(f.name)) out.push(`${what} appears twice; give each property one filter`);
    seen.add(f.name);
    if (f.exists !== undefined && f.exists !== null && typeof f.exists !== 'boolean') out.push(`${what}: exists must be true or false`);
    listProblems(what, f, out);
    if (f.exists === false && (f.in_values !== undefined || f.not_in_values !== undefined))
      out.push(`${what} cannot require the property to be absent (exists: false) and also filter its values`);
  });
}

/** Problems of one create-billable-metric body, one sentence each (without the "metric #n" prefix). */
export function metricProblems(raw: unknown): string[] {
  if (!isObj(raw)) return ['must be a JSON object (a create-billable-metric body)'];
  const out: string[] = [];
  if (typeof raw.name !== 'string' || raw.name.trim() === '') out.push('needs a "name"');
  if (raw.sql !== undefined) out.push('is a SQL billable metric, which bill does not evaluate; give aggregation_type and filters instead');
  const agg = raw.aggregation_type;
  if (!AGGREGATION_TYPES.includes(agg as AggregationType))
    out.push(`aggregation_type must be one of ${AGGREGATION_TYPES.join(', ')}${agg === undefined ? '' : `, got ${q(String(agg))}`}`);
  const key = raw.aggregation_key;
  if (key !== undefined && (typeof key !== 'string' || key === '')) out.push('aggregation_key must be a non-empty string');
  if (agg === 'COUNT' && typeof key === 'string') out.push('a COUNT metric takes no aggregation_key');
  if (agg !== 'COUNT' && AGGREGATION_TYPES.includes(agg as AggregationType) && key === undefined) out.push(`a ${String(agg)} metric needs an aggregation_key`);
  if (raw.event_type_filter !== undefined) {
    if (!isObj(raw.event_type_filter)) out.push('event_type_filter must be an object with in_values and/or not_in_values');
    else listProblems('event_type_filter', raw.event_type_filter, out);
  }
  propertyFilterProblems(raw.property_filters, out);
  const exists = new Set(Array.isArray(raw.property_filters) ? raw.property_filters.filter((f) => isObj(f) && f.exists === true).map((f) => (f as Obj).name) : []);
  if (typeof key === 'string' && key !== '' && agg !== 'COUNT' && !exists.has(key)) {
    out.push(`aggregation key ${q(key)} has no property filter with exists: true (Metronome refuses the metric without one)`);
  }
  const groups = raw.group_keys;
  if (groups !== undefined) {
    if (!Array.isArray(groups) || !groups.every((g) => isStrings(g) && g.length > 0 && g.every((k) => k !== ''))) {
      out.push('group_keys must be an array of non-empty arrays of property names, e.g. [["region"], ["region", "tier"]]');
    } else {
      for (const k of new Set(groups.flat())) {
        if (!exists.has(k)) out.push(`group key ${q(k)} has no property filter with exists: true (Metronome refuses the metric without one)`);
      }
    }
  }
  return out;
}

/** Checks every body; one UserError listing each problem as a sentence, or the metrics. */
export function validateMetrics(raw: unknown, where: string): BillMetric[] {
  if (!Array.isArray(raw)) throw new UserError(`${where} must hold a JSON array of create-billable-metric bodies`);
  if (raw.length === 0) throw new UserError(`${where} holds no metrics`);
  const problems: string[] = [];
  const names = new Set<string>();
  raw.forEach((m, i) => {
    const label = `metric #${i + 1}${isObj(m) && typeof m.name === 'string' ? ` (${q(m.name)})` : ''}`;
    for (const p of metricProblems(m)) problems.push(`${label} ${p}.`);
    if (isObj(m) && typeof m.name === 'string') {
      if (names.has(m.name)) problems.push(`${label} has the same name as an earlier metric; names must be unique.`);
      names.add(m.name);
    }
  });
  if (problems.length === 1) throw new UserError(`${where}: ${problems[0]}`);
  if (problems.length > 1) throw new UserError(`${where} has ${problems.length} problems:\n  ${problems.join('\n  ')}`);
  return raw.map((m) => toBillMetric(m as MetricRequest));
}

function toBillMetric(r: MetricRequest): BillMetric {
  const groupKeys = r.group_keys ?? [];
  return {
    name: r.name,
    aggregation: r.aggregation_type!,
    key: r.aggregation_type === 'COUNT' ? null : (r.aggregation_key ?? null),
    eventTypesIn: r.event_type_filter?.in_values ?? null,
    eventTypesNotIn: r.event_type_filter?.not_in_values ?? null,
    filters: r.property_filters ?? [],
    groupKeys,
    groupBy: [...new Set(groupKeys.flat())],
    request: r,
  };
}

/** The metrics in a --metrics file: a JSON array of create-billable-metric bodies. */
export function readMetricsFile(file: string): BillMetric[] {
  return validateMetrics(readJsonFile('--metrics', file), `--metrics ${file}`);
}
