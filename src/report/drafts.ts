/**
 * Billable-metric drafts for renderers (and `meterscope bill`): the drafts of the report's advice
 * section (src/advice/), planned from the model when a stored report predates it, and the request
 * body laid out as JSON for pasting.
 */
import type { ProfileReport } from '../profile/model.js';
import { draftsOf } from '../advice/index.js';
import type { MetricDraft } from '../advice/model.js';

export type { DraftFlag, MetricDraft, MetricRequest } from '../advice/model.js';
export { isGaugeName } from '../advice/aggregation.js';

/** One draft per event name: the body of POST /v1/billable-metrics/create with its reasons, flags and billed share. */
export function billableMetricDrafts(r: ProfileReport): MetricDraft[] {
  return draftsOf(r);
}

/** One-line JSON with a space after commas and colons (strings are left exactly as JSON.stringify writes them). */
function inlineJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inlineJson).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${inlineJson(v)}`).join(', ')} }`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The request body as JSON, two-space indented, with short arrays and objects kept on one line. */
export function draftJson(value: unknown, indent = '', width = 76): string {
  const inline = inlineJson(value);
  if (typeof value !== 'object' || value === null || (indent !== '' && inline.length + indent.length <= width)) return inline;
  const inner = `${indent}  `;
  if (Array.isArray(value)) return `[\n${value.map((v) => inner + draftJson(v, inner, width)).join(',\n')}\n${indent}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${draftJson(v, inner, width)}`).join(',\n')}\n${indent}}`;
}
