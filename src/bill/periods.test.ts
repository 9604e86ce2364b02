import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { nextPeriod, parseRange, periodStart, periodsBetween } from './periods.js';

const t = (s: string) => Date.parse(s);

describe('billing periods (UTC calendar)', () => {
  it('a millisecond before and at a month, week, day and hour change', () => {
    expect(periodStart(t('2024-05-31T23:59:59.999Z'), 'month')).toBe(t('2024-05-01T00:00:00Z'));
    expect(periodStart(t('2024-06-01T00:00:00.000Z'), 'month')).toBe(t('2024-06-01T00:00:00Z'));
    // 2024-06-02 is a Sunday, 2024-06-03 a Monday; 1970-01-01 (a Thursday) belongs to the week of 29 December 1969.
    expect(periodStart(t('2024-06-02T23:59:59.999Z'), 'week')).toBe(t('2024-05-27T00:00:00Z'));
    expect(periodStart(t('2024-06-03T00:00:00.000Z'), 'week')).toBe(t('2024-06-03T00:00:00Z'));
    expect(periodStart(0, 'week')).toBe(t('1969-12-29T00:00:00Z'));
    expect(periodStart(t('2024-06-03T23:59:59.999Z'), 'day')).toBe(t('2024-06-03T00:00:00Z'));
    expect(periodStart(t('2024-06-03T10:59:59.999Z'), 'hour')).toBe(t('2024-06-03T10:00:00Z'));
  });

  it('walks months of different lengths and years', () => {
    expect(nextPeriod(t('2024-01-01T00:00:00Z'), 'month')).toBe(t('2024-02-01T00:00:00Z'));
    expect(nextPeriod(t('2024-12-01T00:00:00Z'), 'month')).toBe(t('2025-01-01T00:00:00Z'));
    expect(periodsBetween(t('2024-01-31T12:00:00Z'), t('2024-03-01T00:00:00Z'), 'month').map((x) => new Date(x).toISOString().slice(0, 10))).toEqual([
      '2024-01-01',
      '2024-02-01',
      '2024-03-01',
    ]);
    expect(periodsBetween(t('2024-06-01T00:00:00Z'), t('2024-06-01T02:00:00Z'), 'hour')).toHaveLength(3);
  });

  it('--from / --to sit on period boundaries, from before to', () => {
    expect(parseRange(undefined, undefined, 'month')).toBeNull();
    expect(parseRange('2024-06-01T00:00:00Z', '2024-07-01T00:00:00Z', 'month')).toEqual({ fromMs: t('2024-06-01T00:00:00Z'), toMs: t('2024-07-01T00:00:00Z') });
    expect(parseRange('2024-06-03T00:00:00Z', undefined, 'week')!.fromMs).toBe(t('2024-06-03T00:00:00Z'));
    const msg = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(UserError);
        return (e as Error).message;
      }
      return '';
    };
    expect(msg(() => parseRange('2024-06-02T00:00:00Z', undefined, 'month'))).toBe(
      '--from must be the start of the first of a month (UTC) with --period month, got "2024-06-02T00:00:00Z"',
    );
    expect(msg(() => parseRange(undefined, '2024-06-04T00:00:00Z', 'week'))).toMatch(/--to must be the start of a Monday/);
    expect(msg(() => parseRange('soon', undefined, 'day'))).toMatch(/--from: "soon" is not a date\/time/);
    expect(msg(() => parseRange('2024-06-02T00:00:00Z', '2024-06-01T00:00:00Z', 'day'))).toBe('--to must be after --from');
  });
});
