/** The shared flag grammar (no database): each helper against hand-computed values and its refusal sentence. */
import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { asOfFlag, choiceFlag, durationFlag, keyListFlag, numberFlag, numberOr, parseDuration, parseTime, repeatable, timeFlag } from './flags.js';

/** The sentence a call refuses with (fails the test when it does not refuse with a UserError). */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return (e as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('choiceFlag', () => {
  const modes = ['shift', 'original'] as const;
  it('returns the choice, passes an absent flag through, refuses others naming every choice', () => {
    expect(choiceFlag('--timestamps', 'original', modes)).toBe('original');
    expect(choiceFlag('--timestamps', undefined, modes)).toBeUndefined();
    expect(refusal(() => choiceFlag('--timestamps', 'Shift', modes))).toBe('--timestamps must be one of shift, original, got "Shift"');
  });
  it('matches case-insensitively and through aliases when asked', () => {
    const opts = { ignoreCase: true, aliases: { markdown: 'md' as const } };
    expect(choiceFlag('the report format', ' HTML ', ['text', 'md', 'html'] as const, opts)).toBe('html');
    expect(choiceFlag('the report format', 'Markdown', ['text', 'md', 'html'] as const, opts)).toBe('md');
    // Inherited object keys are no aliases.
    expect(refusal(() => choiceFlag('--x', 'constructor', ['a'] as const, opts))).toBe('--x must be one of a, got "constructor"');
  });
});

describe('numberFlag / numberOr', () => {
  it('parses numbers within bounds; absent stays undefined or takes the default', () => {
    expect(numberFlag('--connections', '10', { min: 1, integer: true })).toBe(10);
    expect(numberFlag('--flush-ms', '2.5', { min: 0 })).toBe(2.5);
    expect(numberFlag('--limit', undefined, { min: 1 })).toBeUndefined();
    expect(numberOr('--speed', undefined, 1, { above: 0 })).toBe(1);
    expect(numberOr('--speed', '0.5', 1, { above: 0 })).toBe(0.5);
  });
  it('refuses what is no number, empty, fractional where whole, or out of bounds, with one sentence', () => {
    expect(refusal(() => numberFlag('--limit', 'abc', { min: 1, integer: true }))).toBe('--limit must be a whole number ≥ 1, got "abc"');
    expect(refusal(() => numberFlag('--limit', '', { min: 1, integer: true }))).toBe('--limit must be a whole number ≥ 1, got ""');
    expect(refusal(() => numberFlag('--limit', '2.5', { min: 1, integer: true }))).toContain('whole number');
    expect(refusal(() => numberFlag('--port', '65536', { min: 0, max: 65535, integer: true }))).toBe('--port must be a whole number from 0 to 65535, got "65536"');
    expect(refusal(() => numberOr('--speed', '0', 1, { above: 0 }))).toBe('--speed must be a number above 0, got "0"');
    expect(refusal(() => numberFlag('--max-rps', '101', { above: 0, max: 100 }))).toBe('--max-rps must be a number above 0 and at most 100, got "101"');
    expect(refusal(() => numberFlag('--fail-rate', '2', { min: 0, max: 1, what: 'a fraction between 0 and 1' }))).toBe(
      '--fail-rate must be a fraction between 0 and 1, got "2"',
    );
    expect(refusal(() => numberFlag('--x', 'Infinity'))).toBe('--x must be a number, got "Infinity"');
  });
  it('keeps the bounds themselves', () => {
    expect(numberFlag('--port', '0', { min: 0, max: 65535, integer: true })).toBe(0);
    expect(numberFlag('--port', '65535', { min: 0, max: 65535, integer: true })).toBe(65535);
    expect(numberFlag('--max-rps', '100', { above: 0, max: 100 })).toBe(100);
  });
});

describe('durations', () => {
  it('reads bare seconds, units and compounds', () => {
    expect(parseDuration('90')).toBe(90);
    expect(parseDuration('250ms')).toBe(0.25);
    expect(parseDuration('15m')).toBe(15 * 60);
    expect(parseDuration('1h30m')).toBe(3600 + 30 * 60);
    expect(parseDuration(' 1.5 h ')).toBe(1.5 * 3600);
    expect(parseDuration('2d')).toBe(2 * 86400);
    expect(parseDuration('1w1s')).toBe(7 * 86400 + 1);
    for (const bad of ['soon', '', 'h', '1h30', '-5s', '5 x']) expect(parseDuration(bad), bad).toBeUndefined();
  });
  it('durationFlag refuses non-durations, and zero when it must be positive', () => {
    expect(durationFlag('--duration', undefined)).toBeUndefined();
    expect(durationFlag('--late-max', '0')).toBe(0);
    expect(refusal(() => durationFlag('--duration', 'soon'))).toBe('--duration must be a duration like 90s, 15m, 1h30m or 2d, got "soon"');
    expect(refusal(() => durationFlag('--warmup', '0s', { positive: true }))).toBe('--warmup must be longer than zero, got "0s"');
  });
});

describe('times', () => {
  const now = Date.UTC(2025, 5, 15, 12, 0, 0);
  it('reads ISO 8601, now, and times before now', () => {
    expect(parseTime('2025-01-02T03:04:05.678Z', { now })).toBe(Date.UTC(2025, 0, 2, 3, 4, 5, 678));
    expect(parseTime('now', { now })).toBe(now);
    expect(parseTime('-7d', { now })).toBe(Date.UTC(2025, 5, 8, 12, 0, 0));
    expect(parseTime('-12h', { now })).toBe(Date.UTC(2025, 5, 15, 0, 0, 0));
    expect(parseTime('-30m', { now })).toBe(Date.UTC(2025, 5, 15, 11, 30, 0));
    expect(parseTime('now-1h30m', { now })).toBe(Date.UTC(2025, 5, 15, 10, 30, 0));
    expect(parseTime('-soon', { now })).toBeUndefined();
    expect(parseTime('someday', { now })).toBeUndefined();
  });
  it('reads whole numbers as unix seconds or milliseconds only when asked', () => {
    expect(parseTime('1700000000', { unix: true })).toBe(1_700_000_000_000);
    expect(parseTime('1700000000123', { unix: true })).toBe(1_700_000_000_123);
    expect(parseTime('1700000000')).toBeUndefined();
  });
  it('timeFlag checks the year range and names the flag', () => {
    expect(timeFlag('--start', 'now-1d', { now, unix: true, years: [1990, 2199] })).toBe(now - 86_400_000);
    expect(refusal(() => timeFlag('--start', '1980-01-01T00:00:00Z', { unix: true, years: [1990, 2199] }))).toBe(
      '--start: "1980-01-01T00:00:00Z" is not a time between 1990 and 2199 (ISO 8601, unix seconds, now, or before now like -7d, -12h, now-30m)',
    );
    expect(refusal(() => timeFlag('--as-of', 'someday'))).toBe('--as-of: "someday" is not a time (ISO 8601, now, or before now like -7d, -12h, now-30m)');
  });
  it('asOfFlag keeps an absolute time as given and resolves now and relative forms to ISO 8601', () => {
    expect(asOfFlag('--as-of', undefined)).toBeUndefined();
    expect(asOfFlag('--as-of', '2024-07-01T00:00:00Z', now)).toBe('2024-07-01T00:00:00Z');
    expect(asOfFlag('--as-of', 'now', now)).toBe('2025-06-15T12:00:00.000Z');
    expect(asOfFlag('--as-of', '-7d', now)).toBe('2025-06-08T12:00:00.000Z');
    expect(refusal(() => asOfFlag('--as-of', 'someday', now))).toContain('--as-of');
  });
});

describe('lists', () => {
  it('keyListFlag splits on commas, trims, drops blanks', () => {
    expect(keyListFlag('region, model,,tier ')).toEqual(['region', 'model', 'tier']);
    expect(keyListFlag(undefined)).toBeUndefined();
    expect(keyListFlag('')).toBeUndefined();
  });
  it('repeatable collects every occurrence in order', () => {
    expect(repeatable('b', repeatable('a'))).toEqual(['a', 'b']);
  });
});
