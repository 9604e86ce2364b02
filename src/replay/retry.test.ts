/** What test/replay-units.test.ts leaves out: request timeouts, reason text limits, Retry-After forms. */
import { describe, expect, it } from 'vitest';
import { isDuplicateIdentifier, judge, reasonOf, retryAfterMs, type Answer } from './retry.js';

const a = (status: number, text = '', headers: Answer['headers'] = {}): Answer => ({ status, text, headers });

describe('judge', () => {
  it.each<[number, string]>([
    [408, 'retry'],
    [409, 'reject'],
    [404, 'reject'],
    [499, 'reject'],
    [500, 'retry'],
    [599, 'retry'],
    [204, 'ack'],
    [301, 'reject'],
  ])('HTTP %d -> %s', (status, kind) => {
    expect(judge(a(status), 'metronome').kind).toBe(kind);
  });

  it('an expired session is retried only on the v2 stream; a repeated header counts by its first value', () => {
    const expired = a(401, '{"error":{"code":"billing_meter_event_session_expired"}}');
    expect(judge(expired, 'stripe-v1').kind).toBe('reject');
    expect(judge(a(503, '', { 'retry-after': ['4', '9'] }), 'raw')).toMatchObject({ kind: 'retry', retryAfterMs: 4000 });
  });
});

describe('reasonOf', () => {
  it('plain-text bodies collapse to one line, cut at 160 characters', () => {
    expect(reasonOf(a(502, '  Bad\n\n gateway  '))).toBe('502 Bad gateway');
    const long = reasonOf(a(400, 'x'.repeat(300)));
    expect(long).toBe(`400 ${'x'.repeat(160)}…`);
    expect(reasonOf(a(500))).toBe('500');
    expect(reasonOf(a(0))).toBe('network: error');
    expect(reasonOf(a(400, '{"error":{"type":"invalid_request_error"}}'))).toBe('400 invalid_request_error');
  });
});

describe('retryAfterMs', () => {
  it('seconds (fractions too) or an HTTP date; a date in the past means now', () => {
    expect(retryAfterMs('1.5')).toBe(1500);
    expect(retryAfterMs(new Date(5_000).toUTCString(), 2_000)).toBe(3_000);
    expect(retryAfterMs(new Date(1_000).toUTCString(), 9_000)).toBe(0);
    expect(retryAfterMs(undefined)).toBeUndefined();
    expect(retryAfterMs('  ')).toBeUndefined();
  });
});

describe('isDuplicateIdentifier', () => {
  it("is Stripe's 400 for an identifier it already has, nothing else", () => {
    const text = 'An event already exists with identifier abc.';
    expect(isDuplicateIdentifier(a(400, text))).toBe(true);
    expect(isDuplicateIdentifier(a(409, text))).toBe(false);
    expect(isDuplicateIdentifier(a(400, 'missing identifier'))).toBe(false);
  });
});
