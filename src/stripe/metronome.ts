/**
 * Which Metronome billable-metric aggregation a Stripe meter needs (the billable-metric drafts use it
 * through the profile's `stripe.meters`). Stripe formulas: sum adds each event's value, count counts
 * events, last keeps the last value in the period.
 */
import type { BillableMetricCreateParams } from '@metronome/sdk/resources/v1/billable-metrics';
import type { StripeMeter } from './meters.js';

/** Metronome's aggregation types, as its create-billable-metric request names them. */
export type MetronomeAggregationType = NonNullable<BillableMetricCreateParams['aggregation_type']>;

export interface MetronomeAggregation {
  /** The aggregation that reproduces the Stripe formula. */
  aggregationType: MetronomeAggregationType;
  /** Property aggregated (the meter's value key); null for COUNT. */
  aggregationKey: string | null;
  /** A fallback when the first choice is not available: MAX for `last` (equal while the level only grows). */
  alternative: MetronomeAggregationType | null;
  /** Group keys to carry over: the meter's dimension keys, if it has any. */
  groupKeys: string[];
  /** Why, in one sentence. */
  reason: string;
}

/** Maps a meter's formula; null for a formula this tool does not know (reported, never guessed). */
export function metronomeAggregationFor(meter: Pick<StripeMeter, 'formula' | 'valueKey' | 'dimensionKeys'>): MetronomeAggregation | null {
  const groupKeys = [...meter.dimensionKeys];
  switch (meter.formula) {
    case 'sum':
      return {
        aggregationType: 'SUM',
        aggregationKey: meter.valueKey,
        alternative: null,
        groupKeys,
        reason: `Stripe sums ${meter.valueKey} per period: SUM over ${meter.valueKey}.`,
      };
    case 'count':
      return { aggregationType: 'COUNT', aggregationKey: null, alternative: null, groupKeys, reason: 'Stripe counts events per period: COUNT.' };
    case 'last':
      return {
        aggregationType: 'LATEST',
        aggregationKey: meter.valueKey,
        alternative: 'MAX',
        groupKeys,
        reason: `Stripe bills the last ${meter.valueKey} reported in the period: LATEST over ${meter.valueKey} (MAX gives the same while the level never falls).`,
      };
    default:
      return null;
  }
}
